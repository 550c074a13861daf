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
    (`replies`, the two business-minute times) are then None as well. `custom_fields` keeps
    every numeric custom field value by field id, so settings that name a field (the
    time-tracking field) apply when scoring, never when fetching.
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
    custom_fields: Mapping[int, float] = field(default_factory=dict, hash=False)

    @property
    def solved(self) -> bool:
        return self.status in SOLVED_STATUSES


@dataclass(frozen=True, slots=True)
class OrganizationFacts:
    """An organization as the score needs it: identity, age, custom field values and tags."""

    id: int
    name: str
    created_at: datetime | None = None
    fields: Mapping[str, object] = field(default_factory=dict)
    tags: tuple[str, ...] = ()
