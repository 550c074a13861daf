"""Weighting, colour, recommendations, goal and phase, and compute_health end to end."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.scoring import KpiResult, OrganizationFacts, ScoringSettings, compute_health
from backend.scoring.health import (
    goal,
    goal_target,
    phase,
    recommendations,
    score_kpi,
    weighted_health,
)
from backend.scoring.kpis import colour_for
from backend.scoring.recommendations import BUILT_IN, built_in_text, language_of

from .factories import NOW, organization, rated, ticket

DEFAULTS = ScoringSettings()


def scored(
    key: str, score: float | None, weight: float, settings: ScoringSettings = DEFAULTS
) -> KpiResult:
    return KpiResult(key, score, "%", score, colour_for(score, settings), weight, 10, {})


# --- score_kpi and weighted_health ---------------------------------------------------------


def test_score_kpi_adds_score_colour_and_weight() -> None:
    measured = KpiResult("feedback", 80.0, "%", None, "grey", 0, 5, {})
    result = score_kpi(measured, DEFAULTS)
    assert (result.score, result.colour, result.weight) == (40.0, "yellow", 2)
    assert result.value == 80.0 and result.sample_size == 5


def test_score_kpi_without_value_keeps_grey_but_sets_weight() -> None:
    measured = KpiResult("sla", None, "%", None, "grey", 0, 1, {"reason": "x"})
    result = score_kpi(measured, DEFAULTS)
    assert (result.score, result.colour, result.weight) == (None, "grey", 3)


def test_score_kpi_with_lower_is_better_thresholds() -> None:
    settings = ScoringSettings(touchpoints_good=20, touchpoints_bad=60)
    measured = KpiResult("touchpoints", 30.0, "%", None, "grey", 0, 5, {})
    assert score_kpi(measured, settings).score == pytest.approx(75.0)


def test_weighted_health_is_weighted_mean() -> None:
    results = [
        scored("balance", 50, 2),
        scored("feedback", 40, 2),
        scored("touchpoints", 87.5, 1),
        scored("sla", 25, 3),
    ]
    assert weighted_health(results) == pytest.approx(342.5 / 8)


def test_weighted_health_redistributes_weight_of_kpi_without_data() -> None:
    results = [
        scored("balance", None, 2),
        scored("feedback", 40, 2),
        scored("touchpoints", 100, 1),
        scored("sla", 25, 3),
    ]
    # (2·40 + 1·100 + 3·25) / (2 + 1 + 3)
    assert weighted_health(results) == pytest.approx(255 / 6)


def test_weighted_health_skips_zero_weight() -> None:
    results = [scored("feedback", 0, 0), scored("sla", 80, 3)]
    assert weighted_health(results) == pytest.approx(80.0)


def test_weighted_health_of_equal_scores_is_that_score_exactly() -> None:
    # Naively (0.1·70 + 0.2·70) / 0.3 = 69.99999999999999, which would colour yellow.
    results = [scored("feedback", 70, 0.1), scored("sla", 70, 0.2)]
    assert weighted_health(results) == 70.0
    settings = ScoringSettings(
        weight_balance=0, weight_feedback=0.1, weight_touchpoints=0, weight_sla=0.2
    )
    assert colour_for(weighted_health(results), settings) == "green"
    # 2.811 · 100 / 2.811 = 100.00000000000001 without the bound.
    assert weighted_health([scored("sla", 100, 2.811000512300801)]) == 100.0


@pytest.mark.parametrize(
    "results",
    [
        [],
        [scored("feedback", None, 2), scored("sla", None, 3)],
        [scored("feedback", 90, 0), scored("sla", 10, 0)],
    ],
)
def test_weighted_health_none_without_weighted_data(results: list[KpiResult]) -> None:
    assert weighted_health(results) is None


# --- compute_health edges ------------------------------------------------------------------


def good_tickets(count: int = 4) -> list:
    return [
        ticket(replies=1, reply_minutes=10, resolution_minutes=10, satisfaction="good")
        for _ in range(count)
    ]


def test_empty_window_gives_no_score_and_four_grey_kpis() -> None:
    report = compute_health(organization(3650), [ticket(days_ago=200)], DEFAULTS, NOW)
    assert report.score is None
    assert report.colour == "grey"
    assert [k.key for k in report.kpis] == ["balance", "feedback", "touchpoints", "sla"]
    assert all(k.colour == "grey" and k.score is None for k in report.kpis)
    assert all(k.detail["reason"] for k in report.kpis)
    assert report.recommendations == ()
    assert (report.goal.reached, report.goal.gap) == (None, None)


def test_fewer_than_min_sample_everywhere_gives_no_score() -> None:
    tickets = [
        ticket(replies=1, reply_minutes=10, resolution_minutes=10, satisfaction="good"),
        ticket(status="open", satisfaction="bad"),
    ]
    report = compute_health(organization(3650), tickets, DEFAULTS, NOW)
    assert report.score is None and report.colour == "grey"
    assert [k.sample_size for k in report.kpis] == [2, 2, 1, 2]
    assert all(
        k.score is None and "fewer than the minimum" in k.detail["reason"] for k in report.kpis
    )


def test_sla_sample_counts_measurements_not_tickets() -> None:
    report = compute_health(organization(3650), good_tickets(2), DEFAULTS, NOW)
    assert [k.sample_size for k in report.kpis] == [2, 2, 2, 4]
    assert [k.score is not None for k in report.kpis] == [False, False, False, True]
    assert report.score == pytest.approx(100.0)


def test_all_weights_zero_gives_grey_but_kpis_keep_scores() -> None:
    settings = ScoringSettings(
        weight_balance=0, weight_feedback=0, weight_touchpoints=0, weight_sla=0
    )
    report = compute_health(organization(3650), good_tickets(), settings, NOW)
    assert report.score is None
    assert report.colour == "grey"
    assert all(k.score is not None and k.weight == 0 for k in report.kpis)


def test_kpi_without_data_drops_out_of_health() -> None:
    # No revenue: balance has no data; the rest are perfect → 100.
    report = compute_health(organization(None), good_tickets(), DEFAULTS, NOW)
    assert report.kpi("balance").score is None
    assert report.kpi("balance").weight == 2
    assert report.score == pytest.approx(100.0)
    assert report.colour == "green"


def test_compute_health_reports_window_and_settings_warnings() -> None:
    settings = ScoringSettings(window_days=30)
    report = compute_health(
        organization(3650), [], settings, NOW, settings_warnings=["weight_sla: bad"]
    )
    assert report.window_days == 30
    assert report.settings_warnings == ("weight_sla: bad",)
    assert report.to_dict()["settings_warnings"] == ["weight_sla: bad"]


def test_to_dict_has_exactly_the_contract_keys_and_the_extensions() -> None:
    """DESIGN §5's keys, plus the extensions of docs/api.md."""
    report = compute_health(organization(3650), good_tickets(), DEFAULTS, NOW)
    data = report.to_dict()
    assert set(data) == {
        "score", "colour", "kpis", "recommendations", "goal", "phase", "window_days",
        "settings_warnings", "thresholds", "settings_problems",
    }  # fmt: skip
    assert data["thresholds"] == {"green": 70, "red": 40}
    assert set(data["kpis"][0]) == {
        "key", "value", "unit", "score", "colour", "weight", "sample_size", "detail",
        "thresholds", "tickets",
    }  # fmt: skip
    assert [k["thresholds"] for k in data["kpis"]] == [
        {"good": 70, "bad": 0}, {"good": 95, "bad": 70}, {"good": 80, "bad": 40},
        {"good": 95, "bad": 75},
    ]  # fmt: skip
    assert set(data["goal"]) == {"target", "reached", "gap"}


