"""The sidebar endpoint end to end: real backend, real demo Zendesk, real database.

These run with the account sync off: every organization goes the per-organization fallback
(DESIGN §8), which is also what a sidebar gets before the sync's first pass has finished.
The synced path has its own tests in test_account_sync.py."""

from __future__ import annotations

import asyncio
import math
import time
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi import Request
from fastapi.responses import JSONResponse

from backend.demo import BackgroundServer, DemoAccount, RateLimits, create_demo_zendesk
from backend.scoring import HealthReport, ScoringSettings, compute_health
from backend.zendesk.parse import parse_organization, parse_ticket

from .support import BackendFactory, bearer, demo_requests, get_health, sign

NO_TICKETS = 360100000010
NO_CSAT = 360100000007
NO_REVENUE = 360100000009
BIG = 360100000020
SMALL = 360100000011


def core_report(account: DemoAccount, organization_id: int) -> HealthReport:
    """The scoring core run directly on the demo's own data: what the API must agree with."""
    settings, _ = ScoringSettings.from_zendesk(account.installation["settings"])
    organization = parse_organization(account.organization(organization_id))
    tickets = [parse_ticket(t, account.metric_set(t)) for t in account.tickets(organization_id)]
    return compute_health(organization, tickets, settings, datetime.now(UTC))


def _settled(backend: BackgroundServer, organization_id: int) -> dict[str, Any]:
    """The answer once no refresh runs any more (a stored organization never waits for one)."""
    deadline = time.monotonic() + 30
    while True:
        body = _ok(get_health(backend, organization_id))
        if not body["refreshing"]:
            return body
        assert time.monotonic() < deadline, body
        time.sleep(0.1)


def _ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_every_colour_matches_the_scoring_core(
    backend: BackgroundServer, account: DemoAccount
) -> None:
    colours = set()
    for organization_id in account.organization_ids:
        body = _ok(get_health(backend, organization_id))
        expected = core_report(account, organization_id)
        assert body["organization"]["id"] == organization_id
        assert body["colour"] == expected.colour
        if expected.score is None:
            assert body["score"] is None
        else:
            assert body["score"] == pytest.approx(expected.score, abs=1e-9)
        assert [k["key"] for k in body["kpis"]] == ["balance", "feedback", "touchpoints", "sla"]
        for kpi, want in zip(body["kpis"], expected.kpis, strict=True):
            assert kpi["sample_size"] == want.sample_size
            assert kpi["colour"] == want.colour
        assert [r["kpi"] for r in body["recommendations"]] == [
            r.kpi for r in expected.recommendations
        ]
        assert body["stale"] is False
        colours.add(body["colour"])
    assert {"green", "yellow", "red", "grey"} <= colours


def test_contract_fields_are_all_there(backend: BackgroundServer) -> None:
    body = _ok(get_health(backend, SMALL))
    for field in (
        "organization",
        "score",
        "colour",
        "kpis",
        "recommendations",
        "trend",
        "goal",
        "phase",
        "window_days",
        "computed_at",
        "data_as_of",
        "stale",
        "settings_warnings",
    ):
        assert field in body
    assert set(body["trend"]) == {"delta_30d", "history", "kpi_changes"}
    assert body["trend"]["history"][-1]["date"] == datetime.now(UTC).date().isoformat()
    assert body["trend"]["history"][-1]["score"] == body["score"]
    assert body["goal"]["target"] == 70
    assert body["goal"]["gap"] == pytest.approx(70 - body["score"])
    assert body["phase"] == "onboarding"
    assert datetime.fromisoformat(body["data_as_of"]) <= datetime.fromisoformat(body["computed_at"])


def test_organization_without_tickets_has_no_score(backend: BackgroundServer) -> None:
    body = _ok(get_health(backend, NO_TICKETS))
    assert body["score"] is None
    assert body["colour"] == "grey"
    assert body["recommendations"] == []
    assert body["goal"]["reached"] is None
    for kpi in body["kpis"]:
        assert kpi["value"] is None and kpi["score"] is None and kpi["colour"] == "grey"
        assert kpi["detail"]["reason"]


