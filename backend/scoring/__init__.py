"""The pure scoring core: ticket and organization facts plus settings in, a health report out.

Nothing here does I/O or imports a framework; every other part of the product calls it.
"""

from backend.scoring.facts import OrganizationFacts, TicketFacts
from backend.scoring.health import compute_health
from backend.scoring.report import (
    Colour,
    Goal,
    HealthReport,
    KpiResult,
    Recommendation,
    Snapshot,
    Trend,
)
from backend.scoring.settings import KPI_KEYS, ScoringSettings
from backend.scoring.trend import trend

__all__ = [
    "KPI_KEYS",
    "Colour",
    "Goal",
    "HealthReport",
    "KpiResult",
    "OrganizationFacts",
    "Recommendation",
    "ScoringSettings",
    "Snapshot",
    "TicketFacts",
    "Trend",
    "compute_health",
    "trend",
]