# --- recommendations -----------------------------------------------------------------------


def test_recommendations_order_by_weighted_shortfall() -> None:
    results = [
        scored("balance", 60, 2),  # 2 · 40 = 80, yellow
        scored("feedback", 30, 1),  # 1 · 70 = 70, red
        scored("touchpoints", 90, 1),  # green: none
        scored("sla", 50, 3),  # 3 · 50 = 150, yellow
    ]
    advice = recommendations(results, DEFAULTS, "en")
    assert [(r.kpi, r.colour) for r in advice] == [
        ("sla", "yellow"),
        ("balance", "yellow"),
        ("feedback", "red"),
    ]
    assert advice[0].text == BUILT_IN["en"][("sla", "yellow")]


def test_recommendations_tie_goes_to_lower_score() -> None:
    results = [scored("balance", 60, 1), scored("sla", 20, 2)]  # 40 vs 160
    assert [r.kpi for r in recommendations(results, DEFAULTS, "en")] == ["sla", "balance"]
    tie = [scored("balance", 50, 2), scored("sla", 0, 1)]  # both 100
    assert [r.kpi for r in recommendations(tie, DEFAULTS, "en")] == ["sla", "balance"]


def test_recommendations_skip_green_and_grey() -> None:
    results = [scored("balance", None, 2), scored("sla", 70, 3), scored("feedback", 100, 2)]
    assert recommendations(results, DEFAULTS, "en") == ()


