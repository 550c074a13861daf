"""The account sync end to end: the demo Zendesk over HTTP, the real backend, a real database.

The store holds the whole account (archived tickets too), every setting is applied when
scoring, and a sidebar request for a synced organization never waits on Zendesk.
"""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from backend.demo import BackgroundServer, DemoAccount
from backend.scoring import HealthReport

from .support import (
    BackendFactory,
    bearer,
    core_report,
    demo_requests,
    get_health,
    sign,
    wait_for_sync,
)

ADMIN = bearer("demo-oauth-token")
INSTALLATION = 1001


def assert_matches(body: dict[str, Any], expected: HealthReport) -> None:
    assert body["colour"] == expected.colour
    if expected.score is None:
        assert body["score"] is None
    else:
        assert body["score"] == pytest.approx(expected.score, abs=1e-9)
    for kpi, want in zip(body["kpis"], expected.kpis, strict=True):
        assert (kpi["key"], kpi["sample_size"], kpi["colour"]) == (
            want.key,
            want.sample_size,
            want.colour,
        )


def test_every_organization_answers_at_once_with_the_whole_history(
    synced: BackendFactory, zendesk: BackgroundServer, account: DemoAccount, settings_of: Any
) -> None:
    # 365 days reach far past Zendesk's archive (tickets closed 120+ days ago), which the
    # organization ticket lists leave out and the incremental export keeps.
    settings = settings_of(window_days="365")
    backend = synced()
    httpx.post(f"{zendesk.url}/_demo/requests/reset")
    colours = set()
    for organization_id in account.organization_ids:
        response = get_health(backend, organization_id)
        assert response.status_code == 200, response.text  # never 202: the store has it
        body = response.json()
        assert_matches(body, core_report(account, organization_id, settings))
        assert body["window_days"] == 365 and body["stale"] is False
        colours.add(body["colour"])
    assert {"green", "yellow", "red"} <= colours
    # Answering every organization asked Zendesk for nothing but (perhaps) the settings.
    calls = demo_requests(zendesk)
    asked = {k for k in calls if "installations" not in k and "incremental" not in k}
    assert asked == set()


def test_the_first_pass_costs_one_call_per_thousand_tickets(
    synced: BackendFactory, zendesk: BackgroundServer, account: DemoAccount
) -> None:
    httpx.post(f"{zendesk.url}/_demo/requests/reset")
    synced(sync_interval_seconds=3600)
    calls = demo_requests(zendesk)
    tickets = sum(len(account.ticket_records(i)) for i in account.organization_ids)
    pages = calls["GET /api/v2/incremental/tickets/cursor"]
    assert math.ceil(tickets / 1000) <= pages <= math.ceil(tickets / 1000) + 1
    assert calls["GET /api/v2/incremental/organizations"] == 1
    # No per-organization calls at all: the export brings every ticket with its metric set.
    per_organization = ("GET /api/v2/organizations/", "GET /api/v2/tickets/")
    assert not [k for k in calls if k.startswith(per_organization)]


def test_a_setting_change_rescores_from_the_store_with_zero_zendesk_calls(
    synced: BackendFactory, zendesk: BackgroundServer, account: DemoAccount, settings_of: Any
) -> None:
    backend = synced(sync_interval_seconds=3600, settings_cache_seconds=0.2)
    organization_id = account.organization_ids[3]
    assert get_health(backend, organization_id).status_code == 200
    httpx.post(f"{zendesk.url}/_demo/requests/reset")
    for change in (
        {"window_days": "400"},
        {"time_spent_field_id": "", "minutes_per_ticket": "45"},
        {"weight_sla": "0", "weight_feedback": "3", "green_threshold": "60"},
        {"sla_first_reply_targets": "urgent:30,high:60,normal:120,low:240"},
    ):
        settings = settings_of(**change)
        expected = core_report(account, organization_id, settings)
        deadline = datetime.now(UTC).timestamp() + 10
        while True:  # the settings cache notices the change within its TTL
            body = get_health(backend, organization_id).json()
            if body["score"] == pytest.approx(expected.score, abs=1e-9):
                break
            assert datetime.now(UTC).timestamp() < deadline, (change, body["score"])
        assert_matches(body, expected)
    backend_calls = {k for k in demo_requests(zendesk) if k.startswith("GET ")}  # not our PUTs
    assert backend_calls == {"GET /api/v2/apps/installations"}  # zero ticket or org calls