def test_a_kpi_without_data_gives_its_weight_to_the_others(backend: BackgroundServer) -> None:
    body = _ok(get_health(backend, NO_CSAT))
    kpis = {k["key"]: k for k in body["kpis"]}
    assert kpis["feedback"]["colour"] == "grey"
    assert "satisfaction" in kpis["feedback"]["detail"]["reason"]
    scored = [k for k in body["kpis"] if k["score"] is not None]
    expected = sum(k["weight"] * k["score"] for k in scored) / sum(k["weight"] for k in scored)
    assert body["score"] == pytest.approx(expected)

    no_revenue = {k["key"]: k for k in _ok(get_health(backend, NO_REVENUE))["kpis"]}
    assert no_revenue["balance"]["value"] is None
    assert "annual_revenue" in no_revenue["balance"]["detail"]["reason"]


def test_invalid_settings_are_reported_and_defaults_used(
    make_backend: BackendFactory, zendesk: BackgroundServer, account: DemoAccount
) -> None:
    url = f"{zendesk.url}/api/v2/apps/installations/1001"
    auth = bearer("demo-oauth-token")
    original = dict(account.installation["settings"])
    bad = {"weight_sla": "lots", "window_days": "5", "sla_first_reply_targets": "urgent:soon"}
    assert httpx.put(url, headers=auth, json={"settings": bad}).status_code == 200
    try:
        body = _ok(get_health(make_backend(), SMALL))
    finally:
        httpx.put(url, headers=auth, json={"settings": original})
    warnings = body["settings_warnings"]
    assert any(w.startswith("weight_sla:") and "'lots'" in w for w in warnings)
    assert any(w.startswith("window_days:") and "between 7 and 730" in w for w in warnings)
    assert any(w.startswith("sla_first_reply_targets:") for w in warnings)
    assert body["window_days"] == 90
    assert {k["key"]: k["weight"] for k in body["kpis"]}["sla"] == 3


def test_large_cold_organization_answers_202_then_200(
    make_backend: BackendFactory, account: DemoAccount, zendesk: BackgroundServer
) -> None:
    httpx.put(f"{zendesk.url}/_demo/faults", json={"rate_slow": 1.0, "slow_seconds": 0.05})
    backend = make_backend(cold_deadline_seconds=0.2)
    first = get_health(backend, BIG)
    assert first.status_code == 202, first.text
    assert first.json()["status"] == "computing"
    seen_totals = set()
    for _ in range(200):
        response = get_health(backend, BIG)
        if response.status_code == 200:
            break
        progress = response.json()["progress"]
        assert progress["total"] is None or progress["total"] >= progress["fetched"] >= 0
        seen_totals.add(progress["total"])
        time.sleep(0.1)
    else:
        pytest.fail("the cold organization never finished")
    # The all-time count is only an upper bound: the window (90 of ~540 days) holds far fewer
    # tickets, and the estimate from the pages read so far says so.
    known = {total for total in seen_totals if total is not None}
    assert known and max(known) <= account.ticket_count(BIG)
    assert min(known) < account.ticket_count(BIG) / 2
    assert response.json()["score"] == pytest.approx(core_report(account, BIG).score)


def test_concurrent_requests_share_one_fetch(
    make_backend: BackendFactory, zendesk: BackgroundServer
) -> None:
    backend = make_backend()

    async def burst() -> list[int]:
        async with httpx.AsyncClient(timeout=30) as client:
            responses = await asyncio.gather(
                *(
                    client.get(
                        f"{backend.url}/api/v1/organizations/{BIG}/health",
                        headers=bearer(sign()),
                    )
                    for _ in range(8)
                )
            )
        return [r.status_code for r in responses]

    assert asyncio.run(burst()) == [200] * 8
    counts = demo_requests(zendesk)
    assert counts[f"GET /api/v2/organizations/{BIG}"] == 1
    assert counts[f"GET /api/v2/organizations/{BIG}/tickets/count"] == 1
    pages = counts[f"GET /api/v2/organizations/{BIG}/tickets"]
    assert pages <= math.ceil(8000 / 100)


def test_within_freshness_zendesk_is_not_called_again(
    backend: BackgroundServer, zendesk: BackgroundServer
) -> None:
    first = _ok(get_health(backend, SMALL))
    before = sum(demo_requests(zendesk).values())
    second = _ok(get_health(backend, SMALL))
    assert sum(demo_requests(zendesk).values()) == before
    assert second["score"] == first["score"]
    assert second["data_as_of"] == first["data_as_of"]


