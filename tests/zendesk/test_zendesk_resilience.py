"""Retries, rate limits, auth and secrets: the client fails typed, bounded, and discreet."""

from __future__ import annotations

import base64
import json
import logging
import time
from datetime import timedelta
from typing import Any

import anyio
import httpx
import pytest
import respx

from backend.zendesk.auth import ApiToken, BearerToken, ClientCredentials
from backend.zendesk.client import ZendeskClient
from backend.zendesk.errors import (
    ZendeskAuthError,
    ZendeskError,
    ZendeskRateLimited,
    ZendeskUnavailable,
)
from backend.zendesk.ratelimit import RateBudget

from .conftest import BASE, NOW, SECRET, SleepRecorder, fast_budget, make_client, page, ticket

pytestmark = pytest.mark.anyio

ORG = "/api/v2/organizations/42"
ORG_BODY = {"organization": {"id": 42, "name": "Acme"}}
TOKEN_BODY = {"access_token": "fresh-access-token", "token_type": "bearer", "expires_in": 3600}
CLIENT_SECRET = "client-secret-value-123"
API_TOKEN = "api-token-value-456"


def ok() -> httpx.Response:
    return httpx.Response(200, json=ORG_BODY)


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_5xx_is_retried_then_succeeds(status: int, sleeps: SleepRecorder) -> None:
    with respx.mock(base_url=BASE) as mock:
        route = mock.get(ORG).mock(
            side_effect=[httpx.Response(status), httpx.Response(status), ok()]
        )
        async with make_client(sleep=sleeps) as client:
            org = await client.get_organization(42)
    assert org.name == "Acme"
    assert route.call_count == 3
    assert client.stats.retries == 2
    assert len(sleeps.calls) == 2


@pytest.mark.parametrize(
    "failure",
    [
        httpx.Response(503),
        httpx.ReadTimeout("slow"),
        httpx.ConnectTimeout("slow"),
        httpx.ConnectError("refused"),
        httpx.RemoteProtocolError("eof"),
        httpx.Response(200, text="<html>oops</html>"),
        httpx.Response(200, json=[1, 2, 3]),
    ],
)
async def test_persistent_failure_ends_in_unavailable_after_max_attempts(
    failure: Any, sleeps: SleepRecorder
) -> None:
    with respx.mock(base_url=BASE) as mock:
        route = mock.get(ORG).mock(side_effect=lambda request: _raise_or_return(failure))
        async with make_client(sleep=sleeps, max_attempts=3) as client:
            with pytest.raises(ZendeskUnavailable):
                await client.get_organization(42)
    assert route.call_count == 3
    assert client.stats.requests == 3


def _raise_or_return(failure: Any) -> httpx.Response:
    if isinstance(failure, Exception):
        raise failure
    return failure


async def test_backoff_is_exponential_with_jitter_and_bounded(sleeps: SleepRecorder) -> None:
    with respx.mock(base_url=BASE) as mock:
        mock.get(ORG).respond(503)
        async with make_client(
            sleep=sleeps, max_attempts=6, backoff_initial=1.0, backoff_max=4.0
        ) as client:
            with pytest.raises(ZendeskUnavailable):
                await client.get_organization(42)
    assert len(sleeps.calls) == 5
    caps = [1, 2, 4, 4, 4]  # full jitter: each wait is random in [0, min(max, initial·2^n)]
    assert all(0 <= wait <= cap for wait, cap in zip(sleeps.calls, caps, strict=True))


async def test_total_retry_time_is_bounded() -> None:
    with respx.mock(base_url=BASE) as mock:
        route = mock.get(ORG).respond(503)
        async with make_client(
            max_attempts=1000, max_retry_seconds=0.3, backoff_initial=0.05, backoff_max=0.1
        ) as client:
            started = time.monotonic()
            with pytest.raises(ZendeskUnavailable):
                await client.get_organization(42)
            elapsed = time.monotonic() - started
    assert elapsed < 0.6
    assert 1 < route.call_count < 1000


async def test_429_waits_retry_after_then_succeeds(sleeps: SleepRecorder) -> None:
    limited = httpx.Response(429, headers={"Retry-After": "2"}, text="<html>slow down</html>")
    with respx.mock(base_url=BASE) as mock:
        route = mock.get(ORG).mock(side_effect=[limited, ok()])
        async with make_client(sleep=sleeps) as client:
            await client.get_organization(42)
    assert route.call_count == 2
    assert sleeps.calls[0] == 2.0  # the retry waits exactly Retry-After
    assert client.stats.rate_limited == 1


