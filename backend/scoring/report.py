"""What the scoring core returns: frozen results that serialise to the JSON of DESIGN.md §5."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from backend.scoring.settings import SettingsProblem

Colour = Literal["green", "yellow", "red", "grey"]
Phase = Literal["onboarding", "adoption", "success"]


@dataclass(frozen=True, slots=True)
class DrillDownTicket:
    """A ticket that pulls a KPI down, and why: `reason` is a code (docs/scoring.md)."""

    id: int
    reason: str
    value: float | None = None
    target: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "reason": self.reason, "value": self.value, "target": self.target}


@dataclass(frozen=True, slots=True)
class KpiResult:
    """One KPI: its value in its own unit, the 0–100 score, and how it was reached.

    `thresholds` are the (good, bad) values that score 100 and 0, so a reader can place the
    value on its scale; `tickets` are the ones pulling a yellow or red KPI down.
    """

    key: str
    value: float | None
    unit: str
    score: float | None
    colour: Colour
    weight: float
    sample_size: int
    detail: Mapping[str, Any] = field(default_factory=dict)
    thresholds: tuple[float, float] | None = None
    tickets: tuple[DrillDownTicket, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        good_bad = None
        if self.thresholds is not None:
            good_bad = {"good": self.thresholds[0], "bad": self.thresholds[1]}
        return {
            "key": self.key,
            "value": self.value,
            "unit": self.unit,
            "score": self.score,
            "colour": self.colour,
            "weight": self.weight,
            "sample_size": self.sample_size,
            "detail": dict(self.detail),
            "thresholds": good_bad,
            "tickets": [t.to_dict() for t in self.tickets],
        }


@dataclass(frozen=True, slots=True)
class Recommendation:
    kpi: str
    colour: Colour
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"kpi": self.kpi, "colour": self.colour, "text": self.text}


@dataclass(frozen=True, slots=True)
class Goal:
    target: float
    reached: bool | None
    gap: float | None

    def to_dict(self) -> dict[str, Any]:
        return {"target": self.target, "reached": self.reached, "gap": self.gap}


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One organization's score on one day, and its KPIs' scores by key."""

    day: date
    score: float | None
    kpis: Mapping[str, float | None] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class KpiChange:
    """One KPI's score then and now, and how much that moved the health score (`effect`)."""

    key: str
    before: float
    after: float
    delta: float
    effect: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "from": self.before,
            "to": self.after,
            "delta": self.delta,
            "effect": self.effect,
        }


@dataclass(frozen=True, slots=True)
class Trend:
    delta_30d: float | None
    history: tuple[Snapshot, ...]
    kpi_changes: tuple[KpiChange, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "delta_30d": self.delta_30d,
            "history": [{"date": s.day.isoformat(), "score": s.score} for s in self.history],
            "kpi_changes": [c.to_dict() for c in self.kpi_changes],
        }


@dataclass(frozen=True, slots=True)
class HealthReport:
    """Everything the sidebar endpoint returns that the core computes."""

    score: float | None
    colour: Colour
    kpis: tuple[KpiResult, ...]
    recommendations: tuple[Recommendation, ...]
    goal: Goal
    phase: Phase | None
    window_days: int
    green_threshold: float
    red_threshold: float
    settings_warnings: tuple[str, ...] = ()
    # One per warning, in the same order: the structured form the app words for admins.
    settings_problems: tuple[SettingsProblem, ...] = ()

    def kpi(self, key: str) -> KpiResult:
        return next(k for k in self.kpis if k.key == key)

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "colour": self.colour,
            "kpis": [k.to_dict() for k in self.kpis],
            "recommendations": [r.to_dict() for r in self.recommendations],
            "goal": self.goal.to_dict(),
            "phase": self.phase,
            "window_days": self.window_days,
            "thresholds": {"green": self.green_threshold, "red": self.red_threshold},
            "settings_warnings": list(self.settings_warnings),
            "settings_problems": [p.to_dict() for p in self.settings_problems],
        }
