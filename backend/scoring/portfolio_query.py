"""The portfolio's filters (`colour`, `phase`, `goal`) and its sort by any column, nulls last."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Final, Literal

from backend.scoring.portfolio import COLOURS, PortfolioRow
from backend.scoring.settings import KPI_KEYS

GoalFilter = Literal["reached", "missed"]
PHASES: Final = ("onboarding", "adoption", "success")
DEFAULT_SORT: Final = "score"  # worst first, organizations without a score last
# Ascending means worst first, as for the score: red before yellow before green.
_COLOUR_ORDER: Final = {"red": 0, "yellow": 1, "green": 2}
_PHASE_ORDER: Final = {phase: index for index, phase in enumerate(PHASES)}
_KPI_ORDER: Final = {key: index for index, key in enumerate(KPI_KEYS)}

SortValue = float | str | bool


def _kpi_score(key: str) -> Callable[[PortfolioRow], SortValue | None]:
    return lambda row: row.kpis.get(key)


# column -> the value rows are ordered by; None sorts last in both directions.
_SORT_KEYS: Final[dict[str, Callable[[PortfolioRow], SortValue | None]]] = {
    "id": lambda r: r.id,
    "name": lambda r: r.name.casefold(),
    "score": lambda r: r.score,
    "colour": lambda r: _COLOUR_ORDER.get(r.colour),
    "delta_30d": lambda r: r.delta_30d,
    "phase": lambda r: None if r.phase is None else _PHASE_ORDER[r.phase],
    "goal": lambda r: r.goal.gap,
    "weakest_kpi": lambda r: None if r.weakest_kpi is None else _KPI_ORDER[r.weakest_kpi],
    "potential": lambda r: r.potential,
    "churned": lambda r: r.churned,
    **{key: _kpi_score(key) for key in KPI_KEYS},
}
SORT_COLUMNS: Final = tuple(_SORT_KEYS)


class InvalidQuery(ValueError):
    """A query parameter the portfolio cannot use; `parameter` names it."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter


@dataclass(frozen=True, slots=True)
class PortfolioQuery:
    """Which rows to show and in which order; empty filters show everything."""

    colours: frozenset[str] = frozenset()
    phases: frozenset[str] = frozenset()
    goal: GoalFilter | None = None
    sort: str = DEFAULT_SORT
    descending: bool = False

    @classmethod
    def parse(
        cls,
        *,
        colour: str | None = None,
        phase: str | None = None,
        goal: str | None = None,
        sort: str | None = None,
    ) -> PortfolioQuery:
        """From the query string: comma-separated `colour` and `phase`, `goal=reached|missed`,
        `sort=column` or `sort=-column` (descending). Blank means no filter / the default."""
        column, descending = _sort(sort)
        return cls(
            colours=_choices("colour", colour, COLOURS),
            phases=_choices("phase", phase, PHASES),
            goal=_goal(goal),
            sort=column,
            descending=descending,
        )

    def keeps(self, row: PortfolioRow) -> bool:
        if self.colours and row.colour not in self.colours:
            return False
        if self.phases and row.phase not in self.phases:
            return False
        if self.goal == "reached":
            return row.goal.reached is True
        if self.goal == "missed":
            return row.goal.reached is False
        return True

    def apply(self, rows: Iterable[PortfolioRow]) -> list[PortfolioRow]:
        """The rows that pass the filters, sorted; equal values keep id order."""
        key = _SORT_KEYS[self.sort]
        kept = sorted((r for r in rows if self.keeps(r)), key=lambda r: r.id)
        valued = [r for r in kept if key(r) is not None]
        # Python's sort is stable also with reverse=True, so ties stay in id order.
        valued.sort(key=key, reverse=self.descending)  # type: ignore[arg-type]
        return valued + [r for r in kept if key(r) is None]


def _choices(parameter: str, raw: str | None, allowed: tuple[str, ...]) -> frozenset[str]:
    if raw is None:
        return frozenset()
    chosen = frozenset(part.strip().lower() for part in raw.split(",") if part.strip())
    unknown = sorted(chosen - set(allowed))
    if unknown:
        raise InvalidQuery(
            parameter, f"{', '.join(map(repr, unknown))} is not one of {', '.join(allowed)}"
        )
    return chosen


def _goal(raw: str | None) -> GoalFilter | None:
    value = (raw or "").strip().lower()
    if not value:
        return None
    if value == "reached":
        return "reached"
    if value == "missed":
        return "missed"
    raise InvalidQuery("goal", f"{raw!r} is not reached or missed")


def _sort(raw: str | None) -> tuple[str, bool]:
    # A '+' typed into a URL arrives as a space, so both are read as "ascending".
    value = (raw or "").strip().lstrip("+").strip()
    if not value:
        return DEFAULT_SORT, False
    descending = value.startswith("-")
    column = value.removeprefix("-").strip()
    if column not in _SORT_KEYS:
        raise InvalidQuery("sort", f"{raw!r} is not a column; use one of {', '.join(SORT_COLUMNS)}")
    return column, descending
