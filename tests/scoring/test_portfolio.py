"""The portfolio's distribution, weakest KPI, potential, rows and focus."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.scoring import KpiResult, OrganizationFacts, ScoringSettings, compute_health
from backend.scoring.health import recommendations, weighted_health
from backend.scoring.kpis import colour_for
from backend.scoring.portfolio import (
    Distribution,
    distribution,
    focus,
    portfolio_row,
    potential,
    weakest_kpi,
)
from backend.scoring.report import Goal

from .factories import NOW, organization, rated, row

DEFAULTS = ScoringSettings()
KPIS = ("balance", "feedback", "touchpoints", "sla")
FAST = settings(max_examples=200, deadline=None)


def results(
    scores: dict[str, float | None],
    weights: dict[str, float] | None = None,
    config: ScoringSettings = DEFAULTS,
) -> list[KpiResult]:
    weights = weights or {k: config.weight(k) for k in KPIS}
    return [
        KpiResult(k, scores.get(k), "%", scores.get(k), colour_for(scores.get(k), config),
                  weights[k], 10, {})
        for k in KPIS
    ]  # fmt: skip


# --- distribution ---------------------------------------------------------------------------


def test_distribution_counts_every_colour() -> None:
    counted = distribution(["green", "red", "grey", "green", "yellow", "green"])
    assert counted == Distribution(green=3, yellow=1, red=1, grey=1)
    assert counted.scored == 5
    assert counted.to_dict() == {"green": 3, "yellow": 1, "red": 1, "grey": 1}


def test_distribution_of_nothing_is_all_zero() -> None:
    assert distribution([]).to_dict() == {"green": 0, "yellow": 0, "red": 0, "grey": 0}


# --- weakest KPI and potential: the worked example of docs/scoring.md -----------------------

WORKED = {"balance": 50.0, "feedback": 40.0, "touchpoints": 87.5, "sla": 25.0}


def test_worked_example_weakest_kpi_and_potential() -> None:
    kpis = results(WORKED)
    weakest = weakest_kpi(kpis)
    assert weakest is not None and weakest.key == "sla"  # 3 · (100 − 25) = 225, the largest
    # 3 · (70 − 25) / (2 + 2 + 1 + 3) = 135 / 8
    assert potential(kpis, DEFAULTS) == pytest.approx(16.875)


def test_potential_is_zero_when_every_weighted_kpi_is_green() -> None:
    kpis = results({"balance": 90.0, "feedback": 70.0, "sla": 100.0, "touchpoints": 10.0},
                   weights={"balance": 2, "feedback": 2, "sla": 3, "touchpoints": 0})  # fmt: skip
    assert weakest_kpi(kpis) is None  # touchpoints is red but weighs nothing
    assert potential(kpis, DEFAULTS) == 0


def test_potential_is_none_without_a_score() -> None:
    assert potential(results({}), DEFAULTS) is None
    assert weakest_kpi(results({})) is None
    zero_weights = dict.fromkeys(KPIS, 0.0)
    assert potential(results(WORKED, weights=zero_weights), DEFAULTS) is None


def test_potential_uses_the_green_threshold_in_force() -> None:
    config = ScoringSettings(green_threshold=80, red_threshold=30)
    kpis = results({"sla": 50.0, "feedback": 90.0}, config=config)
    # Σ weight = 3 + 2; sla to 80: 3 · 30 / 5
    assert potential(kpis, config) == pytest.approx(18)


scores = st.none() | st.floats(min_value=0, max_value=100, allow_nan=False)
weights = st.sampled_from([0.0, 1.0, 2.0, 3.0]) | st.floats(min_value=0.01, max_value=10)


@st.composite
def kpi_sets(draw: st.DrawFn) -> tuple[list[KpiResult], ScoringSettings]:
    red = draw(st.floats(min_value=0, max_value=100, allow_nan=False))
    green = draw(st.floats(min_value=red, max_value=100, allow_nan=False))
    config = ScoringSettings(green_threshold=green, red_threshold=red)
    kpis = results({k: draw(scores) for k in KPIS}, {k: draw(weights) for k in KPIS}, config)
    return kpis, config


@FAST
@given(kpi_sets())
def test_potential_is_the_gain_of_lifting_the_weakest_kpi_to_green(
    case: tuple[list[KpiResult], ScoringSettings],
) -> None:
    kpis, config = case
    before = weighted_health(kpis)
    gain = potential(kpis, config)
    weakest = weakest_kpi(kpis)
    if before is None:
        assert gain is None
        return
    assert gain is not None and gain >= 0
    if weakest is None:
        assert gain == 0
        return
    lifted = [replace(k, score=config.green_threshold) if k is weakest else k for k in kpis]
    after = weighted_health(lifted)
    assert after is not None
    assert gain == pytest.approx(after - before, abs=1e-9)


@FAST
@given(kpi_sets())
def test_weakest_kpi_is_the_first_weighted_recommendation(
    case: tuple[list[KpiResult], ScoringSettings],
) -> None:
    kpis, config = case
    weakest = weakest_kpi(kpis)
    advice = [r.kpi for r in recommendations(kpis, config, "en")]
    weighted = {k.key for k in kpis if k.weight > 0}
    if weakest is None:
        assert not weighted & set(advice)
    else:
        assert advice[0] == weakest.key


# --- rows -----------------------------------------------------------------------------------


def test_portfolio_row_from_a_report() -> None:
    org = organization(None)
    report = compute_health(org, rated("good", "good", "good", "bad"), DEFAULTS, NOW)
    built = portfolio_row(org, report, DEFAULTS, delta_30d=-4.5, churned=True)
    assert built.to_dict() == {
        "id": 42,
        "name": "Acme",
        "score": 20.0,  # feedback 75 % only: 100 · (75 − 70) / (95 − 70)
        "colour": "red",
        "delta_30d": -4.5,
        "phase": "adoption",
        "goal": {"target": 70, "reached": False, "gap": 50.0},
        "weakest_kpi": "feedback",
        "kpis": {"balance": None, "feedback": 20.0, "touchpoints": None, "sla": None},
        "potential": 50.0,  # the only counted KPI, lifted from 20 to 70
        "churned": True,
    }


def test_a_grey_organization_has_a_row_with_nulls() -> None:
    org = OrganizationFacts(9, "Quiet Ltd")
    report = compute_health(org, [], DEFAULTS, NOW)
    built = portfolio_row(org, report, DEFAULTS, delta_30d=None, churned=False).to_dict()
    assert (built["score"], built["colour"], built["weakest_kpi"], built["potential"]) == (
        None, "grey", None, None,
    )  # fmt: skip
    assert built["goal"] == {"target": 70, "reached": None, "gap": None}
    assert built["phase"] is None


# --- focus ----------------------------------------------------------------------------------


def test_focus_lists_organizations_below_goal_by_potential() -> None:
    rows = [
        row(1, score=50, potential=5.0),
        row(2, score=60, potential=12.0),
        row(3, score=80, potential=0.0),  # goal reached
        row(4, score=None),  # no score: neither reached nor missed
        row(5, score=65, potential=12.0),  # same potential as 2, closer to the goal
        row(6, score=40, potential=12.0, goal=Goal(20, True, -20)),  # own goal reached
        row(7, score=69.9, potential=0.0),  # below goal with all KPIs green
    ]
    assert focus(rows) == (5, 2, 1, 7)


def test_focus_of_nothing_is_empty() -> None:
    assert focus([]) == ()