def test_admin_override_replaces_built_in_text_for_that_colour_only() -> None:
    settings, warnings = ScoringSettings.from_zendesk(
        {"recommendations": "sla.red: Call Jo in the escalation team"}
    )
    assert warnings == ()
    red = recommendations([scored("sla", 10, 3)], settings, "de")
    yellow = recommendations([scored("sla", 50, 3)], settings, "de")
    assert red[0].text == "Call Jo in the escalation team"
    assert yellow[0].text == BUILT_IN["de"][("sla", "yellow")]


def test_german_locale_texts() -> None:
    advice = recommendations([scored("feedback", 10, 2)], DEFAULTS, "de")
    assert advice[0].text.startswith("Dieser Kunde ist mit dem Support unzufrieden.")
    assert built_in_text("sla", "red", "de-CH") == BUILT_IN["de"][("sla", "red")]


@pytest.mark.parametrize(
    ("locale", "language"),
    [("de", "de"), ("de-AT", "de"), ("DE_de", "de"), ("en-GB", "en"), ("fr", "en"), (None, "en")],
)
def test_language_of_locale(locale: str | None, language: str) -> None:
    assert language_of(locale) == language


def test_built_in_texts_cover_every_kpi_and_colour_in_both_languages() -> None:
    for language in ("en", "de"):
        for kpi in ("balance", "feedback", "touchpoints", "sla"):
            for colour in ("yellow", "red"):
                assert len(BUILT_IN[language][(kpi, colour)]) > 40
    assert BUILT_IN["en"][("sla", "red")] != BUILT_IN["de"][("sla", "red")]


def test_compute_health_passes_locale_through() -> None:
    tickets = rated("bad", "bad", "bad", "good")
    report = compute_health(organization(None), tickets, DEFAULTS, NOW, locale="de")
    assert report.recommendations[0].kpi == "feedback"
    assert report.recommendations[0].text == BUILT_IN["de"][("feedback", "red")]


# --- goal ----------------------------------------------------------------------------------


def test_goal_gap_and_reached() -> None:
    assert goal(63.4, 70).gap == pytest.approx(6.6)
    assert goal(63.4, 70).reached is False
    assert goal(70, 70).reached is True
    assert goal(70, 70).gap == 0
    assert goal(85, 70).gap == pytest.approx(-15)
    assert goal(85, 90).reached is False
    assert goal(None, 70).to_dict() == {"target": 70, "reached": None, "gap": None}


def with_goal(value: object) -> OrganizationFacts:
    return OrganizationFacts(7, "Initech", None, {"target_score": value})


GOAL_FIELD = ScoringSettings(goal_score=65, goal_field="target_score")


