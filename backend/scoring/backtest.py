"""How well a low score singled out the organizations that churned: ROC AUC and top-decile lift.

Churn is read from an organization tag (`churn_tag`) or a date field (`churn_date_field`); a
churned organization is judged by its last score before the churn date, so the backtest asks
what the score said while there was still time to act.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from itertools import groupby
from typing import Any, Final, Literal

from backend.scoring.report import Snapshot
from backend.scoring.settings import ScoringSettings

ChurnSource = Literal["tag", "date_field", "both"]
DECILE: Final = 10  # the lowest-scoring tenth of the scored organizations


@dataclass(frozen=True, slots=True)
class Churn:
    """Whether an organization churned, by which signal, and on which day if its field says.

    `problem` is a warning for admins when the date field holds something that is not a date.
    """

    by_tag: bool = False
    on: date | None = None
    problem: str | None = None

    @property
    def churned(self) -> bool:
        return self.by_tag or self.on is not None


def churn_of(
    organization_id: int,
    tags: Iterable[str],
    fields: Mapping[str, object],
    settings: ScoringSettings,
) -> Churn:
    """Churned when the organization carries `churn_tag` (ignoring case) or its
    `churn_date_field` holds a date (any date, also one still ahead: the customer has given
    notice)."""
    by_tag = settings.churn_tag in {tag.strip().lower() for tag in tags}
    key = settings.churn_date_field
    raw = None if key is None else fields.get(key)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return Churn(by_tag)
    day = _date(raw)
    if day is None:
        problem = (
            f"churn_date_field: organization {organization_id} has {repr(raw)[:40]} in "
            f"'{key}', not a date such as 2026-03-31; it does not count as churned by date"
        )
        return Churn(by_tag, None, problem)
    return Churn(by_tag, day)


def _date(raw: object) -> date | None:
    """A Zendesk date field value: `2026-03-31`, or the same day as `2026-03-31T00:00:00+00:00`."""
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        # The day as written: Zendesk stores date fields as midnight UTC of that day.
        return datetime.fromisoformat(text).date()
    except ValueError:
        return None


def score_for_backtest(
    current: float | None, churn: Churn, history: Iterable[Snapshot]
) -> float | None:
    """The score the backtest judges: for an organization churned on a known date, its latest
    snapshot score from before that date when there is one; otherwise its current score."""
    if churn.on is None:
        return current
    before = [s for s in history if s.day < churn.on and s.score is not None]
    if not before:
        return current
    return max(before, key=lambda s: s.day).score


@dataclass(frozen=True, slots=True)
class Outcome:
    """One organization for the backtest: the score it is judged by, and whether it churned."""

    score: float | None
    churned: bool


@dataclass(frozen=True, slots=True)
class TopDecile:
    organizations: int
    churned: int

    def to_dict(self) -> dict[str, int]:
        return {"organizations": self.organizations, "churned": self.churned}


@dataclass(frozen=True, slots=True)
class Backtest:
    auc: float | None
    top_decile_lift: float | None
    churned: int
    retained: int
    top_decile: TopDecile
    base_rate: float | None
    source: ChurnSource

    def to_dict(self) -> dict[str, Any]:
        return {
            "auc": self.auc,
            "top_decile_lift": self.top_decile_lift,
            "churned": self.churned,
            "retained": self.retained,
            "top_decile": self.top_decile.to_dict(),
            "base_rate": self.base_rate,
            "source": self.source,
        }


def churn_source(churns: Iterable[Churn], settings: ScoringSettings) -> ChurnSource:
    """Which signal marked the churned organizations; with none churned, the signals set up."""
    churned = [c for c in churns if c.churned]
    by_tag = any(c.by_tag for c in churned)
    by_date = any(c.on is not None for c in churned)
    if not churned:
        by_tag, by_date = True, settings.churn_date_field is not None
    if by_tag and by_date:
        return "both"
    return "tag" if by_tag else "date_field"


def backtest(outcomes: Iterable[Outcome], source: ChurnSource) -> Backtest:
    """AUC and top-decile lift over the organizations with a score (the others are left out)."""
    ascending = sorted((o.score, o.churned) for o in outcomes if o.score is not None)
    n = len(ascending)
    churned = sum(was_churned for _, was_churned in ascending)
    retained = n - churned
    decile = _top_decile(ascending)
    both_groups = churned > 0 and retained > 0
    base_rate = churned / n if n else None
    lift = None
    if both_groups and base_rate is not None:
        lift = decile.churned / decile.organizations / base_rate
    return Backtest(
        auc=_auc(ascending, churned, retained) if both_groups else None,
        top_decile_lift=lift,
        churned=churned,
        retained=retained,
        top_decile=decile,
        base_rate=base_rate,
        source=source,
    )


def _auc(ascending: list[tuple[float, bool]], churned: int, retained: int) -> float:
    """P(a churned organization scores lower than a retained one), ties counting one half.

    The Mann–Whitney U of the retained organizations over ascending mid-ranks; ranks are kept
    doubled (whole numbers) so the sum is exact until the one division.
    """
    doubled_rank_sum = 0
    position = 0
    for _, group in groupby(ascending, key=lambda pair: pair[0]):
        members = [was_churned for _, was_churned in group]
        # Ranks position+1 … position+m share their mean, position + (m + 1) / 2.
        doubled_rank = 2 * position + len(members) + 1
        doubled_rank_sum += doubled_rank * members.count(False)
        position += len(members)
    pairs_won_doubled = doubled_rank_sum - retained * (retained + 1)
    return pairs_won_doubled / (2 * churned * retained)


def _top_decile(ascending: list[tuple[float, bool]]) -> TopDecile:
    """The ⌈n / 10⌉ lowest scores, and every organization tied with the last of them."""
    if not ascending:
        return TopDecile(0, 0)
    cut = ascending[math.ceil(len(ascending) / DECILE) - 1][0]
    decile = [was_churned for score, was_churned in ascending if score <= cut]
    return TopDecile(len(decile), sum(decile))
