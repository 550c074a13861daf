"""The facts the scoring core reads: one frozen record per ticket and per organization."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

SOLVED_STATUSES = frozenset({"solved", "closed"})
PRIORITIES = ("urgent", "high", "normal", "low")


@dataclass(frozen=True, slots=True)
class TicketFacts:
    """What the KPIs need to know about one ticket; `None` means Zendesk did not say.

    `has_metrics` is False when the ticket came without a metric set; the metric fields
    (`replies`, the two business-minute times) are then None as well.
    """

    id: int
    created_at: datetime
    updated_at: datetime
    status: str
    priority: str | None = None
    satisfaction: str | None = None
    has_metrics: bool = False
    replies: int | None = None
    reply_minutes: int | None = None
    resolution_minutes: int | None = None
    handle_seconds: int | None = None

    @property
    def solved(self) -> bool:
        return self.status in SOLVED_STATUSES


@dataclass(frozen=True, slots=True)
class OrganizationFacts:
    """An organization as the score needs it: identity, age and its custom field values."""

    id: int
    name: str
    created_at: datetime | None = None
    fields: Mapping[str, object] = field(default_factory=dict)