def test_warm_refresh_fetches_only_new_tickets(
    make_backend: BackendFactory, zendesk: BackgroundServer
) -> None:
    backend = make_backend(freshness_seconds=3)
    organization_id = 360100000013
    before = {k["key"]: k for k in _ok(get_health(backend, organization_id))["kpis"]}
    httpx.post(f"{zendesk.url}/_demo/requests/reset")
    created = httpx.post(
        f"{zendesk.url}/api/v2/tickets",
        headers=bearer("demo-oauth-token"),
        json={
            "ticket": {
                "organization_id": organization_id,
                "status": "solved",
                "priority": "high",
                "satisfaction_rating": {"score": "good"},
                "metric_set": {
                    "replies": 1,
                    "reply_time_in_minutes": {"business": 5, "calendar": 5},
                    "full_resolution_time_in_minutes": {"business": 30, "calendar": 30},
                },
            }
        },
    )
    assert created.status_code == 201, created.text
    time.sleep(3.1)  # past the freshness: the next answer starts a warm refresh
    # The answer comes at once from the store while the refresh runs in the background.
    after = {k["key"]: k for k in _settled(backend, organization_id)["kpis"]}
    counts = demo_requests(zendesk)
    ticket_calls = {k: v for k, v in counts.items() if k.startswith("GET ") and "/tickets" in k}
    assert ticket_calls == {f"GET /api/v2/organizations/{organization_id}/tickets": 1}
    assert f"GET /api/v2/organizations/{organization_id}" not in counts
    assert after["feedback"]["sample_size"] == before["feedback"]["sample_size"] + 1
    assert after["touchpoints"]["sample_size"] == before["touchpoints"]["sample_size"] + 1
    assert after["sla"]["sample_size"] == before["sla"]["sample_size"] + 2


def test_zendesk_failure_answers_the_last_result_as_stale(
    make_backend: BackendFactory, zendesk: BackgroundServer
) -> None:
    backend = make_backend(freshness_seconds=0)
    fresh = _ok(get_health(backend, SMALL))
    httpx.put(f"{zendesk.url}/_demo/faults", json={"rate_503": 1.0})
    # The first answer after the failure starts a refresh and does not wait for it.
    stale = _settled(backend, SMALL)
    assert stale["stale"] is True
    assert stale["stale_code"] == "zendesk_unavailable"
    assert "503" in stale["stale_reason"] or "unavailable" in stale["stale_reason"].lower()
    assert stale["score"] == fresh["score"]
    assert stale["data_as_of"] == fresh["data_as_of"]
    # While Zendesk keeps failing, answers stay stale without hammering it.
    calls = sum(demo_requests(zendesk).values())
    assert _ok(get_health(backend, SMALL))["stale"] is True
    assert sum(demo_requests(zendesk).values()) == calls


@pytest.mark.parametrize(
    "faults", [{"rate_500": 1.0}, {"rate_malformed": 1.0}], ids=["500", "garbage"]
)
def test_nothing_stored_and_zendesk_down_is_503(
    make_backend: BackendFactory, zendesk: BackgroundServer, faults: dict[str, float]
) -> None:
    backend = make_backend()
    httpx.put(f"{zendesk.url}/_demo/faults", json=faults)
    response = get_health(backend, SMALL)
    assert response.status_code == 503
    assert "Zendesk" in response.json()["detail"]
    assert "Traceback" not in response.text


def test_bad_zendesk_credentials_name_the_setting(make_backend: BackendFactory) -> None:
    backend = make_backend(zendesk_oauth_token="wrong-token")
    response = get_health(backend, SMALL)
    assert response.status_code == 503
    assert response.json()["code"] == "zendesk_credentials"
    assert "ZENDESK_OAUTH_TOKEN" in response.json()["detail"]
    assert "wrong-token" not in response.text


def test_revoked_credentials_answer_stored_data_saying_who_must_act(
    make_backend: BackendFactory,
) -> None:
    """Refused credentials are a configuration problem, not an outage: the code says so."""
    _ok(get_health(make_backend(), SMALL))
    revoked = make_backend(zendesk_oauth_token="revoked-token", freshness_seconds=0)
    stale = _settled(revoked, SMALL)
    assert stale["stale"] is True
    assert stale["stale_code"] == "zendesk_credentials"
    assert "ZENDESK_OAUTH_TOKEN" in stale["stale_reason"]


