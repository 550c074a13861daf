"""Turning the JSON of `POST /api/v2/tickets` and `PUT /api/v2/tickets/{id}` into demo records.

Besides Zendesk's own fields the demo accepts two extensions, so tests can build any history:
`metric_set` (the ticket's metrics: replies, reply and resolution minutes, solved_at) and
`created_at` (back-dating a new ticket; real Zendesk allows that only through imports).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from backend.demo.tickets import TIME_SPENT_FIELD_ID, MetricSet, TicketRecord

STATUSES = ("new", "open", "pending", "hold", "solved", "closed")
PRIORITIES = ("urgent", "high", "normal", "low")


class InvalidTicket(ValueError):
    """The payload cannot become a ticket; the message says which field (a 422 in Zendesk)."""


def _timestamp(value: object, name: str) -> int:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, str):
        try:
            return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())
        except ValueError:
            pass
    raise InvalidTicket(f"{name}: not a time")


def _optional_int(value: object, name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise InvalidTicket(f"{name}: not a number")
    try:
        return int(float(value))
    except ValueError:
        raise InvalidTicket(f"{name}: not a number") from None


def _minutes(raw: Mapping[str, Any], key: str) -> tuple[int | None, int | None]:
    times = raw.get(key)
    if times is None:
        return None, None
    if not isinstance(times, Mapping):
        raise InvalidTicket(f"metric_set.{key}: expected {{business, calendar}}")
    business = _optional_int(times.get("business"), f"metric_set.{key}.business")
    calendar = _optional_int(times.get("calendar", business), f"metric_set.{key}.calendar")
    return business, calendar


def metric_set_from_json(raw: object) -> MetricSet | None:
    """The demo extension `metric_set`: Ticket Metrics JSON, any field may be left out."""
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise InvalidTicket("metric_set: expected an object")
    reply = _minutes(raw, "reply_time_in_minutes")
    resolution = _minutes(raw, "full_resolution_time_in_minutes")
    solved_at = raw.get("solved_at")
    return MetricSet(
        replies=_optional_int(raw.get("replies"), "metric_set.replies") or 0,
        reply_business=reply[0],
        reply_calendar=reply[1],
        resolution_business=resolution[0],
        resolution_calendar=resolution[1],
        solved_at=None if solved_at is None else _timestamp(solved_at, "metric_set.solved_at"),
        reopens=_optional_int(raw.get("reopens"), "metric_set.reopens") or 0,
    )


def _satisfaction(raw: object) -> tuple[str | None, str | None]:
    if raw is None:
        return None, None
    if isinstance(raw, str):
        raw = {"score": raw}
    if not isinstance(raw, Mapping) or raw.get("score") not in (
        "offered",
        "unoffered",
        "good",
        "bad",
    ):
        raise InvalidTicket("satisfaction_rating: score must be offered, unoffered, good or bad")
    comment = raw.get("comment")
    return str(raw["score"]), None if comment is None else str(comment)


def _time_spent(custom_fields: object, current: int | None) -> int | None:
    if custom_fields is None:
        return current
    if not isinstance(custom_fields, list):
        raise InvalidTicket("custom_fields: expected a list")
    for entry in custom_fields:
        if isinstance(entry, Mapping) and entry.get("id") == TIME_SPENT_FIELD_ID:
            return _optional_int(entry.get("value"), "custom_fields.value")
    return current


def changed_fields(record: TicketRecord, payload: Mapping[str, Any]) -> dict[str, Any]:
    """The record fields a create or update payload sets (unknown Zendesk fields are ignored)."""
    changes: dict[str, Any] = {}
    if "status" in payload:
        if payload["status"] not in STATUSES:
            raise InvalidTicket(f"status: must be one of {', '.join(STATUSES)}")
        changes["status"] = payload["status"]
    if "priority" in payload:
        if payload["priority"] is not None and payload["priority"] not in PRIORITIES:
            raise InvalidTicket(f"priority: must be one of {', '.join(PRIORITIES)} or null")
        changes["priority"] = payload["priority"]
    if "subject" in payload:
        changes["subject"] = str(payload["subject"])
    if "satisfaction_rating" in payload:
        changes["satisfaction"], changes["satisfaction_comment"] = _satisfaction(
            payload["satisfaction_rating"]
        )
    if "custom_fields" in payload:
        changes["time_spent"] = _time_spent(payload["custom_fields"], record.time_spent)
    if "metric_set" in payload:
        changes["metrics"] = metric_set_from_json(payload["metric_set"])
    return changes


def new_record(
    payload: Mapping[str, Any], ticket_id: int, organization_id: int, requester_id: int, now: int
) -> TicketRecord:
    created = _timestamp(payload["created_at"], "created_at") if "created_at" in payload else now
    blank = TicketRecord(
        id=ticket_id,
        organization_id=organization_id,
        requester_id=requester_id,
        created_at=created,
        updated_at=max(created, now),
        status="new",
        priority=None,
        subject="(no subject)",
        satisfaction=None,
        satisfaction_comment=None,
        time_spent=None,
        metrics=MetricSet(0, None, None, None, None, None),
    )
    return dataclasses.replace(blank, **changed_fields(blank, payload))
