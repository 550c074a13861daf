"""Small builders for scoring tests: tickets and organizations relative to one fixed clock."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from backend.scoring import Goal, OrganizationFacts, ScoringSettings, TicketFacts
from backend.scoring.kpis import colour_for
from backend.scoring.portfolio import PortfolioRow
from backend.scoring.report import Phase
from backend.scoring.settings import KPI_KEYS

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
# The time-tracking field of these tests; settings name it in `time_spent_field_id`.
TIME_FIELD = 360000001

_next_id = iter(range(1, 10**9))


def ticket(
    *,
    days_ago: float = 1,
    status: str = "solved",
    priority: str | None = "normal",
    satisfaction: str | None = None,
    replies: int | None = None,
    reply_minutes: int | None = None,
    resolution_minutes: int | None = None,
    handle_seconds: int | None = None,
    metrics: bool | None = None,
) -> TicketFacts:
    """A ticket created `days_ago` before NOW; it has metrics when any metric is given.

    `handle_seconds` is the ticket's value of the time field TIME_FIELD."""
    created = NOW - timedelta(days=days_ago)
    if metrics is None:
        metrics = any(v is not None for v in (replies, reply_minutes, resolution_minutes))
    return TicketFacts(
        id=next(_next_id),
        created_at=created,
        updated_at=created,
        status=status,
        priority=priority,
        satisfaction=satisfaction,
        has_metrics=metrics,
        replies=replies,
        reply_minutes=reply_minutes,
        resolution_minutes=resolution_minutes,
        custom_fields={} if handle_seconds is None else {TIME_FIELD: handle_seconds},
    )


def rated(*scores: str | None) -> list[TicketFacts]:
    return [ticket(satisfaction=score) for score in scores]


def organization(
    revenue: object = None, *, age_days: float | None = 200, field: str = "annual_revenue"
) -> OrganizationFacts:
    fields: Mapping[str, object] = {} if revenue is None else {field: revenue}
    created = None if age_days is None else NOW - timedelta(days=age_days)
    return OrganizationFacts(42, "Acme", created, fields)


def row(
    org_id: int,
    *,
    score: float | None,
    name: str | None = None,
    potential: float | None = None,
    goal: Goal | None = None,
    phase: Phase | None = "adoption",
    delta_30d: float | None = None,
    kpis: Mapping[str, float | None] | None = None,
    weakest_kpi: str | None = None,
    churned: bool = False,
) -> PortfolioRow:
    """A portfolio row with default settings' colours and goal (70) unless given."""
    settings = ScoringSettings()
    if goal is None:
        target = settings.goal_score
        goal = (
            Goal(target, None, None)
            if score is None
            else Goal(target, score >= target, target - score)
        )
    return PortfolioRow(
        id=org_id,
        name=f"Org {org_id}" if name is None else name,
        score=score,
        colour=colour_for(score, settings),
        delta_30d=delta_30d,
        phase=phase,
        goal=goal,
        weakest_kpi=weakest_kpi,
        kpis=dict.fromkeys(KPI_KEYS) if kpis is None else kpis,
        potential=(None if score is None else 0.0) if potential is None else potential,
        churned=churned,
    )