async def test_429_beyond_the_max_wait_raises_rate_limited_at_once(sleeps: SleepRecorder) -> None:
    with respx.mock(base_url=BASE) as mock:
        route = mock.get(ORG).respond(429, headers={"Retry-After": "93"})
        async with make_client(sleep=sleeps, max_retry_after=30) as client:
            with pytest.raises(ZendeskRateLimited) as caught:
                await client.get_organization(42)
    assert caught.value.retry_after == 93
    assert route.call_count == 1


async def test_429_every_time_ends_in_rate_limited(sleeps: SleepRecorder) -> None:
    with respx.mock(base_url=BASE) as mock:
        route = mock.get(ORG).respond(429, headers={"Retry-After": "1"})
        async with make_client(sleep=sleeps, max_attempts=3) as client:
            with pytest.raises(ZendeskRateLimited) as caught:
                await client.get_organization(42)
    assert caught.value.retry_after == 1
    assert route.call_count == 3


async def test_429_retry_after_counts_against_the_total_time(sleeps: SleepRecorder) -> None:
    # Sleeping 20 s would overrun a 10 s total: give up with the typed error instead.
    with respx.mock(base_url=BASE) as mock:
        route = mock.get(ORG).respond(429, headers={"Retry-After": "20"})
        async with make_client(sleep=sleeps, max_retry_seconds=10, max_retry_after=60) as client:
            with pytest.raises(ZendeskRateLimited):
                await client.get_organization(42)
    assert route.call_count == 1


async def test_503_retry_after_is_honoured(sleeps: SleepRecorder) -> None:
    with respx.mock(base_url=BASE) as mock:
        mock.get(ORG).mock(side_effect=[httpx.Response(503, headers={"Retry-After": "3"}), ok()])
        async with make_client(sleep=sleeps) as client:
            await client.get_organization(42)
    assert sleeps.calls == [3.0]


async def test_a_429_pauses_every_client_of_the_account(sleeps: SleepRecorder) -> None:
    budget = RateBudget(fraction=1.0, limit_per_minute=1_000_000, sleep=sleeps, clock=sleeps.clock)
    with respx.mock(base_url=BASE) as mock:
        mock.get(ORG).respond(429, headers={"Retry-After": "5"})
        mock.get("/api/v2/users/me").respond(json={"user": {"id": 1}})
        first = make_client(budget=budget, sleep=SleepRecorder(), max_attempts=1)
        second = make_client(budget=budget, sleep=SleepRecorder())
        async with first, second:
            with pytest.raises(ZendeskError):
                await first.get_organization(42)
            sleeps.calls.clear()
            await second.me()
    # The second client never saw the 429, yet it waits out the account's pause.
    assert sum(sleeps.calls) == pytest.approx(5, abs=0.5)
    assert budget.paused_for() == 0


async def test_the_budget_is_shared_by_clients_of_one_account() -> None:
    url = "https://shared-budget.zendesk.com"
    first = ZendeskClient(url, BearerToken(SECRET))
    second = ZendeskClient(url + "/", BearerToken(SECRET))
    other = ZendeskClient("https://someone-else.zendesk.com", BearerToken(SECRET))
    async with first, second, other:
        assert first.budget is second.budget
        assert other.budget is not first.budget
        with respx.mock(base_url=url) as mock:
            mock.get(ORG).respond(json=ORG_BODY, headers={"x-rate-limit": "2500"})
            await first.get_organization(42)
        # What one client learned about the account's limit paces the other.
        assert second.budget.limit_per_minute == 2500


async def test_two_clients_together_stay_within_the_budget() -> None:
    budget = RateBudget(fraction=1.0, limit_per_minute=2)  # background: one per 30 s
    with respx.mock(base_url=BASE) as mock:
        route = mock.get(ORG).respond(json=ORG_BODY)
        async with make_client(budget=budget) as first, make_client(budget=budget) as second:
            await first.get_organization(42)
            with pytest.raises(TimeoutError), anyio.fail_after(0.2):
                await second.get_organization(42)
    assert route.call_count == 1


async def test_low_remaining_slows_requests_down(sleeps: SleepRecorder) -> None:
    budget = RateBudget(fraction=1.0, limit_per_minute=1000, sleep=sleeps, clock=sleeps.clock)
    with respx.mock(base_url=BASE) as mock:
        mock.get(ORG).respond(
            json=ORG_BODY,
            headers={
                "X-Rate-Limit": "1000",
                "X-Rate-Limit-Remaining": "20",
                "ratelimit-reset": "40",
            },
        )
        async with make_client(budget=budget) as client:
            await client.get_organization(42)
            assert sleeps.calls == []
            await client.get_organization(42)
    # The pace of background work (60 s / 1000) and then 40 s spread over 20 requests left.
    assert sleeps.calls == [pytest.approx(0.06, abs=0.01), pytest.approx(40 / 20)]


