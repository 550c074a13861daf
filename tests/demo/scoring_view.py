"""Scoring the demo's Zendesk JSON with the product's parser and scoring core (colour spread)."""

from __future__ import annotations

from datetime import datetime

from backend.demo.dataset import DemoAccount
from backend.scoring import HealthReport, ScoringSettings, compute_health
from backend.zendesk.parse import parse_organization, parse_ticket


def score_organization(
    account: DemoAccount, organization_id: int, settings: ScoringSettings, now: datetime
) -> HealthReport:
    tickets = [
        parse_ticket(account.ticket_json(r), account.metric_set(r))
        for r in account.ticket_records(organization_id)
    ]
    organization = parse_organization(account.organization(organization_id))
    return compute_health(organization, tickets, settings, now)
