"""What the scoring core returns: frozen results that serialise to the JSON of DESIGN.md §5."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

Colour = Literal["green", "yellow", "red", "grey"]
Phase = Literal["onboarding", "adoption", "success"]


@dataclass(frozen=True, slots=True)
class KpiResult:
    """One KPI: its value in its own unit, the 0–100 score, and how it was reached."""

    key: str
    value: float | None
    unit: str
    score: float | None
    colour: Colour
    weight: float
    sample_size: int
    detail: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "value": self.value,
            "unit": self.unit,
            "score": self.score,
            "colour": self.colour,
            "weight": self.weight,
            "sample_size": self.sample_size,
            "detail": dict(self.detail),
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
class Trend:
    delta_30d: float | None
    history: tuple[Snapshot, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "delta_30d": self.delta_30d,
            "history": [{"date": s.day.isoformat(), "score": s.score} for s in self.history],
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
    settings_warnings: tuple[str, ...] = ()

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
            "settings_warnings": list(self.settings_warnings),
        }
