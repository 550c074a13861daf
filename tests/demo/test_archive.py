"""Archiving like Zendesk: tickets closed more than 120 days ago leave lists, counts and show,
and stay in the incremental export."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from backend.demo import DemoAccount
from backend.demo.ticket_json import iso

from .conftest import DAY


@pytest.fixture(scope="module")
def exported(small_api: httpx.Client) -> list[dict[str, Any]]:
    """Every ticket of the small account's export, its metric set attached."""
    tickets: list[dict[str, Any]] = []
    url = "/api/v2/incremental/tickets/cursor.json?start_time=0&include=metric_sets"
    while True:
        body = small_api.get(url).json()
        metric_sets = {m["ticket_id"]: m for m in body["metric_sets"]}
        tickets.extend({**t, "metric_set": metric_sets.get(t["id"])} for t in body["tickets"])
        if body["end_of_stream"]:
            return tickets
        url = body["after_url"]


def _listed(api: httpx.Client, organization_id: int) -> list[dict[str, Any]]:
    tickets: list[dict[str, Any]] = []
    url = f"/api/v2/organizations/{organization_id}/tickets.json?page[size]=100"
    while True:
        body = api.get(url).json()
        tickets.extend(body["tickets"])
        if not body["meta"]["has_more"]:
            return tickets
        url = body["links"]["next"]


def test_old_closed_tickets_are_archived(
    small_api: httpx.Client, small_account: DemoAccount, exported: list[dict[str, Any]]
) -> None:
    org_id = max(small_account.organization_ids, key=small_account.ticket_count)
    cutoff = small_account.anchor - 120 * DAY
    exported = [t for t in exported if t["organization_id"] == org_id]
    listed = _listed(small_api, org_id)
    count = small_api.get(f"/api/v2/organizations/{org_id}/tickets/count").json()["count"]

    archived = [
        t for t in exported if t["status"] == "closed" and t["generated_timestamp"] < cutoff
    ]
    assert len(exported) == small_account.ticket_count(org_id)
    assert archived and all(t["metric_set"] for t in archived[:50])  # metric sets are kept
    assert {t["id"] for t in listed} == {t["id"] for t in exported} - {t["id"] for t in archived}
    assert count["value"] == len(listed)
    # Old tickets that are not closed (forgotten on hold) are not archived.
    assert any(t["created_at"] < archived[-1]["created_at"] for t in listed)

    old = archived[0]["id"]
    assert small_api.get(f"/api/v2/tickets/{old}.json").status_code == 404
    assert small_api.get(f"/api/v2/tickets/{old}/metrics.json").status_code == 404
    recent = next(t for t in listed if t["status"] == "closed")
    assert small_api.get(f"/api/v2/tickets/{recent['id']}.json").status_code == 200
    assert small_api.get(f"/api/v2/tickets/{recent['id']}/metrics.json").status_code == 200


def test_a_year_window_differs_between_the_list_and_the_export(
    small_api: httpx.Client, small_account: DemoAccount, exported: list[dict[str, Any]]
) -> None:
    """Why the sync reads the export: a 365-day window is far from complete in the list."""
    since = small_account.anchor - 365 * DAY
    for org_id in small_account.organization_ids:
        start = iso(since)
        listed = [t for t in _listed(small_api, org_id) if t["created_at"] >= start]
        complete = [t for t in exported if t["organization_id"] == org_id]
        in_window = [t for t in complete if t["created_at"] >= start]
        assert {t["id"] for t in listed} <= {t["id"] for t in in_window}
        profile = small_account.demo_organization(org_id).profile
        assert profile is not None
        if profile.age_days > 365 and in_window:
            # A long-standing customer's year: the list holds about its last third.
            assert len(listed) < 0.6 * len(in_window), org_id


def test_archived_and_deleted_tickets_cannot_be_changed(
    small_api: httpx.Client, small_account: DemoAccount
) -> None:
    org_id = small_account.organization_ids[0]
    archived = next(r for r in small_account.ticket_records(org_id) if small_account.is_archived(r))
    update = {"ticket": {"status": "open"}}
    assert small_api.put(f"/api/v2/tickets/{archived.id}", json=update).status_code == 404
    assert small_api.delete(f"/api/v2/tickets/{archived.id}").status_code == 404
