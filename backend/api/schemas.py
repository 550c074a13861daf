"""The JSON shapes of the API, for OpenAPI (`/docs`). Bodies are built by the service."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

Colour = Literal["green", "yellow", "red", "grey"]


class ErrorBody(BaseModel):
    detail: str
    code: str  # docs/api.md "Errors"


class OrganizationRef(BaseModel):
    id: int
    name: str


class DrillDownTicketBody(BaseModel):
    id: int
    reason: Literal[
        "bad_rating", "many_replies", "missed_first_reply", "missed_resolution", "high_handle_time"
    ]
    value: float | None
    target: float | None


class KpiThresholds(BaseModel):
    good: float
    bad: float


class KpiBody(BaseModel):
    key: Literal["balance", "feedback", "touchpoints", "sla"]
    value: float | None
    unit: str
    score: float | None
    colour: Colour
    weight: float
    sample_size: int
    detail: dict[str, Any]
    thresholds: KpiThresholds | None
    tickets: list[DrillDownTicketBody]


class RecommendationBody(BaseModel):
    kpi: str
    colour: Colour
    text: str


class HistoryPoint(BaseModel):
    date: str
    score: float | None


class TrendBody(BaseModel):
    delta_30d: float | None
    history: list[HistoryPoint]


class GoalBody(BaseModel):
    target: float
    reached: bool | None
    gap: float | None


class ColourThresholds(BaseModel):
    green: float
    red: float


class SettingsProblemBody(BaseModel):
    setting: str | None
    code: str  # listed in backend/scoring/settings.py
    value: str | None
    default: str | None
    params: dict[str, Any]


class HealthBody(BaseModel):
    organization: OrganizationRef
    score: float | None
    colour: Colour
    kpis: list[KpiBody]
    recommendations: list[RecommendationBody]
    trend: TrendBody
    goal: GoalBody
    phase: Literal["onboarding", "adoption", "success"] | None
    window_days: int
    thresholds: ColourThresholds
    settings_warnings: list[str]
    settings_problems: list[SettingsProblemBody]
    computed_at: str
    data_as_of: str | None
    stale: bool
    stale_reason: str | None
    stale_code: str | None
    refreshing: bool


class Progress(BaseModel):
    fetched: int
    total: int | None


class ComputingBody(BaseModel):
    status: Literal["computing"]
    progress: Progress


class WhoAmIBody(BaseModel):
    tenant: str
    installation_id: int | None


class SyncBody(BaseModel):
    state: Literal["never", "running", "idle", "failing"]
    phase: Literal["full", "incremental"] | None
    tickets: int
    organizations: int
    progress: float | None
    eta_seconds: float | None
    last_success_at: str | None
    last_error: str | None
    last_error_code: str | None
