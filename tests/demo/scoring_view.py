"""Scoring the demo's Zendesk JSON with the product's scoring core (for the colour-spread test)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from backend.demo.dataset import DemoAccount
from backend.demo.tickets import TIME_SPENT_FIELD_ID
from backend.scoring import (
    HealthReport,
    OrganizationFacts,
    ScoringSettings,
    TicketFacts,
    compute_health,
)


def _time(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value.replace("Z", "+00:00"))


def ticket_facts(ticket: Mapping[str, Any], metric_set: Mapping[str, Any] | None) -> TicketFacts:
    rating = ticket.get("satisfaction_rating") or {}
    handle = None
    for field in ticket.get("custom_fields", []):
        if field["id"] == TIME_SPENT_FIELD_ID and field["value"] not in (None, ""):
            handle = int(field["value"])
    created = _time(ticket["created_at"])
    updated = _time(ticket["updated_at"])
    assert created is not None and updated is not None
    metrics: dict[str, Any] = {}
    if metric_set is not None:
        metrics = {
            "has_metrics": True,
            "replies": metric_set["replies"],
            "reply_minutes": metric_set["reply_time_in_minutes"]["business"],
            "resolution_minutes": metric_set["full_resolution_time_in_minutes"]["business"],
        }
    return TicketFacts(
        id=ticket["id"],
        created_at=created,
        updated_at=updated,
        status=ticket["status"],
        priority=ticket["priority"],
        satisfaction=rating.get("score"),
        handle_seconds=handle,
        **metrics,
    )


def organization_facts(organization: Mapping[str, Any]) -> OrganizationFacts:
    return OrganizationFacts(
        id=organization["id"],
        name=organization["name"],
        created_at=_time(organization["created_at"]),
        fields=organization["organization_fields"],
    )


def score_organization(
    account: DemoAccount, organization_id: int, settings: ScoringSettings, now: datetime
) -> HealthReport:
    tickets = [
        ticket_facts(account.ticket_json(r), account.metric_set(r))
        for r in account.ticket_records(organization_id)
    ]
    org = organization_facts(account.organization(organization_id))
    return compute_health(org, tickets, settings, now)
