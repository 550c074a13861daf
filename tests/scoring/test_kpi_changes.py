"""What changed: KPI deltas and their effect on the score, largest first."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.scoring import KpiResult
from backend.scoring.health import weighted_health
from backend.scoring.kpi_changes import kpi_changes

KPIS = ("balance", "feedback", "touchpoints", "sla")
DEFAULT_WEIGHTS = {"balance": 2.0, "feedback": 2.0, "touchpoints": 1.0, "sla": 3.0}


def results(
    scores: dict[str, float | None], weights: dict[str, float] = DEFAULT_WEIGHTS
) -> list[KpiResult]:
    return [
        KpiResult(k, scores.get(k), "%", scores.get(k), "grey", weights[k], 10, {}) for k in KPIS
    ]


def test_the_documented_example() -> None:
    # docs/api.md: sla from 62 to 41 with weight 3 of 8 moves the score by 3 · −21 / 8.
    now = results({"balance": 50.0, "feedback": 40.0, "touchpoints": 87.5, "sla": 41.0})
    then = {"balance": 50.0, "feedback": 45.0, "touchpoints": 80.0, "sla": 62.0}
    changes = kpi_changes(now, then)
    assert [c.to_dict() for c in changes] == [
        {"key": "sla", "from": 62.0, "to": 41.0, "delta": -21.0, "effect": pytest.approx(-7.875)},
        {
            "key": "feedback",
            "from": 45.0,
            "to": 40.0,
            "delta": -5.0,
            "effect": pytest.approx(-1.25),
        },
        {
            "key": "touchpoints",
            "from": 80.0,
            "to": 87.5,
            "delta": 7.5,
            "effect": pytest.approx(0.9375),
        },
    ]  # balance did not move


def test_no_baseline_means_no_changes() -> None:
    assert kpi_changes(results({"sla": 10.0}), None) == ()


def test_kpis_without_a_score_then_or_now_or_without_weight_are_left_out() -> None:
    now = results({"balance": 10.0, "feedback": None, "touchpoints": 90.0, "sla": 50.0},
                  {"balance": 2.0, "feedback": 2.0, "touchpoints": 0.0, "sla": 3.0})  # fmt: skip
    then = {"balance": None, "feedback": 70.0, "touchpoints": 10.0, "sla": 40.0}
    changes = kpi_changes(now, then)
    # Counted today: balance (2) and sla (3); only sla has a baseline score.
    assert [(c.key, c.effect) for c in changes] == [("sla", pytest.approx(3 * 10 / 5))]


scores = st.floats(0, 100)
weights = st.sampled_from([0.0, 1.0, 2.0, 3.0]) | st.floats(0.01, 10)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(scores, scores, weights), min_size=4, max_size=4),
)
def test_effects_add_up_to_the_score_change_when_the_same_kpis_count(
    rows: list[tuple[float, float, float]],
) -> None:
    weight = {k: w for k, (_, _, w) in zip(KPIS, rows, strict=True)}
    now = results({k: after for k, (_, after, _) in zip(KPIS, rows, strict=True)}, weight)
    then = results({k: before for k, (before, _, _) in zip(KPIS, rows, strict=True)}, weight)
    changes = kpi_changes(now, {k.key: k.score for k in then})
    health_now, health_then = weighted_health(now), weighted_health(then)
    if health_now is None or health_then is None:
        assert changes == ()
        return
    assert sum(c.effect for c in changes) == pytest.approx(health_now - health_then, abs=1e-9)
    effects = [abs(c.effect) for c in changes]
    assert effects == sorted(effects, reverse=True)
    assert all(c.delta == c.after - c.before != 0 for c in changes)
