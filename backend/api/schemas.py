"""The JSON shapes of the API, for OpenAPI (`/docs`). Bodies are built by the service."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

Colour = Literal["green", "yellow", "red", "grey"]


class ErrorBody(BaseModel):
    detail: str
    code: str | None = None  # docs/api.md "Errors"


class OrganizationRef(BaseModel):
    id: int
    name: str


class KpiBody(BaseModel):
    key: Literal["balance", "feedback", "touchpoints", "sla"]
    value: float | None
    unit: str
    score: float | None
    colour: Colour
    weight: float
    sample_size: int
    detail: dict[str, Any]


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
    settings_warnings: list[str]
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