@pytest.mark.parametrize(
    ("auth", "setting"),
    [
        (BearerToken(SECRET), "ZENDESK_OAUTH_TOKEN"),
        (ApiToken("admin@example.com", API_TOKEN), "ZENDESK_EMAIL and ZENDESK_API_TOKEN"),
    ],
)
async def test_401_names_the_setting_to_fix(auth: Any, setting: str) -> None:
    with respx.mock(base_url=BASE) as mock:
        route = mock.get(ORG).respond(401, text="Couldn't authenticate you")
        async with make_client(auth) as client:
            with pytest.raises(ZendeskAuthError, match=setting) as caught:
                await client.get_organization(42)
    assert str(caught.value) == f"Zendesk refused the credentials: check {setting}"
    assert caught.value.status == 401
    assert route.call_count == 1  # a static credential is not retried


async def test_403_names_the_setting_and_the_resource() -> None:
    with respx.mock(base_url=BASE) as mock:
        mock.get(ORG).respond(403)
        async with make_client() as client:
            with pytest.raises(ZendeskAuthError, match=r"organization 42.*ZENDESK_OAUTH_TOKEN"):
                await client.get_organization(42)


async def test_api_token_uses_basic_email_slash_token() -> None:
    with respx.mock(base_url=BASE) as mock:
        route = mock.get(ORG).respond(json=ORG_BODY)
        async with make_client(ApiToken("admin@example.com", API_TOKEN)) as client:
            await client.get_organization(42)
    header = route.calls[0].request.headers["Authorization"]
    expected = base64.b64encode(f"admin@example.com/token:{API_TOKEN}".encode()).decode()
    assert header == f"Basic {expected}"


async def test_bearer_token_header() -> None:
    with respx.mock(base_url=BASE) as mock:
        route = mock.get(ORG).respond(json=ORG_BODY)
        async with make_client(BearerToken(SECRET)) as client:
            await client.get_organization(42)
    assert route.calls[0].request.headers["Authorization"] == f"Bearer {SECRET}"


async def test_client_credentials_token_is_fetched_once_and_cached() -> None:
    auth = ClientCredentials("my-client", CLIENT_SECRET)
    with respx.mock(base_url=BASE) as mock:
        token = mock.post("/oauth/tokens").respond(json=TOKEN_BODY)
        api = mock.get(ORG).respond(json=ORG_BODY)
        async with make_client(auth) as client:
            for _ in range(3):
                await client.get_organization(42)
    assert token.call_count == 1
    sent = token.calls[0].request
    assert json.loads(sent.content) == {
        "grant_type": "client_credentials",
        "client_id": "my-client",
        "client_secret": CLIENT_SECRET,
        "scope": "read",
    }
    assert all(
        call.request.headers["Authorization"] == "Bearer fresh-access-token" for call in api.calls
    )
    assert client.stats.by_kind["oauth_token"] == 1


async def test_client_credentials_token_renewed_before_it_expires() -> None:
    auth = ClientCredentials("my-client", CLIENT_SECRET)
    with respx.mock(base_url=BASE) as mock:
        token = mock.post("/oauth/tokens").respond(json={**TOKEN_BODY, "expires_in": 0.01})
        mock.get(ORG).respond(json=ORG_BODY)
        async with make_client(auth) as client:
            await client.get_organization(42)
            time.sleep(0.02)  # noqa: ASYNC251 -- let the token expire
            await client.get_organization(42)
    assert token.call_count == 2


async def test_client_credentials_refreshes_once_on_401_and_retries() -> None:
    auth = ClientCredentials("my-client", CLIENT_SECRET)
    with respx.mock(base_url=BASE) as mock:
        token = mock.post("/oauth/tokens").respond(json=TOKEN_BODY)
        api = mock.get(ORG).mock(side_effect=[httpx.Response(401), ok()])
        async with make_client(auth) as client:
            org = await client.get_organization(42)
    assert org.id == 42
    assert (token.call_count, api.call_count) == (2, 2)


async def test_client_credentials_401_after_refresh_is_an_auth_error() -> None:
    auth = ClientCredentials("my-client", CLIENT_SECRET)
    with respx.mock(base_url=BASE) as mock:
        token = mock.post("/oauth/tokens").respond(json=TOKEN_BODY)
        api = mock.get(ORG).respond(401)
        async with make_client(auth) as client:
            with pytest.raises(
                ZendeskAuthError, match="ZENDESK_CLIENT_ID and ZENDESK_CLIENT_SECRET"
            ):
                await client.get_organization(42)
    assert (token.call_count, api.call_count) == (2, 2)  # exactly one refresh


