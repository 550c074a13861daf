"""The intended health of each demo organization: tier, phase, trend and per-KPI targets.

The demo has to show every kind of customer the product is built for, and under the default
settings (DESIGN.md §6) spread them roughly 20/60/20 over green/yellow/red. So each
organization is given an intended health score for its tier, and each KPI a target value
around it, converted back through the default thresholds; the tickets are then drawn to hit
those targets, so the measured score lands near the intended one (with sampling noise, as in
real life).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Final, Literal

Tier = Literal["green", "yellow", "red"]
Trend = Literal["improving", "declining", "stable"]

HISTORY_DAYS: Final = 730  # two years of tickets for long-standing customers
MONTH_DAYS: Final = 30.44

# (bad, good) of the default thresholds, and the physically sensible range of each value.
_KPI_SCALE: Final = {
    "feedback": ((70.0, 95.0), (30.0, 100.0)),
    "touchpoints": ((40.0, 80.0), (10.0, 95.0)),
    "sla": ((75.0, 95.0), (40.0, 99.5)),
    "balance": ((0.0, 70.0), (-150.0, 96.0)),
}
_WEIGHTS: Final = {"feedback": 2.0, "touchpoints": 1.0, "sla": 3.0, "balance": 2.0}
# Intended health score per tier: green ≥ 70, red < 40 under the default bands.
_TIER_SCORE: Final[dict[Tier, tuple[float, float]]] = {
    "green": (78.0, 96.0),
    "yellow": (48.0, 62.0),
    "red": (8.0, 30.0),
}


@dataclass(frozen=True, slots=True)
class OrganizationProfile:
    """How one demo organization is meant to behave; the tickets are drawn from it.

    The four `*_now` values are KPI values at the end of the history (feedback: % good,
    touchpoints: % one-touch, sla: % met, balance: support margin %); `*_then` is where the
    organization stood when its history starts (at most two years ago), so improving and
    declining customers show a trend.
    """

    index: int
    tier: Tier
    trend: Trend
    age_days: int
    tickets: int
    volume_growth: float  # slope of the ticket-rate density over the history, -0.8 … 0.8
    feedback_now: float
    feedback_then: float
    touchpoints_now: float
    touchpoints_then: float
    sla_now: float
    sla_then: float
    margin: float
    csat_offered: bool = True
    has_revenue: bool = True
    high_volume: bool = False

    @property
    def history_days(self) -> int:
        return min(HISTORY_DAYS, self.age_days)

    def traits(self) -> list[str]:
        """Short words for the intended profile, for the demo's summary endpoint."""
        words: list[str] = []
        if self.tickets == 0:
            words.append("no tickets")
        if self.high_volume:
            words.append("high volume")
        if not self.has_revenue:
            words.append("no revenue field")
        elif self.margin < 0:
            words.append("loss-making")
        elif self.margin >= 70:
            words.append("profitable")
        if not self.csat_offered:
            words.append("no CSAT")
        elif self.feedback_now < 80:
            words.append("unhappy")
        elif self.feedback_now >= 95:
            words.append("happy")
        if self.touchpoints_now < 50:
            words.append("ping-pong")
        elif self.touchpoints_now >= 80:
            words.append("one-touch")
        if self.sla_now < 80:
            words.append("SLA-breaking")
        elif self.sla_now >= 95:
            words.append("SLA-keeping")
        return words


def _value_for_score(kpi: str, score: float) -> float:
    """The KPI value that scores `score` under the default thresholds, kept physical."""
    (bad, good), (low, high) = _KPI_SCALE[kpi]
    value = bad + score / 100.0 * (good - bad)
    return min(high, max(low, value))


def _age_days(rng: random.Random, phase: str) -> int:
    if phase == "onboarding":
        return rng.randint(25, 85)
    if phase == "adoption":
        return rng.randint(100, 350)
    return rng.randint(400, 2400)


def draw_profile(
    rng: random.Random,
    index: int,
    tier: Tier,
    phase: str,
    *,
    high_volume: bool = False,
    no_tickets: bool = False,
    no_csat: bool = False,
    no_revenue: bool = False,
) -> OrganizationProfile:
    """One organization's intended behaviour, drawn for its tier (uses `rng` only)."""
    low, high = _TIER_SCORE[tier]
    health = rng.uniform(low, high)
    # Yellow customers are mostly "good at some things, bad at others": give them a weak spot.
    deviations = {kpi: rng.gauss(0.0, 15.0) for kpi in _KPI_SCALE}
    if tier == "yellow" and rng.random() < 0.6:
        weak, strong = rng.sample(list(_KPI_SCALE), 2)
        deviations[weak] -= 35.0
        deviations[strong] += 25.0
    # Centre the deviations on the default weights, so the weighted score stays the intended one.
    shift = sum(_WEIGHTS[k] * d for k, d in deviations.items()) / sum(_WEIGHTS.values())
    scores = {kpi: min(100.0, max(0.0, health + d - shift)) for kpi, d in deviations.items()}
    trend: Trend = rng.choice(("improving", "declining", "stable", "stable"))
    drift = {"improving": -1.0, "declining": 1.0, "stable": 0.0}[trend] * rng.uniform(25, 50)
    age_days = _age_days(rng, phase)
    months = min(HISTORY_DAYS, age_days) / MONTH_DAYS
    rate = rng.uniform(300, 450) if high_volume else rng.lognormvariate(3.2, 0.5)
    tickets = 0 if no_tickets else max(12, round(rate * months))
    # Below a score of 0 the KPI score is the same, but the customer really loses money.
    margin = _value_for_score("balance", min(100.0, health + deviations["balance"] - shift))
    return OrganizationProfile(
        index=index,
        tier=tier,
        trend=trend,
        age_days=age_days,
        tickets=tickets,
        volume_growth=rng.uniform(-0.8, 0.8),
        feedback_now=_value_for_score("feedback", scores["feedback"]),
        feedback_then=_value_for_score("feedback", scores["feedback"] + drift),
        touchpoints_now=_value_for_score("touchpoints", scores["touchpoints"]),
        touchpoints_then=_value_for_score("touchpoints", scores["touchpoints"] + drift),
        sla_now=_value_for_score("sla", scores["sla"]),
        sla_then=_value_for_score("sla", scores["sla"] + drift),
        margin=margin,
        csat_offered=not no_csat,
        has_revenue=not no_revenue,
        high_volume=high_volume,
    )
