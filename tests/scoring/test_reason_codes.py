"""Each way a KPI can lack data carries a machine-readable code the app translates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from backend.scoring import OrganizationFacts, ScoringSettings, TicketFacts, compute_health

NOW = datetime(2026, 11, 1, tzinfo=UTC)


def _ticket(number: int, **values: object) -> TicketFacts:
    fields: dict[str, object] = {
        "id": number,
        "created_at": NOW - timedelta(days=1),
        "updated_at": NOW,
        "status": "open",
        **values,
    }
    return TicketFacts(**fields)  # type: ignore[arg-type]


def test_reason_codes_without_any_data() -> None:
    report = compute_health(OrganizationFacts(1, "Empty"), [], ScoringSettings(), NOW)
    codes = {k.key: k.detail["reason_code"] for k in report.kpis}
    assert codes == {
        "balance": "no_revenue",
        "feedback": "no_ratings",
        "touchpoints": "no_solved_with_metrics",
        "sla": "no_sla_times",
    }
    assert report.kpi("balance").detail["revenue_field"] == "annual_revenue"


def test_too_few_data_points_names_the_minimum() -> None:
    organization = OrganizationFacts(1, "Small", fields={"annual_revenue": 100_000})
    tickets = [_ticket(1, satisfaction="good"), _ticket(2, satisfaction="bad")]
    report = compute_health(organization, tickets, ScoringSettings(), NOW)
    feedback = report.kpi("feedback")
    assert feedback.value is None and feedback.sample_size == 2
    assert feedback.detail["reason_code"] == "too_few_data_points"
    assert feedback.detail["min_sample"] == 3
    assert report.kpi("balance").detail["reason_code"] == "too_few_data_points"