async def test_client_credentials_refused_by_the_token_endpoint() -> None:
    auth = ClientCredentials("my-client", CLIENT_SECRET)
    with respx.mock(base_url=BASE) as mock:
        mock.post("/oauth/tokens").respond(401, json={"error": "invalid_client"})
        async with make_client(auth) as client:
            with pytest.raises(ZendeskAuthError, match="ZENDESK_CLIENT_SECRET"):
                await client.get_organization(42)


async def test_client_credentials_token_endpoint_outage_is_retried(sleeps: SleepRecorder) -> None:
    auth = ClientCredentials("my-client", CLIENT_SECRET)
    with respx.mock(base_url=BASE) as mock:
        token = mock.post("/oauth/tokens").mock(
            side_effect=[
                httpx.Response(503),
                httpx.ConnectError("x"),
                httpx.Response(200, json={}),
                httpx.Response(200, json=TOKEN_BODY),
            ]
        )
        mock.get(ORG).respond(json=ORG_BODY)
        async with make_client(auth, sleep=sleeps, max_attempts=4) as client:
            await client.get_organization(42)
    assert token.call_count == 4


def test_reprs_and_strings_of_auth_objects_hold_no_secret() -> None:
    objects = [
        BearerToken(SECRET),
        ApiToken("admin@example.com", API_TOKEN),
        ClientCredentials("my-client", CLIENT_SECRET),
        ZendeskClient(BASE, BearerToken(SECRET), budget=fast_budget()),
    ]
    for thing in objects:
        for text in (repr(thing), str(thing)):
            for secret in (SECRET, API_TOKEN, CLIENT_SECRET):
                assert secret not in text
    assert "redacted" in repr(objects[0])


@pytest.mark.parametrize(
    "auth",
    [
        BearerToken(SECRET),
        ApiToken("admin@example.com", API_TOKEN),
        ClientCredentials("my-client", CLIENT_SECRET),
    ],
)
async def test_failing_runs_leak_no_secret_to_logs_or_errors(
    auth: Any, caplog: pytest.LogCaptureFixture, sleeps: SleepRecorder
) -> None:
    secrets = [
        SECRET,
        API_TOKEN,
        CLIENT_SECRET,
        "fresh-access-token",
        base64.b64encode(f"admin@example.com/token:{API_TOKEN}".encode()).decode(),
    ]
    errors: list[str] = []
    with caplog.at_level(logging.DEBUG), respx.mock(base_url=BASE, assert_all_called=False) as mock:
        mock.post("/oauth/tokens").respond(json=TOKEN_BODY)
        mock.get(ORG).mock(
            side_effect=[
                httpx.Response(503),
                httpx.ReadTimeout("t"),
                httpx.Response(429, headers={"Retry-After": "1"}),
                httpx.Response(401),
            ]
        )
        mock.get("/api/v2/organizations/42/tickets").respond(200, text="garbage")
        async with make_client(auth, sleep=sleeps, max_attempts=4) as client:
            for call in (
                client.get_organization(42),
                client.fetch_organization_tickets(42, updated_since=NOW - timedelta(days=1)),
            ):
                try:
                    await call
                except Exception as error:
                    errors.append(f"{error!r} {error}")
    assert len(errors) == 2
    logged = caplog.text + " ".join(errors)
    assert "answered 503" in logged and "timed out" in logged and "401" in logged
    for secret in secrets:
        assert secret not in logged


async def test_unexpected_4xx_is_unavailable_without_retry() -> None:
    with respx.mock(base_url=BASE) as mock:
        route = mock.get(ORG).respond(422, json={"error": "RecordInvalid"})
        async with make_client() as client:
            with pytest.raises(ZendeskUnavailable, match="422"):
                await client.get_organization(42)
    assert route.call_count == 1


async def test_retry_logs_one_line_with_method_path_and_status(
    caplog: pytest.LogCaptureFixture, sleeps: SleepRecorder
) -> None:
    body = page([ticket(1)], has_more=False)
    with (
        caplog.at_level(logging.WARNING, logger="backend.zendesk"),
        respx.mock(base_url=BASE) as mock,
    ):
        mock.get("/api/v2/organizations/42/tickets").mock(
            side_effect=[httpx.Response(502), httpx.Response(200, json=body)]
        )
        async with make_client(sleep=sleeps) as client:
            await client.fetch_organization_tickets(42, updated_since=NOW - timedelta(days=1))
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("backend.zendesk")]
    assert len(lines) == 1
    assert "GET /api/v2/organizations/42/tickets answered 502" in lines[0]
    assert "page" not in lines[0]  # no query string in the log line
