"""delta_30d and history from daily snapshots (DESIGN §6, Trend)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from backend.scoring import KpiResult, Snapshot, trend

TODAY = date(2026, 6, 1)


def snap(days_ago: int, score: float | None) -> Snapshot:
    return Snapshot(TODAY - timedelta(days=days_ago), score)


@pytest.mark.parametrize(("days_ago", "expected"), [(30, 10.0), (37, 10.0), (38, None)])
def test_delta_needs_a_snapshot_between_30_and_37_days_old(
    days_ago: int, expected: float | None
) -> None:
    result = trend(60.0, [snap(days_ago, 50.0)], TODAY)
    assert result.delta_30d == expected


def test_delta_ignores_snapshots_younger_than_30_days() -> None:
    assert trend(60.0, [snap(29, 10.0), snap(0, 20.0)], TODAY).delta_30d is None


def test_delta_uses_latest_snapshot_at_least_30_days_old() -> None:
    snapshots = [snap(36, 40.0), snap(31, 55.0), snap(33, 45.0), snap(10, 0.0)]
    assert trend(60.0, snapshots, TODAY).delta_30d == pytest.approx(5.0)


def test_delta_negative_when_score_dropped() -> None:
    assert trend(63.4, [snap(30, 67.5)], TODAY).delta_30d == pytest.approx(-4.1)


def test_delta_null_without_current_score() -> None:
    assert trend(None, [snap(30, 50.0)], TODAY).delta_30d is None


def test_snapshot_without_score_is_skipped_as_baseline() -> None:
    assert trend(60.0, [snap(30, None)], TODAY).delta_30d is None
    assert trend(60.0, [snap(30, None), snap(35, 45.0)], TODAY).delta_30d == pytest.approx(15.0)


def test_history_is_last_90_days_oldest_first() -> None:
    snapshots = [snap(0, 1.0), snap(91, 2.0), snap(90, 3.0), snap(45, None), snap(-1, 4.0)]
    result = trend(1.0, snapshots, TODAY)
    assert [s.day for s in result.history] == [
        TODAY - timedelta(days=90),
        TODAY - timedelta(days=45),
        TODAY,
    ]
    assert result.to_dict()["history"][0] == {"date": "2026-03-03", "score": 3.0}


def kpi(key: str, score: float | None, weight: float) -> KpiResult:
    return KpiResult(key, None, "%", score, "yellow", weight, 5)


def test_kpi_changes_compare_today_with_the_baseline_of_the_delta() -> None:
    today = (kpi("sla", 40.0, 3), kpi("feedback", 80.0, 1))
    snapshots = [
        Snapshot(TODAY - timedelta(days=31), 60.0, {"sla": 70.0, "feedback": 80.0}),
        Snapshot(TODAY - timedelta(days=20), 10.0, {"sla": 0.0, "feedback": 0.0}),
    ]
    result = trend(50.0, snapshots, TODAY, today)
    assert result.delta_30d == pytest.approx(-10.0)
    # sla: −30 points at weight 3 of 4 moved the score by −22.5; feedback did not move.
    assert [c.to_dict() for c in result.kpi_changes] == [
        {"key": "sla", "from": 70.0, "to": 40.0, "delta": -30.0, "effect": -22.5}
    ]


def test_no_kpi_changes_without_a_baseline() -> None:
    result = trend(50.0, [snap(10, 40.0)], TODAY, (kpi("sla", 40.0, 3),))
    assert result.kpi_changes == ()
    assert result.to_dict()["kpi_changes"] == []
