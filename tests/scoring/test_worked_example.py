"""The worked example of docs/scoring.md, built exactly as documented, number by number."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from backend.cli import main
from backend.scoring import (
    HealthReport,
    OrganizationFacts,
    ScoringSettings,
    TicketFacts,
    compute_health,
)
from backend.scoring.portfolio import potential, weakest_kpi
from backend.scoring.recommendations import BUILT_IN

DOC = Path(__file__).resolve().parents[2] / "docs" / "scoring.md"
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
ACME = OrganizationFacts(
    42, "Acme Robotics", datetime(2025, 9, 1, tzinfo=UTC), {"annual_revenue": "3650"}
)
SETTINGS = ScoringSettings(time_spent_field_id=360001)

Metrics = tuple[int, int | None, int | None]  # replies, first reply, resolution (minutes)

# id, days ago, status, priority, CSAT, metrics (None: no metric set), time spent (seconds)
TABLE: list[tuple[int, int, str, str | None, str | None, Metrics | None, int | None]] = [
    (101, 80, "solved", "urgent", "good", (1, 45, 300), 2700),
    (102, 75, "solved", "high", "good", (1, 200, 1500), None),
    (103, 60, "closed", "normal", "good_with_comment", (0, None, 600), None),
    (104, 52, "solved", None, "good", (1, 500, 2000), None),
    (105, 45, "solved", "low", "bad_with_comment", (3, 1000, 7000), 25200),
    (106, 30, "solved", "normal", None, (2, 300, 2500), 0),
    (107, 21, "closed", "normal", "offered", (1, 100, 1000), None),
    (108, 14, "solved", "high", "unoffered", (1, 120, 1200), None),
    (109, 5, "open", "normal", None, None, None),
    (110, 2, "pending", "urgent", None, (2, 30, None), None),
    (99, 120, "closed", "normal", "bad", (6, 5000, 20000), 100000),
]


def documented_tickets() -> list[TicketFacts]:
    tickets = []
    for ticket_id, days_ago, status, priority, csat, metrics, seconds in TABLE:
        created = NOW - timedelta(days=days_ago)
        replies, reply, resolution = metrics or (None, None, None)
        tickets.append(
            TicketFacts(
                id=ticket_id,
                created_at=created,
                updated_at=created + timedelta(days=1),
                status=status,
                priority=priority,
                satisfaction=csat,
                has_metrics=metrics is not None,
                replies=replies,
                reply_minutes=reply,
                resolution_minutes=resolution,
                custom_fields={} if seconds is None else {360001: seconds},
            )
        )
    return tickets


@pytest.fixture(scope="module")
def report() -> HealthReport:
    return compute_health(ACME, documented_tickets(), SETTINGS, NOW)


def test_window_starts_where_documented() -> None:
    assert NOW - timedelta(days=90) == datetime(2026, 3, 3, 12, 0, tzinfo=UTC)


def test_feedback(report: HealthReport) -> None:
    kpi = report.kpi("feedback")
    assert kpi.detail == {"good": 4, "bad": 1}
    assert (kpi.value, kpi.sample_size) == (80.0, 5)
    assert (kpi.score, kpi.colour, kpi.weight) == (pytest.approx(40.0), "yellow", 2)


def test_touchpoints(report: HealthReport) -> None:
    kpi = report.kpi("touchpoints")
    assert kpi.detail == {"one_touch": 6, "average_replies": 1.25}
    assert (kpi.value, kpi.sample_size) == (75.0, 8)
    assert (kpi.score, kpi.colour, kpi.weight) == (pytest.approx(87.5), "green", 1)


def test_sla(report: HealthReport) -> None:
    kpi = report.kpi("sla")
    assert kpi.detail == {
        "met": 12,
        "measured": 15,
        "first_reply": {"met": 6, "measured": 7},
        "resolution": {"met": 6, "measured": 8},
    }
    assert (kpi.value, kpi.sample_size) == (80.0, 15)
    assert (kpi.score, kpi.colour, kpi.weight) == (pytest.approx(25.0), "red", 3)


def test_balance(report: HealthReport) -> None:
    kpi = report.kpi("balance")
    assert kpi.detail["revenue"] == pytest.approx(900)
    assert kpi.detail["handle_hours"] == pytest.approx(9.75)
    assert kpi.detail["cost"] == pytest.approx(585)
    assert kpi.detail["tracked_tickets"] == 2
    assert kpi.value == pytest.approx(35.0)
    assert kpi.sample_size == 10
    assert (kpi.score, kpi.colour, kpi.weight) == (pytest.approx(50.0), "yellow", 2)


def test_health_goal_phase(report: HealthReport) -> None:
    assert report.score == pytest.approx(342.5 / 8)
    assert report.score == pytest.approx(42.8125)
    assert report.colour == "yellow"
    assert report.goal.target == 70
    assert report.goal.reached is False
    assert report.goal.gap == pytest.approx(27.1875)
    assert report.phase == "adoption"
    assert NOW - ACME.created_at == timedelta(days=273, hours=12)  # type: ignore[operator]


def test_recommendations(report: HealthReport) -> None:
    assert [(r.kpi, r.colour) for r in report.recommendations] == [
        ("sla", "red"),
        ("feedback", "yellow"),
        ("balance", "yellow"),
    ]
    assert report.recommendations[0].text == BUILT_IN["en"][("sla", "red")]


def test_portfolio_weakest_kpi_and_potential(report: HealthReport) -> None:
    weakest = weakest_kpi(report.kpis)
    assert weakest is not None and weakest.key == "sla"
    gain = potential(report.kpis, SETTINGS)
    assert gain == pytest.approx(3 * (70 - 25) / 8)
    assert gain == pytest.approx(16.875)
    assert report.score is not None and report.score + gain == pytest.approx(59.6875)


def test_documented_json_gives_the_same_report(
    report: HealthReport, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The `Try it` JSON in the doc, through the real CLI, matches the table-built report."""
    blocks = re.findall(r"```json\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
    assert len(blocks) == 1
    path = tmp_path / "acme.json"
    path.write_text(blocks[0], encoding="utf-8")
    code = main(["score", str(path), "--now", "2026-06-01T12:00:00Z", "--json"])
    captured = capsys.readouterr()
    assert code == 0
    assert captured.err == ""
    assert json.loads(captured.out) == json.loads(json.dumps(report.to_dict()))
