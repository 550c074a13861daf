"""Thresholds that split the scored organizations into target shares of green and red.

An organization is green when its score ≥ green_threshold and red when its score <
red_threshold (`kpis.colour_for`); organizations with equal scores always share a colour, so
ties can make a target unreachable, and the closest reachable split is chosen instead.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from typing import Any, Final

from backend.scoring.kpis import colour_for
from backend.scoring.settings import ScoringSettings

LOWEST: Final = 0.0  # the range of scores and of the threshold settings
HIGHEST: Final = 100.0
NO_SCORES_NOTE: Final = "No organization has a score yet, so there is nothing to calibrate."


class InvalidTarget(ValueError):
    """Target shares that no split can meet; `fields` names the query parameters at fault."""

    def __init__(self, fields: tuple[str, ...], message: str) -> None:
        super().__init__(f"{' and '.join(fields)}: {message}")
        self.fields = fields


@dataclass(frozen=True, slots=True)
class Shares:
    """Percent of the scored organizations in each colour."""

    green: float
    yellow: float
    red: float

    def to_dict(self) -> dict[str, float]:
        return {"green": self.green, "yellow": self.yellow, "red": self.red}


@dataclass(frozen=True, slots=True)
class Calibration:
    green_threshold: float | None
    red_threshold: float | None
    shares: Shares | None
    organizations: int
    target: Shares
    exact: bool
    note: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "green_threshold": self.green_threshold,
            "red_threshold": self.red_threshold,
            "shares": (
                {"green": None, "yellow": None, "red": None}
                if self.shares is None
                else self.shares.to_dict()
            ),
            "organizations": self.organizations,
            "target": self.target.to_dict(),
            "exact": self.exact,
            "note": self.note,
        }


def check_targets(green: float, red: float) -> Shares:
    """The target shares, or InvalidTarget naming the field: each 0–100, together ≤ 100."""
    for name, value in (("green", green), ("red", red)):
        if not math.isfinite(value):
            raise InvalidTarget((name,), f"{value!r} is not a number")
        if not LOWEST <= value <= HIGHEST:
            raise InvalidTarget((name,), f"{value:g} must be between 0 and 100 (percent)")
    if green + red > HIGHEST:
        raise InvalidTarget(
            ("green", "red"), f"{green:g} + {red:g} is more than 100 percent together"
        )
    return Shares(float(green), HIGHEST - green - red, float(red))


def calibrate(scores: Iterable[float | None], green: float, red: float) -> Calibration:
    """Thresholds putting the closest reachable share of the scored organizations in green and
    in red; organizations without a score are left out."""
    target = check_targets(green, red)
    ordered = sorted(s for s in scores if s is not None)
    n = len(ordered)
    if n == 0:
        return Calibration(None, None, None, 0, target, exact=False, note=NO_SCORES_NOTE)

    green_goal = Fraction(green) * n / 100
    red_goal = Fraction(red) * n / 100
    green_count = _closest(green_goal, n, lambda k: _splits(ordered, n - k))
    red_count = _closest(red_goal, n - green_count, lambda j: _splits(ordered, j))
    green_threshold = _threshold(ordered, n - green_count)
    red_threshold = _threshold(ordered, red_count)

    # Count again with the product's own colour rule: the shares are what the thresholds do.
    bands = ScoringSettings(green_threshold=green_threshold, red_threshold=red_threshold)
    colours = Counter(colour_for(score, bands) for score in ordered)
    shares = Shares(*(100 * colours[c] / n for c in ("green", "yellow", "red")))

    reasons = [
        _why("green", ordered, green, green_count, n),
        _why("red", ordered, red, red_count, n - green_count),
    ]
    note = " ".join(reason for reason in reasons if reason) or None
    return Calibration(green_threshold, red_threshold, shares, n, target, note is None, note)


def _nearest(goal: Fraction) -> int:
    """The whole count nearest to `goal`; halves go down."""
    return math.ceil(goal - Fraction(1, 2))


def _closest(goal: Fraction, limit: int, reachable: Callable[[int], bool]) -> int:
    """The reachable count in 0..limit nearest to `goal`; on equal distance the smaller.

    Callers guarantee one is reachable (a red count of 0, a green count of everyone).
    """
    below = min(_nearest(goal), limit)
    above = below + 1
    while True:
        take_below = below >= 0 and (above > limit or goal - below <= above - goal)
        if take_below:
            if reachable(below):
                return below
            below -= 1
        else:
            if reachable(above):
                return above
            above += 1


def _splits(ordered: Sequence[float], below: int) -> bool:
    """Whether a threshold in 0–100 puts exactly the lowest `below` scores under it."""
    if below == 0:
        return True  # threshold 0: no score is below it
    if below == len(ordered):
        return ordered[-1] < HIGHEST  # threshold 100 must be above every score
    return ordered[below - 1] < ordered[below]


def _threshold(ordered: Sequence[float], below: int) -> float:
    """A threshold t with the lowest `below` scores < t ≤ the others: the number with the
    fewest decimals (one, where possible) in that gap, nearest to the middle of the gap."""
    if below == 0:
        return LOWEST
    if below == len(ordered):
        return HIGHEST
    low, high = ordered[below - 1], ordered[below]
    # Scores as the shortest decimals that read back as the same floats: the float of 43.3
    # lies just below 43.3, and the next tenth above it must still be 43.4, not 43.3.
    low_decimal, high_decimal = Decimal(repr(low)), Decimal(repr(high))
    middle = (low_decimal + high_decimal) / 2
    for decimals in range(1, 16):
        step = Decimal(1).scaleb(-decimals)
        lowest = low_decimal.quantize(step, rounding=ROUND_FLOOR) + step  # first one > low
        highest = high_decimal.quantize(step, rounding=ROUND_FLOOR)  # last one ≤ high
        if lowest > highest:
            continue
        nearest = min(max(middle.quantize(step, rounding=ROUND_HALF_EVEN), lowest), highest)
        threshold = float(nearest)
        if low < threshold <= high:  # the float of a decimal may land on `low` itself
            return threshold
    return high


def _why(colour: str, ordered: Sequence[float], target: float, count: int, room: int) -> str | None:
    """Why `count` is not the count nearest to the target share, or None when it is."""
    n = len(ordered)
    nearest = _nearest(Fraction(target) * n / 100)
    if count == nearest:
        return None
    got = f"{count} of {n} organizations ({100 * count / n:.1f}%) are {colour}"
    wanted = f"instead of {nearest} for the target of {target:g}%"
    if nearest > room:
        return f"Red: only {room} organizations are not green, so {got} {wanted}."
    below = n - nearest if colour == "green" else nearest
    if below == n:
        # Only for green: with scores of 100 no green count is below theirs, so red never
        # gets here (its nearest count exceeds the room green leaves).
        tied = sum(1 for s in ordered if s == HIGHEST)
        return f"Green: {tied} organizations score 100, green at any threshold, so {got} {wanted}."
    shared = ordered[below]
    tied = sum(1 for s in ordered if s == shared)
    return (
        f"{colour.capitalize()}: {tied} organizations share the score {shared:g}, so {got} "
        f"{wanted}."
    )
