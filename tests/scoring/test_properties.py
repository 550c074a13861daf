"""Properties of the score that must hold for any data and any valid settings."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from backend.scoring import KpiResult, ScoringSettings, TicketFacts, compute_health
from backend.scoring.facts import PRIORITIES
from backend.scoring.health import (
    assess,
    measure,
    score_and_colour,
    score_kpi,
    weighted_health,
)
from backend.scoring.kpis import colour_for, kpi_score
from backend.scoring.settings import MEASUREMENT_SETTINGS, measurement_key

from .factories import NOW, organization

KPIS = ("balance", "feedback", "touchpoints", "sla")
FAST = settings(max_examples=150, deadline=None)

scores = st.floats(min_value=0, max_value=100, allow_nan=False)
# Admins type weights like 0, 1, 2, 3 or 1.5; subnormal floats would only test underflow.
weights = st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.0]) | st.floats(min_value=0.001, max_value=10)
values = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)
thresholds = st.floats(min_value=-1000, max_value=1000, allow_nan=False)
minutes = st.none() | st.integers(min_value=0, max_value=20_000)

tickets = st.builds(
    TicketFacts,
    id=st.integers(min_value=1, max_value=10**9),
    created_at=st.integers(min_value=0, max_value=200 * 24 * 60).map(
        lambda m: NOW - timedelta(minutes=m)
    ),
    updated_at=st.just(NOW),
    status=st.sampled_from(["new", "open", "pending", "hold", "solved", "closed"]),
    priority=st.none() | st.sampled_from([*PRIORITIES, "odd"]),
    satisfaction=st.none()
    | st.sampled_from(["good", "bad", "good_with_comment", "bad_with_comment", "offered"]),
    has_metrics=st.booleans(),
    replies=st.none() | st.integers(min_value=0, max_value=12),
    reply_minutes=minutes,
    resolution_minutes=minutes,
    custom_fields=st.dictionaries(
        st.sampled_from([1, 360000001]), st.floats(min_value=0, max_value=100_000), max_size=2
    ),
)


@st.composite
def scoring_settings(draw: st.DrawFn) -> ScoringSettings:
    red = draw(scores)
    green = draw(st.floats(min_value=red, max_value=100))
    values: dict[str, float] = {f"weight_{k}": draw(weights) for k in KPIS}
    for kpi in KPIS:
        good, bad = draw(thresholds), draw(thresholds)
        if good == bad:
            bad = good - 1
        values[f"{kpi}_good"], values[f"{kpi}_bad"] = good, bad
    return ScoringSettings(
        window_days=draw(st.integers(min_value=7, max_value=730)),
        green_threshold=green,
        red_threshold=red,
        min_sample=draw(st.integers(min_value=1, max_value=5)),
        time_spent_field_id=draw(st.none() | st.just(360000001)),
        **values,  # type: ignore[arg-type]
    )


def kpi_results(scores_and_weights: list[tuple[float | None, float]]) -> list[KpiResult]:
    return [
        KpiResult(key, score, "%", score, "grey", weight, 10, {})
        for key, (score, weight) in zip(KPIS, scores_and_weights, strict=True)
    ]


score_weight_lists = st.lists(st.tuples(st.none() | scores, weights), min_size=4, max_size=4)


@FAST
@given(
    st.lists(tickets, max_size=40),
    scoring_settings(),
    st.none() | st.floats(min_value=-1e6, max_value=1e7, allow_nan=False),
)
def test_health_and_kpi_scores_stay_in_range(
    facts: list[TicketFacts], config: ScoringSettings, revenue: float | None
) -> None:
    report = compute_health(organization(revenue), facts, config, NOW)
    assert report.score is None or 0 <= report.score <= 100
    assert (report.score is None) == (report.colour == "grey")
    for kpi in report.kpis:
        assert kpi.score is None or 0 <= kpi.score <= 100
        assert (kpi.score is None) == (kpi.colour == "grey")
    assert [k.key for k in report.kpis] == list(KPIS)


@FAST
@given(values, thresholds, thresholds)
def test_kpi_score_is_clamped(value: float, good: float, bad: float) -> None:
    if good == bad:
        bad = good + 1
    assert 0 <= kpi_score(value, good, bad) <= 100


@FAST
@given(score_weight_lists)
def test_weighted_health_stays_within_the_kpi_scores(
    pairs: list[tuple[float | None, float]],
) -> None:
    health = weighted_health(kpi_results(pairs))
    counted = [s for s, w in pairs if s is not None and w > 0]
    if not counted:
        assert health is None
    else:
        assert health is not None
        assert min(counted) - 1e-9 <= health <= max(counted) + 1e-9


@FAST
@given(score_weight_lists, st.integers(min_value=0, max_value=3), scores)
def test_raising_one_kpi_score_never_lowers_health(
    pairs: list[tuple[float | None, float]], index: int, higher: float
) -> None:
    before = weighted_health(kpi_results(pairs))
    current = pairs[index][0]
    if current is None or higher < current:
        current, higher = (higher, current) if current is not None else (higher, higher)
    lowered = list(pairs)
    raised = list(pairs)
    lowered[index] = (current, pairs[index][1])
    raised[index] = (higher, pairs[index][1])
    low, high = weighted_health(kpi_results(lowered)), weighted_health(kpi_results(raised))
    assert (low is None) == (high is None)
    if low is not None and high is not None:
        assert high >= low - 1e-9
    assert before is None or 0 <= before <= 100


@FAST
@given(values, values, thresholds, thresholds)
def test_kpi_score_is_monotonic_in_value_towards_good(
    a: float, b: float, good: float, bad: float
) -> None:
    if good == bad:
        bad = good + 1
    low, high = sorted((a, b))
    if good > bad:
        assert kpi_score(high, good, bad) >= kpi_score(low, good, bad)
    else:
        assert kpi_score(low, good, bad) >= kpi_score(high, good, bad)


@FAST
@given(values, values, st.sampled_from(KPIS), scoring_settings())
def test_better_kpi_value_never_lowers_score_kpi(
    a: float, b: float, key: str, config: ScoringSettings
) -> None:
    good, bad = config.thresholds(key)
    worse, better = sorted((a, b)) if good > bad else sorted((a, b), reverse=True)
    measured = KpiResult(key, worse, "%", None, "grey", 0, 10, {})
    assert score_kpi(replace(measured, value=better), config).score >= (  # type: ignore[operator]
        score_kpi(measured, config).score
    )


@FAST
@given(
    st.lists(tickets, max_size=30),
    scoring_settings(),
    st.floats(min_value=0.01, max_value=1000),
)
def test_scaling_all_weights_changes_nothing(
    facts: list[TicketFacts], config: ScoringSettings, factor: float
) -> None:
    scaled = replace(
        config,
        **{f"weight_{k}": config.weight(k) * factor for k in KPIS},  # type: ignore[arg-type]
    )
    org = organization(100_000)
    before = compute_health(org, facts, config, NOW)
    after = compute_health(org, facts, scaled, NOW)
    if before.score is None:
        assert after.score is None
    else:
        assert after.score is not None
        assert abs(after.score - before.score) <= 1e-6 * max(1.0, abs(before.score))
    # The same advice; its order may differ only between exact ties that rounding splits.
    assert sorted(r.kpi for r in after.recommendations) == sorted(
        r.kpi for r in before.recommendations
    )
    shortfalls = [
        config.weight(r.kpi) * (100 - (before.kpi(r.kpi).score or 0)) for r in after.recommendations
    ]
    assert all(a >= b - 1e-9 * max(1.0, a) for a, b in pairwise(shortfalls))


@FAST
@given(scores, scores, scoring_settings())
def test_colour_is_monotonic_in_score(a: float, b: float, config: ScoringSettings) -> None:
    rank = {"red": 0, "yellow": 1, "green": 2}
    low, high = sorted((a, b))
    assert rank[colour_for(low, config)] <= rank[colour_for(high, config)]


@FAST
@given(
    st.lists(tickets, max_size=30),
    scoring_settings(),
    scoring_settings(),
    st.sampled_from([None, "sla_expansion"]),
)
def test_one_measurement_serves_every_setting_outside_the_measurement_settings(
    drawn: list[TicketFacts],
    measured_with: ScoringSettings,
    other: ScoringSettings,
    goal_field: str | None,
) -> None:
    """A what-if on weights, thresholds or goals reuses the measurement: `assess` of it under
    any settings agreeing on MEASUREMENT_SETTINGS equals computing from the tickets."""
    scored_with = replace(
        other,
        goal_field=goal_field,
        **{name: getattr(measured_with, name) for name in MEASUREMENT_SETTINGS},
    )
    assert measurement_key(scored_with) == measurement_key(measured_with)
    org = organization()
    measured = measure(org, drawn, measured_with, NOW)
    assert assess(org, measured, scored_with, NOW) == compute_health(org, drawn, scored_with, NOW)


@FAST
@given(st.lists(tickets, max_size=30), scoring_settings())
def test_score_and_colour_are_the_reports(
    drawn: list[TicketFacts], chosen: ScoringSettings
) -> None:
    org = organization()
    measured = measure(org, drawn, chosen, NOW)
    report = assess(org, measured, chosen, NOW)
    assert score_and_colour(measured, chosen) == (report.score, report.colour)
