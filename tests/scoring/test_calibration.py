"""Calibration: thresholds for target shares, ties, rounding that still splits, bad targets."""

from __future__ import annotations

import json
import math
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.scoring import ScoringSettings
from backend.scoring.calibration import InvalidTarget, calibrate
from backend.scoring.kpis import colour_for

FAST = settings(max_examples=150, deadline=None)


def colours(scores: list[float], green_threshold: float, red_threshold: float) -> list[str]:
    bands = ScoringSettings(green_threshold=green_threshold, red_threshold=red_threshold)
    return [colour_for(s, bands) for s in scores]


def test_ten_distinct_scores_split_20_60_20_midway() -> None:
    result = calibrate([float(s) for s in range(10, 101, 10)][::-1], 20, 20)  # 100, 90, … 10
    # green: 90 and 100, so midway between 80 and 90; red: 10 and 20, midway to 30
    assert (result.green_threshold, result.red_threshold) == (85.0, 25.0)
    assert result.to_dict() == {
        "green_threshold": 85.0,
        "red_threshold": 25.0,
        "shares": {"green": 20.0, "yellow": 60.0, "red": 20.0},
        "organizations": 10,
        "target": {"green": 20.0, "yellow": 60.0, "red": 20.0},
        "exact": True,
        "note": None,
    }


def test_a_share_that_no_whole_count_meets_is_still_exact() -> None:
    scores = [i * 1.9 for i in range(52)]
    result = calibrate(scores, 20, 20)
    # 20 % of 52 is 10.4 organizations: 10 is the nearest whole count
    assert result.exact and result.note is None
    assert (
        colours(scores, result.green_threshold or 0, result.red_threshold or 0).count("green") == 10
    )
    assert result.shares is not None
    assert result.shares.green == pytest.approx(100 * 10 / 52)


def test_organizations_without_a_score_are_left_out() -> None:
    result = calibrate([None, 10.0, None, 90.0], 50, 50)
    assert result.organizations == 2
    assert (result.green_threshold, result.red_threshold) == (50.0, 50.0)
    assert result.shares is not None and result.shares.yellow == 0


def test_ties_give_the_closest_reachable_split_and_say_why() -> None:
    scores = [50.0] * 10 + [60.0, 70.0]
    result = calibrate(scores, 20, 20)
    assert (result.green_threshold, result.red_threshold) == (55.0, 0.0)
    assert not result.exact
    assert result.note == (
        "Red: 10 organizations share the score 50, so 0 of 12 organizations (0.0%) are red "
        "instead of 2 for the target of 20%."
    )
    assert colours(scores, 55.0, 0.0).count("red") == 0


def test_equal_distance_prefers_fewer_organizations_in_the_colour() -> None:
    # 50 % of 5 is 2.5; ties at 2 allow 1 or 4 green (both 1.5 away) and 1 or 4 red.
    result = calibrate([1.0, 2.0, 2.0, 2.0, 3.0], 50, 50)
    assert (result.green_threshold, result.red_threshold) == (2.5, 1.5)
    assert result.note is not None and result.note.startswith(
        "Green: 3 organizations share the score 2, so 1 of 5 organizations (20.0%) are green "
        "instead of 2 for the target of 50%. Red: 3 organizations share"
    )


def test_scores_of_100_are_green_at_any_threshold() -> None:
    result = calibrate([100.0, 100.0, 60.0, 30.0], 0, 25)
    assert (result.green_threshold, result.red_threshold) == (80.0, 45.0)
    assert result.note == (
        "Green: 2 organizations score 100, green at any threshold, so 2 of 4 organizations "
        "(50.0%) are green instead of 0 for the target of 0%."
    )


def test_red_can_run_out_of_organizations_when_ties_push_green_up() -> None:
    result = calibrate([100.0, 100.0, 100.0, 60.0, 70.0], 0, 100)
    assert result.note == (
        "Green: 3 organizations score 100, green at any threshold, so 3 of 5 organizations "
        "(60.0%) are green instead of 0 for the target of 0%. Red: only 2 organizations are not "
        "green, so 2 of 5 organizations (40.0%) are red instead of 5 for the target of 100%."
    )
    assert (result.green_threshold, result.red_threshold) == (85.0, 85.0)


@pytest.mark.parametrize(
    ("green", "red", "expected"),
    [(100, 0, (0.0, 0.0)), (0, 100, (100.0, 100.0)), (0, 0, (100.0, 0.0))],
)
def test_all_in_one_colour_uses_the_ends_of_the_range(
    green: float, red: float, expected: tuple[float, float]
) -> None:
    result = calibrate([5.0, 50.0, 95.0], green, red)
    assert (result.green_threshold, result.red_threshold) == expected
    assert result.exact


def test_no_scored_organization_has_null_thresholds() -> None:
    result = calibrate([None, None], 20, 20)
    assert result.to_dict() == {
        "green_threshold": None,
        "red_threshold": None,
        "shares": {"green": None, "yellow": None, "red": None},
        "organizations": 0,
        "target": {"green": 20.0, "yellow": 60.0, "red": 20.0},
        "exact": False,
        "note": "No organization has a score yet, so there is nothing to calibrate.",
    }


def test_close_scores_get_more_decimals_so_the_split_still_holds() -> None:
    scores = [70.01, 70.05]
    result = calibrate(scores, 50, 0)
    assert result.green_threshold == 70.03  # midway 70.03 rounds to 70.0, which is not > 70.01
    assert colours(scores, 70.03, 0) == ["yellow", "green"]


