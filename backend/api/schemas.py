"""The JSON shapes of the API, for OpenAPI (`/docs`). Bodies are built by the service."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Colour = Literal["green", "yellow", "red", "grey"]


class ErrorBody(BaseModel):
    detail: str
    code: str  # docs/api.md "Errors"
    fields: list[str] | None = Field(default=None, description="422 only: the fields at fault")


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


class KpiChangeBody(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    key: str
    from_: float = Field(alias="from")
    to: float
    delta: float
    effect: float


class TrendBody(BaseModel):
    delta_30d: float | None
    history: list[HistoryPoint]
    kpi_changes: list[KpiChangeBody]


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


class PortfolioGoal(BaseModel):
    target: float
    reached: bool | None
    gap: float | None


class PortfolioOrganization(BaseModel):
    id: int
    name: str
    score: float | None
    colour: Colour
    delta_30d: float | None
    phase: Literal["onboarding", "adoption", "success"] | None
    goal: PortfolioGoal
    weakest_kpi: str | None
    kpis: dict[str, float | None]
    potential: float | None
    churned: bool


class DistributionBody(BaseModel):
    green: int
    yellow: int
    red: int
    grey: int


class PortfolioBody(BaseModel):
    organizations: list[PortfolioOrganization]
    distribution: DistributionBody
    focus: list[int]
    thresholds: ColourThresholds
    as_of: str | None
    sync: SyncBody
    settings_warnings: list[str]


class SharesBody(BaseModel):
    green: float | None
    yellow: float | None
    red: float | None


class CalibrationBody(BaseModel):
    green_threshold: float | None
    red_threshold: float | None
    shares: SharesBody
    organizations: int
    target: SharesBody
    exact: bool
    note: str | None


class PreviewRequest(BaseModel):
    settings: dict[str, str | float | bool | None] = Field(
        description="Any of the app's settings, in Zendesk's string form (numbers allowed)",
        max_length=100,
    )


class ColourChangeBody(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: int
    name: str
    from_: Colour = Field(alias="from")
    to: Colour
    score: float | None
    previous_score: float | None


class PreviewBody(BaseModel):
    distribution: DistributionBody
    changes: list[ColourChangeBody]
    organizations: int
    thresholds: ColourThresholds
    settings_warnings: list[str]
    settings_problems: list[SettingsProblemBody]


class TopDecileBody(BaseModel):
    organizations: int
    churned: int


class BacktestBody(BaseModel):
    auc: float | None
    top_decile_lift: float | None
    churned: int
    retained: int
    top_decile: TopDecileBody
    base_rate: float | None
    source: Literal["tag", "date_field", "both"]
    settings_warnings: list[str]