def test_unknown_organization_is_404(backend: BackgroundServer) -> None:
    response = get_health(backend, 424242)
    assert response.status_code == 404
    assert "424242" in response.json()["detail"]


@pytest.mark.parametrize("bad_id", ["abc", "0", "-5", "1.5", str(2**64)])
def test_bad_organization_id_is_422(backend: BackgroundServer, bad_id: str) -> None:
    response = get_health(backend, bad_id)
    assert response.status_code == 422
    assert response.json()["detail"].startswith("organization_id:")


def test_bad_locale_is_422(backend: BackgroundServer) -> None:
    response = get_health(backend, SMALL, locale="<script>")
    assert response.status_code == 422
    assert response.json()["detail"].startswith("locale:")


def test_german_recommendations(backend: BackgroundServer) -> None:
    body = _ok(get_health(backend, BIG, locale="de-DE"))
    assert body["recommendations"]
    english = _ok(get_health(backend, BIG))["recommendations"]
    assert [r["kpi"] for r in body["recommendations"]] == [r["kpi"] for r in english]
    assert all(
        a["text"] != b["text"] for a, b in zip(body["recommendations"], english, strict=True)
    )


def test_cors_allows_zendesk_origins_only(backend: BackgroundServer) -> None:
    def preflight(origin: str) -> httpx.Response:
        return httpx.options(
            f"{backend.url}/api/v1/organizations/1/health",
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "authorization",
            },
        )

    for origin in ("https://acme.zendesk.com", "https://1234567.apps.zdusercontent.com"):
        response = preflight(origin)
        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == origin
    # zcli's local server only when CORS_EXTRA_ORIGINS names it (tests/security).
    for origin in ("https://evil.example", "http://localhost:4567"):
        assert "access-control-allow-origin" not in preflight(origin).headers
    assert "POST" not in preflight("https://acme.zendesk.com").headers.get(
        "access-control-allow-methods", ""
    )


def test_probes_and_docs(backend: BackgroundServer) -> None:
    assert httpx.get(f"{backend.url}/healthz").json() == {"status": "ok"}
    assert httpx.get(f"{backend.url}/readyz").json()["status"] == "ready"
    assert httpx.get(f"{backend.url}/docs").status_code == 200
    paths = httpx.get(f"{backend.url}/openapi.json").json()["paths"]
    assert "/api/v1/organizations/{organization_id}/health" in paths


def test_a_token_without_installation_gets_the_only_installation(
    backend: BackgroundServer,
) -> None:
    with_claim = _ok(get_health(backend, SMALL))
    without = _ok(get_health(backend, SMALL, sign(drop=("installation_id",))))
    assert without["score"] == with_claim["score"] and without["settings_warnings"] == []


def test_a_zendesk_that_cannot_count_still_syncs(
    make_backend: BackendFactory, account: DemoAccount
) -> None:
    """The ticket count only feeds the progress bar; without it the answer still comes."""
    app = create_demo_zendesk(account, rate_limits=RateLimits(account=100_000))

    @app.middleware("http")
    async def no_counts(request: Request, call_next: Any) -> Any:
        if request.url.path.endswith("/tickets/count"):
            return JSONResponse({"error": "InvalidEndpoint"}, status_code=404)
        return await call_next(request)

    with BackgroundServer(app) as counting_disabled:
        body = _ok(get_health(make_backend(zendesk_url=counting_disabled.url), SMALL))
    assert body["score"] == pytest.approx(core_report(account, SMALL).score)


def test_a_broken_database_is_503_not_500(
    make_backend: BackendFactory, database: tuple[str, str | None]
) -> None:
    backend = make_backend()
    url, schema = database
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    table = f'"{schema}".sync_state' if schema else "sync_state"
    with engine.begin() as connection:
        connection.execute(sa.text(f"DROP TABLE {table}"))
    engine.dispose()
    response = get_health(backend, SMALL)
    assert response.status_code == 503
    assert "database" in response.json()["detail"]
    assert "sync_state" not in response.text and "Traceback" not in response.text