def _post(zendesk: BackgroundServer, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = httpx.post(f"{zendesk.url}{path}", headers=ADMIN, json=body)
    assert response.status_code in (200, 201), response.text
    result: dict[str, Any] = response.json()
    return result


def test_changes_in_zendesk_reach_the_store(
    synced: BackendFactory, zendesk: BackgroundServer, account: DemoAccount
) -> None:
    backend = synced()
    source = account.organization_ids[4]
    before = get_health(backend, source).json()
    tickets = account.ticket_records(source)
    # Solved, not closed: closed ones may be archived, and Zendesk cannot change those.
    solved = [r for r in tickets if r.status == "solved"][:2]
    reopened, deleted = solved[0].id, solved[1].id
    created = _post(
        zendesk,
        "/api/v2/tickets",
        {"ticket": {"organization_id": source, "status": "open", "priority": "urgent"}},
    )["ticket"]["id"]
    reopen = httpx.put(
        f"{zendesk.url}/api/v2/tickets/{reopened}",
        headers=ADMIN,
        json={"ticket": {"status": "open"}},
    )
    assert reopen.status_code == 200
    removed = httpx.delete(f"{zendesk.url}/api/v2/tickets/{deleted}", headers=ADMIN)
    assert removed.status_code == 204
    new_org = _post(zendesk, "/api/v2/organizations", {"organization": {"name": "Newcomer"}})
    new_id = new_org["organization"]["id"]
    changed_at = datetime.now(UTC).isoformat()
    wait_for_sync(backend, after=changed_at)

    ids = _stored_ticket_ids(backend, source)
    assert created in ids and reopened in ids and deleted not in ids
    with _engine(backend).connect() as connection:
        status = connection.execute(
            sa.text("SELECT status FROM ticket_facts WHERE ticket_id = :t"), {"t": reopened}
        ).scalar_one()
    assert status == "open"
    after = get_health(backend, source).json()
    # Balance counts every ticket of the window: one created, one deleted (if in the window).
    window_start = datetime.now(UTC).timestamp() - 90 * 86400
    in_window = next(r for r in tickets if r.id == deleted).created_at >= window_start
    samples = [{k["key"]: k for k in b["kpis"]}["balance"]["sample_size"] for b in (before, after)]
    assert samples[1] == samples[0] + 1 - in_window
    newcomer = get_health(backend, new_id)
    assert newcomer.status_code == 200 and newcomer.json()["organization"]["name"] == "Newcomer"

    assert (
        httpx.delete(f"{zendesk.url}/api/v2/organizations/{new_id}", headers=ADMIN).status_code
        == 204
    )
    wait_for_sync(backend, after=datetime.now(UTC).isoformat())
    assert _stored_organization_ids(backend).isdisjoint({new_id})


def _engine(backend: BackgroundServer) -> sa.Engine:
    engine: sa.Engine = backend.app.state.repository.engine
    return engine


def _stored_ticket_ids(backend: BackgroundServer, organization_id: int) -> set[int]:
    with _engine(backend).connect() as connection:
        rows = connection.execute(
            sa.text("SELECT ticket_id FROM ticket_facts WHERE organization_id = :o"),
            {"o": organization_id},
        )
        return {r[0] for r in rows}


def _stored_organization_ids(backend: BackgroundServer) -> set[int]:
    with _engine(backend).connect() as connection:
        return {
            r[0] for r in connection.execute(sa.text("SELECT organization_id FROM organizations"))
        }


def test_every_organization_gets_todays_snapshot_without_a_request(
    synced: BackendFactory, account: DemoAccount
) -> None:
    backend = synced()
    today = datetime.now(UTC).date()
    deadline = datetime.now(UTC).timestamp() + 20
    while True:
        with _engine(backend).connect() as connection:
            rows = connection.execute(
                sa.text("SELECT organization_id, settings FROM snapshots WHERE day = :d"),
                {"d": today},
            ).all()
        if {r[0] for r in rows} >= set(account.organization_ids):
            break
        assert datetime.now(UTC).timestamp() < deadline, len(rows)
    assert len({r[1] for r in rows}) == 1  # one installation, one set of settings


def test_snapshots_of_other_settings_never_overwrite_each_other(
    synced: BackendFactory, zendesk: BackgroundServer, account: DemoAccount
) -> None:
    backend = synced(sync_interval_seconds=3600)
    second = _post(
        zendesk,
        "/api/v2/apps/installations",
        {
            "app_id": _app_id(zendesk),
            "settings": {
                "backend_url": "https://x",
                "green_threshold": "20",
                "red_threshold": "10",
                "weight_sla": "0",
            },
        },
    )
    try:
        organization_id = account.organization_ids[2]
        first = get_health(backend, organization_id, sign(installation_id=INSTALLATION)).json()
        other = _wait_ok(backend, organization_id, sign(installation_id=second["id"]))
        again = get_health(backend, organization_id, sign(installation_id=INSTALLATION)).json()
        assert other["score"] != first["score"]
        assert again["score"] == first["score"]
        with _engine(backend).connect() as connection:
            rows = connection.execute(
                sa.text(
                    "SELECT settings, score FROM snapshots WHERE organization_id = :o AND day = :d"
                ),
                {"o": organization_id, "d": datetime.now(UTC).date()},
            ).all()
        assert sorted(r[1] for r in rows) == sorted([first["score"], other["score"]])
    finally:
        httpx.delete(f"{zendesk.url}/api/v2/apps/installations/{second['id']}", headers=ADMIN)


def _app_id(zendesk: BackgroundServer) -> int:
    installations = httpx.get(f"{zendesk.url}/api/v2/apps/installations", headers=ADMIN).json()
    return int(next(i["app_id"] for i in installations["installations"] if i["id"] == INSTALLATION))


def _wait_ok(backend: BackgroundServer, organization_id: int, token: str) -> dict[str, Any]:
    # A new installation is found when the list is read again: within 10 s of the last read.
    deadline = datetime.now(UTC).timestamp() + 20
    while True:
        response = get_health(backend, organization_id, token)
        if response.status_code == 200:
            body: dict[str, Any] = response.json()
            return body
        assert datetime.now(UTC).timestamp() < deadline, response.text


def test_the_installation_claim_only_picks_among_the_accounts_installations(
    synced: BackendFactory, zendesk: BackgroundServer, account: DemoAccount
) -> None:
    backend = synced(sync_interval_seconds=3600, settings_cache_seconds=30)
    organization_id = account.organization_ids[1]
    with_claim = get_health(backend, organization_id, sign(installation_id=INSTALLATION)).json()
    without = get_health(backend, organization_id, sign(drop=("installation_id",)))
    assert without.status_code == 200 and without.json()["score"] == with_claim["score"]

    bogus_ids = (_other_app_installation(zendesk), 987654)
    for bogus in bogus_ids:  # the first sight of an unknown id may re-read the list, once
        assert get_health(backend, organization_id, sign(installation_id=bogus)).status_code == 401
    httpx.post(f"{zendesk.url}/_demo/requests/reset")
    for _ in range(5):  # another app's installation, or none at all
        for bogus in bogus_ids:
            refused = get_health(backend, organization_id, sign(installation_id=bogus))
            assert refused.status_code == 401
            assert refused.json()["code"] == "unknown_installation"
    # Remembered: repeating unknown ids cost Zendesk nothing within the settings' TTL.
    assert demo_requests(zendesk) == {}

    second = _post(
        zendesk,
        "/api/v2/apps/installations",
        {"app_id": _app_id(zendesk), "settings": {"backend_url": "https://x"}},
    )
    try:
        # A process reads the account's installations again within SETTINGS_CACHE_SECONDS.
        backend_fresh = synced(sync_interval_seconds=3600, settings_cache_seconds=0.5)
        time.sleep(0.6)
        ambiguous = get_health(backend_fresh, organization_id, sign(drop=("installation_id",)))
        assert ambiguous.status_code == 401 and ambiguous.json()["code"] == "unknown_installation"
        assert "2 installations" in ambiguous.json()["detail"]
    finally:
        httpx.delete(f"{zendesk.url}/api/v2/apps/installations/{second['id']}", headers=ADMIN)


def _other_app_installation(zendesk: BackgroundServer) -> int:
    installations = httpx.get(f"{zendesk.url}/api/v2/apps/installations", headers=ADMIN).json()
    ours = _app_id(zendesk)
    return int(next(i["id"] for i in installations["installations"] if i["app_id"] != ours))
