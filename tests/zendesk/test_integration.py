"""The client against the real demo Zendesk over loopback: calls, facts, auth and faults."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from backend.demo import BackgroundServer, create_demo_zendesk, generate_account
from backend.demo.dataset import DemoAccount
from backend.demo.ratelimits import RateLimits
from backend.scoring.facts import TicketFacts
from backend.zendesk.auth import ApiToken, BearerToken, ClientCredentials, ZendeskAuth
from backend.zendesk.client import ZendeskClient
from backend.zendesk.errors import (
    ZendeskAuthError,
    ZendeskNotFound,
    ZendeskRateLimited,
    ZendeskUnavailable,
)
from backend.zendesk.parse import parse_ticket

pytestmark = pytest.mark.anyio

TIME_SPENT_FIELD = 360000001
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
OAUTH = BearerToken("demo-oauth-token")
# The demo's real per-minute counters would slow a test suite down; the budget logic is
# covered by unit tests, so the demo gets a roomy account limit here.
ROOMY = RateLimits(account=100_000, tickets_index=100_000, incremental_exports=1_000)


@pytest.fixture(scope="module")
def account() -> DemoAccount:
    return generate_account(seed=7, organizations=60)


@pytest.fixture(scope="module")
def server(account: DemoAccount) -> Iterator[BackgroundServer]:
    with BackgroundServer(create_demo_zendesk(account, rate_limits=ROOMY)) as running:
        yield running


@pytest.fixture
def demo(server: BackgroundServer) -> Iterator[str]:
    """The demo's URL with a clean request log and no faults, before and after the test."""
    httpx.put(f"{server.url}/_demo/faults", json={})
    httpx.post(f"{server.url}/_demo/requests/reset")
    yield server.url
    httpx.put(f"{server.url}/_demo/faults", json={})


@pytest.fixture(scope="module")
def mid_org(account: DemoAccount) -> int:
    """An organization of a few hundred tickets: several pages, quick to fetch."""
    sizes = sorted((account.ticket_count(i), i) for i in account.organization_ids)
    return next(org for count, org in sizes if 250 <= count <= 600)


def expected_tickets(account: DemoAccount, org_id: int) -> set[TicketFacts]:
    return {
        parse_ticket(account.ticket_json(record), account.metric_set(record))
        for record in account.ticket_records(org_id)
    }


def counts(url: str) -> dict[str, int]:
    counted: dict[str, int] = httpx.get(f"{url}/_demo/requests").json()["counts"]
    return counted


def set_faults(url: str, faults: dict[str, Any]) -> None:
    httpx.put(f"{url}/_demo/faults", json=faults).raise_for_status()


def statuses(url: str) -> set[int]:
    return {entry["status"] for entry in httpx.get(f"{url}/_demo/requests").json()["requests"]}


def client(url: str, auth: ZendeskAuth = OAUTH, **options: Any) -> ZendeskClient:
    return ZendeskClient(url, auth, **options)


async def test_cold_fetch_reads_every_ticket_in_ceil_n_over_100_calls(
    demo: str, account: DemoAccount, mid_org: int
) -> None:
    total = account.ticket_count(mid_org)
    progress: list[int] = []
    async with client(demo) as zendesk:
        tickets = await zendesk.fetch_organization_tickets(
            mid_org,
            updated_since=EPOCH,
            time_spent_field_id=TIME_SPENT_FIELD,
            on_page=lambda fetched, _oldest: progress.append(fetched),
        )
        assert await zendesk.count_organization_tickets(mid_org) == total
    assert len(tickets) == total
    assert set(tickets) == expected_tickets(account, mid_org)
    assert [t.updated_at for t in tickets] == sorted((t.updated_at for t in tickets), reverse=True)
    assert any(t.has_metrics for t in tickets) and any(
        TIME_SPENT_FIELD in t.custom_fields for t in tickets
    )
    pages = math.ceil(total / 100)
    assert progress[-1] == total and len(progress) == pages
    assert counts(demo)[f"GET /api/v2/organizations/{mid_org}/tickets"] == pages
    assert zendesk.stats.by_kind["tickets_page"] == pages


async def test_warm_fetch_costs_one_call(demo: str, account: DemoAccount, mid_org: int) -> None:
    async with client(demo) as zendesk:
        tickets = await zendesk.fetch_organization_tickets(mid_org, updated_since=datetime.now(UTC))
        assert tickets == []
        assert zendesk.stats.requests == 1
        # From the high-water mark: one call, only the newest ticket(s) again.
        newest = max(r.updated_at for r in account.ticket_records(mid_org))
        mark = datetime.fromtimestamp(newest, UTC)
        again = await zendesk.fetch_organization_tickets(mid_org, updated_since=mark)
    assert again and all(t.updated_at == mark for t in again)
    assert counts(demo)[f"GET /api/v2/organizations/{mid_org}/tickets"] == 2


async def test_window_fetch_stops_early(demo: str, account: DemoAccount) -> None:
    biggest = max(account.organization_ids, key=account.ticket_count)
    since = datetime.fromtimestamp(account.anchor - 30 * 86400, UTC)
    async with client(demo) as zendesk:
        tickets = await zendesk.fetch_organization_tickets(biggest, updated_since=since)
    recent = [r for r in account.ticket_records(biggest) if r.updated_at >= since.timestamp()]
    assert len(tickets) == len(recent)
    assert zendesk.stats.requests == math.ceil((len(recent) + 1) / 100)