@pytest.mark.parametrize(
    ("green", "red", "fields", "message"),
    [
        (-1, 20, ("green",), "green: -1 must be between 0 and 100 (percent)"),
        (20, 100.5, ("red",), "red: 100.5 must be between 0 and 100 (percent)"),
        (math.nan, 20, ("green",), "green: nan is not a number"),
        (20, math.inf, ("red",), "red: inf is not a number"),
        (60, 50, ("green", "red"), "green and red: 60 + 50 is more than 100 percent together"),
    ],
)
def test_impossible_targets_name_the_field(
    green: float, red: float, fields: tuple[str, ...], message: str
) -> None:
    with pytest.raises(InvalidTarget) as raised:
        calibrate([50.0], green, red)
    assert raised.value.fields == fields
    assert str(raised.value) == message


def test_impossible_targets_are_refused_even_without_scores() -> None:
    with pytest.raises(InvalidTarget):
        calibrate([], 70, 40)


# --- properties -----------------------------------------------------------------------------

# A few fixed values make ties (and scores of 0 and 100) common.
# Scores with one decimal (as the sidebar shows them) make neighbours a tenth apart.
tenths = st.integers(0, 1000).map(lambda i: i / 10)
score = st.sampled_from([0.0, 12.5, 40.0, 55.0, 70.0, 100.0]) | st.floats(0, 100) | tenths
percent = st.floats(0, 100)


@st.composite
def targets(draw: st.DrawFn) -> tuple[float, float]:
    green = draw(percent | st.sampled_from([0.0, 20.0, 50.0, 100.0]))
    red = draw(st.floats(0, 100 - green) | st.just(100 - green) | st.just(0.0))
    return green, red


def reachable_green(scores: list[float]) -> set[int]:
    return {sum(s >= t for s in scores) for t in {0.0, 100.0, *scores}}


def reachable_red(scores: list[float]) -> set[int]:
    return {sum(s < t for s in scores) for t in {0.0, 100.0, *scores}}


def closest(counts: set[int], goal: float) -> int:
    return min(counts, key=lambda c: (abs(c - goal), c))


@FAST
@given(st.lists(score, max_size=40), targets())
def test_thresholds_typed_into_settings_give_exactly_the_reported_shares(
    scores: list[float], target: tuple[float, float]
) -> None:
    green, red = target
    result = calibrate(scores, green, red)
    if not scores:
        assert result.green_threshold is None and result.red_threshold is None
        return
    assert result.green_threshold is not None and result.red_threshold is not None
    assert 0 <= result.red_threshold <= result.green_threshold <= 100
    # The admin copies the JSON numbers into the settings page; Zendesk hands them back as text.
    typed = {
        "green_threshold": json.dumps(result.green_threshold),
        "red_threshold": json.dumps(result.red_threshold),
    }
    bands, warnings = ScoringSettings.from_zendesk(typed)
    assert warnings == ()
    got = [colour_for(s, bands) for s in scores]
    assert result.shares is not None
    for colour in ("green", "yellow", "red"):
        assert getattr(result.shares, colour) == pytest.approx(100 * got.count(colour) / len(got))


@FAST
@given(st.lists(score, min_size=1, max_size=40), targets())
def test_the_split_is_the_closest_reachable_one(
    scores: list[float], target: tuple[float, float]
) -> None:
    green, red = target
    result = calibrate(scores, green, red)
    n = len(scores)
    assert result.green_threshold is not None and result.red_threshold is not None
    found = colours(scores, result.green_threshold, result.red_threshold)
    green_count, red_count = found.count("green"), found.count("red")
    assert green_count == closest(reachable_green(scores), green * n / 100)
    room = {c for c in reachable_red(scores) if c <= n - green_count}
    assert red_count == closest(room, red * n / 100)
    assert result.exact == (result.note is None)
    if len(set(scores)) == n and max(scores) < 100:
        assert result.exact


@FAST
@given(
    st.lists(score, min_size=2, max_size=40)
    # crowded tenths: neighbours one tenth apart at the split
    | st.lists(st.integers(400, 430).map(lambda i: i / 10), min_size=2, max_size=40),
    targets(),
)
def test_thresholds_have_one_decimal_when_the_gap_holds_such_a_number(
    scores: list[float], target: tuple[float, float]
) -> None:
    result = calibrate(scores, *target)
    ordered = sorted(scores)
    for threshold in (result.green_threshold, result.red_threshold):
        assert threshold is not None
        below = [s for s in ordered if s < threshold]
        above = [s for s in ordered if s >= threshold]
        if not below or not above:
            continue
        low, high = below[-1], above[0]
        first = (math.floor(Decimal(repr(low)) * 10) + 1) / 10  # the first one-decimal > low
        if low < first <= high:
            assert threshold == round(threshold, 1)


def test_neighbours_a_tenth_apart_still_get_one_decimal() -> None:
    scores = [73.3, 73.4]
    result = calibrate(scores, 50, 0)
    assert result.green_threshold == 73.4  # 73.35 would also split, but 73.4 is shorter


def test_one_decimal_scores_whose_floats_lie_below_the_decimal_still_get_one_decimal() -> None:
    # The float of 43.3 is 43.29999999999999715…; the next tenth up is still 43.4.
    result = calibrate([43.3, 43.4], 0, 50)
    assert result.red_threshold == 43.4