def test_goal_target_is_goal_score_without_goal_field() -> None:
    assert goal_target(with_goal(90), ScoringSettings(goal_score=65)) == (65, None)


@pytest.mark.parametrize("value", [90, 90.0, "90", " 90 ", "9e1"])
def test_goal_target_from_the_organization_field(value: object) -> None:
    assert goal_target(with_goal(value), GOAL_FIELD) == (90, None)


@pytest.mark.parametrize("value", [0, 100, "0", "100.0"])
def test_goal_target_range_ends_are_valid(value: object) -> None:
    target, problem = goal_target(with_goal(value), GOAL_FIELD)
    assert problem is None
    assert target == float(value)


@pytest.mark.parametrize("value", [None, "", "  "])
def test_goal_target_without_a_value_is_goal_score_silently(value: object) -> None:
    assert goal_target(with_goal(value), GOAL_FIELD) == (65, None)
    assert goal_target(OrganizationFacts(7, "Initech"), GOAL_FIELD) == (65, None)


@pytest.mark.parametrize(
    "value", ["high", 101, -1, "nan", "inf", True, [80], "80 %", 10**400, "1e999"]
)
def test_goal_target_unusable_value_is_goal_score_with_a_warning(value: object) -> None:
    target, problem = goal_target(with_goal(value), GOAL_FIELD)
    assert target == 65
    assert problem == (
        f"goal_field: organization 7 has {repr(value)[:40]} in 'target_score', not a number "
        "from 0 to 100; using goal_score 65"
    )


def test_a_long_goal_value_is_cut_short_in_the_warning() -> None:
    _, problem = goal_target(with_goal("x" * 500), GOAL_FIELD)
    assert problem is not None and len(problem) < 150


def test_compute_health_uses_the_organization_goal_and_warns_admins() -> None:
    tickets = rated("good", "good", "good", "bad")  # feedback 75 % → score 20
    report = compute_health(with_goal("30"), tickets, GOAL_FIELD, NOW, settings_warnings=("x",))
    assert report.goal.to_dict() == {"target": 30, "reached": False, "gap": pytest.approx(10)}
    assert report.settings_warnings == ("x",)

    report = compute_health(with_goal("lots"), tickets, GOAL_FIELD, NOW, settings_warnings=("x",))
    assert report.goal.target == 65
    assert report.settings_warnings[0] == "x"
    assert report.settings_warnings[1].startswith("goal_field: organization 7 has 'lots'")


# --- phase ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "expected"),
    [
        (timedelta(0), "onboarding"),
        (timedelta(days=90) - timedelta(seconds=1), "onboarding"),
        (timedelta(days=90), "adoption"),
        (timedelta(days=365) - timedelta(seconds=1), "adoption"),
        (timedelta(days=365), "success"),
        (timedelta(days=3000), "success"),
    ],
)
def test_phase_boundaries(age: timedelta, expected: str) -> None:
    org = replace(organization(), created_at=NOW - age)
    assert phase(org, NOW, DEFAULTS) == expected


def test_phase_follows_onboarding_days_and_unknown_age() -> None:
    org = organization(age_days=100)
    assert phase(org, NOW, ScoringSettings(onboarding_days=120)) == "onboarding"
    assert phase(org, NOW, ScoringSettings(onboarding_days=0)) == "adoption"
    assert phase(organization(age_days=None), NOW, DEFAULTS) is None


@settings(max_examples=200, deadline=None)
@given(
    st.none()
    | st.booleans()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.integers()
    | st.text(max_size=12)
    | st.floats(0, 100).map(str)
)
def test_goal_target_is_always_a_usable_goal(value: object) -> None:
    target, problem = goal_target(with_goal(value), GOAL_FIELD)
    assert 0 <= target <= 100
    if problem is None:
        assert target == GOAL_FIELD.goal_score or target == float(value)  # type: ignore[arg-type]
    else:
        assert target == GOAL_FIELD.goal_score
        assert problem.startswith("goal_field: organization 7 has ")