async def test_embedded_metric_sets_give_identical_facts(
    account: DemoAccount, mid_org: int
) -> None:
    app = create_demo_zendesk(account, rate_limits=ROOMY, metric_sets_style="embedded")
    with BackgroundServer(app) as embedded:
        async with client(embedded.url) as zendesk:
            tickets = await zendesk.fetch_organization_tickets(mid_org, updated_since=EPOCH)
    assert set(tickets) == expected_tickets(account, mid_org)


@pytest.mark.parametrize(
    "auth",
    [
        BearerToken("demo-oauth-token"),
        ApiToken("admin@acme-demo.example", "demo-api-token"),
        ClientCredentials("zdg-customer-health-demo", "demo-client-secret"),
    ],
    ids=["oauth-token", "api-token", "client-credentials"],
)
async def test_every_auth_method(demo: str, auth: ZendeskAuth, mid_org: int) -> None:
    async with client(demo, auth) as zendesk:
        assert (await zendesk.me())["role"] == "admin"
        organization = await zendesk.get_organization(mid_org)
        installations = await zendesk.list_installations()
    assert organization.id == mid_org and organization.name
    assert {i["id"]: i["settings"] for i in installations}[1001]["window_days"] == "90"
    assert counts(demo).get("POST /oauth/tokens", 0) == (
        1 if isinstance(auth, ClientCredentials) else 0
    )


@pytest.mark.parametrize(
    ("auth", "setting"),
    [
        (BearerToken("wrong"), "ZENDESK_OAUTH_TOKEN"),
        (ApiToken("admin@acme-demo.example", "wrong"), "ZENDESK_API_TOKEN"),
        (ClientCredentials("zdg-customer-health-demo", "wrong"), "ZENDESK_CLIENT_SECRET"),
    ],
)
async def test_wrong_credentials_name_the_setting(
    demo: str, auth: ZendeskAuth, setting: str
) -> None:
    async with client(demo, auth) as zendesk:
        with pytest.raises(ZendeskAuthError, match=setting) as caught:
            await zendesk.me()
    assert "wrong" not in str(caught.value)


async def test_unknown_organization_is_not_found(demo: str) -> None:
    async with client(demo) as zendesk:
        with pytest.raises(ZendeskNotFound, match="organization 999"):
            await zendesk.get_organization(999)


async def test_organizations_and_incremental_export(demo: str, account: DemoAccount) -> None:
    async with client(demo) as zendesk:
        organizations = [org async for org in zendesk.iter_organizations()]
        page = await zendesk.incremental_tickets(start_time=0)
        following = await zendesk.incremental_tickets(cursor=page.after_cursor)
    assert [org.id for org in organizations] == account.organization_ids
    assert page.tickets and not page.end_of_stream and page.after_cursor
    assert all(org in account.organization_ids for org, _ in page.tickets)
    first_ids = {t.id for _, t in page.tickets}
    assert first_ids.isdisjoint(t.id for _, t in following.tickets)


async def test_the_budget_learns_the_demo_limit(demo: str) -> None:
    async with client(demo) as zendesk:
        await zendesk.me()
    assert zendesk.budget.limit_per_minute == ROOMY.account


async def test_faults_at_20_percent_change_nothing(demo: str, account: DemoAccount) -> None:
    sizes = sorted((account.ticket_count(i), i) for i in account.organization_ids)
    org = next(org for count, org in sizes if count >= 900)
    faults = {
        "rate_429": 0.04,
        "retry_after": 1,
        "rate_500": 0.04,
        "rate_503": 0.04,
        "rate_slow": 0.04,
        "slow_seconds": 1.0,
        "rate_malformed": 0.04,
        "seed": 11,
    }
    set_faults(demo, faults)
    async with client(
        demo, timeout=0.5, max_attempts=8, backoff_initial=0.05, backoff_max=0.5
    ) as zendesk:
        tickets = await zendesk.fetch_organization_tickets(org, updated_since=EPOCH)
        organization = await zendesk.get_organization(org)
        installations = await zendesk.list_installations()
    assert set(tickets) == expected_tickets(account, org)
    assert len(tickets) == account.ticket_count(org)
    assert organization.id == org and any(i["id"] == 1001 for i in installations)
    assert {429, 500, 503} & statuses(demo)  # the faults did happen
    assert zendesk.stats.retries > 0


@pytest.mark.parametrize(
    ("faults", "error"),
    [
        ({"rate_503": 1.0}, ZendeskUnavailable),
        ({"rate_500": 1.0}, ZendeskUnavailable),
        ({"rate_malformed": 1.0}, ZendeskUnavailable),
        ({"rate_slow": 1.0, "slow_seconds": 2.0}, ZendeskUnavailable),
        ({"rate_429": 1.0, "retry_after": 1}, ZendeskRateLimited),
        ({"rate_429": 1.0, "retry_after": 90}, ZendeskRateLimited),
    ],
    ids=["503", "500", "malformed", "slow", "429-short", "429-long"],
)
async def test_total_failure_gives_the_typed_error_in_bounded_time(
    demo: str, mid_org: int, faults: dict[str, Any], error: type[Exception]
) -> None:
    set_faults(demo, {**faults, "seed": 1})
    async with client(
        demo, timeout=0.3, max_attempts=4, max_retry_seconds=2.5, backoff_initial=0.1
    ) as zendesk:
        started = time.monotonic()
        with pytest.raises(error):
            await zendesk.fetch_organization_tickets(mid_org, updated_since=EPOCH)
        elapsed = time.monotonic() - started
    # max_retry_seconds bounds the retrying; one request timeout can come on top.
    assert elapsed < 2.5 + 0.3 + 0.5
    assert zendesk.stats.requests <= 4
