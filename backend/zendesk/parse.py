"""Turn Zendesk's JSON into the scoring core's facts, trusting nothing about its shape.

Zendesk leaves fields null, sends numbers as strings ("745"), and varies satisfaction and
metric-set shapes between endpoints and plans. Everything odd becomes `None` (the core treats
that as "Zendesk did not say"); only a ticket without a usable id or created_at is rejected,
with a typed error naming the field, so the caller can skip that one ticket.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime
from types import MappingProxyType

from backend.scoring.facts import OrganizationFacts, TicketFacts
from backend.zendesk.errors import MalformedOrganization, MalformedTicket

UNKNOWN_STATUS = "unknown"
# A ticket form rarely has more; the cap bounds what one hostile ticket can make us store.
MAX_CUSTOM_FIELDS = 200
_NO_FIELDS: Mapping[int, float] = MappingProxyType({})


def parse_ticket(raw: dict[str, object], metric_set: dict[str, object] | None) -> TicketFacts:
    """One ticket (and its metric set, if any) as TicketFacts.

    When `metric_set` is None, a `metric_set` embedded in the ticket is used instead, so
    callers need not know which of Zendesk's two sideload shapes they got.
    """
    if not isinstance(raw, Mapping):
        raise MalformedTicket("ticket object")
    ticket_id = as_int(raw.get("id"))
    if ticket_id is None or ticket_id <= 0:
        raise MalformedTicket("id", raw.get("id"))
    created_at = parse_timestamp(raw.get("created_at"))
    if created_at is None:
        raise MalformedTicket("created_at", ticket_id)
    # updated_at only orders the sync; a ticket without one is at least as new as its creation.
    updated_at = parse_timestamp(raw.get("updated_at")) or created_at

    metrics = metric_set if isinstance(metric_set, Mapping) else raw.get("metric_set")
    has_metrics = isinstance(metrics, Mapping)
    metric_values: Mapping[str, object] = metrics if isinstance(metrics, Mapping) else {}

    return TicketFacts(
        id=ticket_id,
        created_at=created_at,
        updated_at=updated_at,
        status=_lower(raw.get("status")) or UNKNOWN_STATUS,
        priority=_lower(raw.get("priority")),
        satisfaction=_satisfaction(raw.get("satisfaction_rating")),
        has_metrics=has_metrics,
        replies=_count(metric_values.get("replies")),
        reply_minutes=_business_minutes(metric_values.get("reply_time_in_minutes")),
        resolution_minutes=_business_minutes(metric_values.get("full_resolution_time_in_minutes")),
        custom_fields=_numeric_custom_fields(raw),
    )


def parse_organization(raw: dict[str, object]) -> OrganizationFacts:
    """An organization as OrganizationFacts; its custom fields keep Zendesk's raw values."""
    if not isinstance(raw, Mapping):
        raise MalformedOrganization("Zendesk sent an organization that is not an object")
    org_id = as_int(raw.get("id"))
    if org_id is None or org_id <= 0:
        raise MalformedOrganization("Zendesk sent an organization without a usable id")
    name = raw.get("name")
    fields = raw.get("organization_fields")
    tags = raw.get("tags")
    return OrganizationFacts(
        id=org_id,
        name=name.strip()[:255]
        if isinstance(name, str) and name.strip()
        else f"Organization {org_id}",
        created_at=parse_timestamp(raw.get("created_at")),
        fields=MappingProxyType(dict(fields)) if isinstance(fields, Mapping) else {},
        tags=tuple(t.strip().lower() for t in tags if isinstance(t, str) and t.strip())
        if isinstance(tags, list)
        else (),
    )


def parse_timestamp(value: object) -> datetime | None:
    """ISO 8601 (with `Z` or an offset) or Unix seconds → an aware UTC datetime, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        if not math.isfinite(value):
            return None
        try:
            return datetime.fromtimestamp(value, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    # Zendesk always sends UTC; a naive stamp is read as UTC rather than local time.
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def as_int(value: object) -> int | None:
    """An integer from an int, an integral float or a numeric string ("745", "745.0")."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) else None
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            pass
        try:
            number = float(text)
        except ValueError:
            return None
        return int(number) if math.isfinite(number) else None
    return None


def _count(value: object) -> int | None:
    number = as_int(value)
    return number if number is not None and number >= 0 else None


def _business_minutes(value: object) -> int | None:
    # A time object is {"business": n, "calendar": n}; either may be null before the event.
    if not isinstance(value, Mapping):
        return None
    return _count(value.get("business"))


def _satisfaction(value: object) -> str | None:
    # Zendesk sends an object with a score, null on plans without CSAT, and (seen in older
    # payloads) a bare string; the scoring core decides what counts as good or bad.
    score = value.get("score") if isinstance(value, Mapping) else value
    return _lower(score)


def _numeric_custom_fields(raw: Mapping[str, object]) -> Mapping[int, float]:
    """Every custom field whose value is a number ("745" counts), keyed by field id.

    Kept whole so that a setting naming a field (the time-tracking field) applies at scoring
    time; text, checkbox and empty fields say nothing numeric and are left out.
    """
    numbers: dict[int, float] = {}
    for key in ("custom_fields", "fields"):  # `fields` is Zendesk's older alias
        entries = raw.get(key)
        if not isinstance(entries, list):
            continue
        for entry in entries[:MAX_CUSTOM_FIELDS]:
            if not isinstance(entry, Mapping):
                continue
            field_id, value = as_int(entry.get("id")), _finite(entry.get("value"))
            if field_id is not None and value is not None:
                numbers.setdefault(field_id, value)
    return MappingProxyType(numbers) if numbers else _NO_FIELDS


def _finite(value: object) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def _lower(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    return text or None
