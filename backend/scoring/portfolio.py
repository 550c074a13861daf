"""The portfolio: one row per organization, the colour distribution, potential and focus."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from backend.scoring.facts import OrganizationFacts
from backend.scoring.report import Colour, Goal, HealthReport, KpiResult, Phase
from backend.scoring.settings import ScoringSettings

COLOURS: Final[tuple[Colour, ...]] = ("green", "yellow", "red", "grey")


@dataclass(frozen=True, slots=True)
class Distribution:
    """How many organizations have each colour; grey ones have no score."""

    green: int = 0
    yellow: int = 0
    red: int = 0
    grey: int = 0

    @property
    def scored(self) -> int:
        return self.green + self.yellow + self.red

    def to_dict(self) -> dict[str, int]:
        return {"green": self.green, "yellow": self.yellow, "red": self.red, "grey": self.grey}


def distribution(colours: Iterable[Colour]) -> Distribution:
    counts = Counter(colours)
    return Distribution(counts["green"], counts["yellow"], counts["red"], counts["grey"])


def weakest_kpi(kpis: Sequence[KpiResult]) -> KpiResult | None:
    """The weighted yellow or red KPI with the largest shortfall weight · (100 − score).

    That is the KPI of the report's first recommendation, so the portfolio and the sidebar
    name the same KPI; None when every weighted KPI is green or has no data.
    """
    flagged = [
        k for k in kpis if k.score is not None and k.weight > 0 and k.colour in ("yellow", "red")
    ]
    return min(flagged, key=lambda k: (-k.weight * (100 - (k.score or 0)), k.score), default=None)


def potential(kpis: Sequence[KpiResult], settings: ScoringSettings) -> float | None:
    """Points of health gained by bringing the weakest KPI to green, the others held:

        potential = weight · (green_threshold − score) / Σ weight

    over the KPIs counted in the score; 0 when no weighted KPI is yellow or red, None when
    there is no score.
    """
    total_weight = sum(k.weight for k in kpis if k.score is not None and k.weight > 0)
    if total_weight == 0:
        return None
    weakest = weakest_kpi(kpis)
    if weakest is None or weakest.score is None:
        return 0.0
    return weakest.weight * (settings.green_threshold - weakest.score) / total_weight


@dataclass(frozen=True, slots=True)
class PortfolioRow:
    """One organization in the portfolio (DESIGN §11 plus `potential` and `churned`)."""

    id: int
    name: str
    score: float | None
    colour: Colour
    delta_30d: float | None
    phase: Phase | None
    goal: Goal
    weakest_kpi: str | None
    kpis: Mapping[str, float | None]
    potential: float | None
    churned: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "score": self.score,
            "colour": self.colour,
            "delta_30d": self.delta_30d,
            "phase": self.phase,
            "goal": self.goal.to_dict(),
            "weakest_kpi": self.weakest_kpi,
            "kpis": dict(self.kpis),
            "potential": self.potential,
            "churned": self.churned,
        }


def portfolio_row(
    organization: OrganizationFacts,
    report: HealthReport,
    settings: ScoringSettings,
    *,
    delta_30d: float | None,
    churned: bool,
) -> PortfolioRow:
    """The row of one organization, from its report under `settings`."""
    weakest = weakest_kpi(report.kpis)
    return PortfolioRow(
        id=organization.id,
        name=organization.name,
        score=report.score,
        colour=report.colour,
        delta_30d=delta_30d,
        phase=report.phase,
        goal=report.goal,
        weakest_kpi=None if weakest is None else weakest.key,
        kpis={k.key: k.score for k in report.kpis},
        potential=potential(report.kpis, settings),
        churned=churned,
    )


def focus(rows: Iterable[PortfolioRow]) -> tuple[int, ...]:
    """Ids of the organizations below their goal, highest potential first.

    Equal potential: the one closer to its goal first (smaller gap), then by id.
    """
    below = [r for r in rows if r.goal.reached is False]
    below.sort(key=lambda r: (-(r.potential or 0.0), r.goal.gap or 0.0, r.id))
    return tuple(r.id for r in below)
