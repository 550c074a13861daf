"""Zendesk's JSON for demo tickets and their metric sets, rendered when a page is served."""

from __future__ import annotations

import time
from typing import Any

from backend.demo.tickets import TIME_LAST_UPDATE_FIELD_ID, TIME_SPENT_FIELD_ID, TicketRecord


def iso(timestamp: int | None) -> str | None:
    if timestamp is None:
        return None
    # time.strftime is twice as fast as datetime's, and a page renders thousands of these.
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(timestamp))


def satisfaction_json(record: TicketRecord) -> dict[str, Any] | None:
    score = record.satisfaction
    if score is None:
        return None
    if score in ("offered", "unoffered"):
        return {"score": score}
    rating: dict[str, Any] = {"id": record.id + 5_000_000, "score": score}
    rating["comment"] = record.satisfaction_comment
    if score == "bad":
        rating["reason"] = "Took too long" if record.satisfaction_comment else "No reason provided"
    return rating


def ticket_json(record: TicketRecord, base_url: str, agent_id: int) -> dict[str, Any]:
    """The ticket as Zendesk's Tickets API returns it (fields the product or a client may read)."""
    time_value = None if record.time_spent is None else str(record.time_spent)
    return {
        "url": f"{base_url}/api/v2/tickets/{record.id}.json",
        "id": record.id,
        "external_id": None,
        "via": {"channel": "email", "source": {"from": {}, "to": {}, "rel": None}},
        "created_at": iso(record.created_at),
        "updated_at": iso(record.updated_at),
        "generated_timestamp": record.updated_at,
        "type": "question" if record.id % 3 else "incident",
        "subject": record.subject,
        "raw_subject": record.subject,
        "description": record.subject,
        "priority": record.priority,
        "status": record.status,
        "recipient": None,
        "requester_id": record.requester_id,
        "submitter_id": record.requester_id,
        "assignee_id": None if record.status == "new" else agent_id,
        "organization_id": record.organization_id,
        "group_id": 360000100,
        "collaborator_ids": [],
        "follower_ids": [],
        "email_cc_ids": [],
        "forum_topic_id": None,
        "problem_id": None,
        "has_incidents": False,
        "is_public": True,
        "due_at": None,
        "tags": [],
        "custom_fields": [
            {"id": TIME_SPENT_FIELD_ID, "value": time_value},
            {"id": TIME_LAST_UPDATE_FIELD_ID, "value": time_value},
        ],
        "satisfaction_rating": satisfaction_json(record),
        "sharing_agreement_ids": [],
        "followup_ids": [],
        "ticket_form_id": 360000200,
        "brand_id": 360000300,
        "allow_channelback": False,
        "allow_attachments": True,
        "from_messaging_channel": False,
    }


def _minutes(business: int | None, calendar: int | None) -> dict[str, int | None]:
    return {"business": business, "calendar": calendar}


def metric_set_json(record: TicketRecord, base_url: str) -> dict[str, Any] | None:
    """The ticket's metric set (Ticket Metrics API shape), or None when it has none."""
    metrics = record.metrics
    if metrics is None:
        return None
    metric_id = record.id + 7_000_000_000
    first_reply_at = None
    if metrics.reply_calendar is not None:
        first_reply_at = record.created_at + metrics.reply_calendar * 60
    wait_business = metrics.resolution_business
    wait_calendar = metrics.resolution_calendar
    return {
        "url": f"{base_url}/api/v2/ticket_metrics/{metric_id}.json",
        "id": metric_id,
        "ticket_id": record.id,
        "created_at": iso(record.created_at),
        "updated_at": iso(record.updated_at),
        "group_stations": 1,
        "assignee_stations": 1 if metrics.replies else 0,
        "reopens": metrics.reopens,
        "replies": metrics.replies,
        "assignee_updated_at": iso(first_reply_at),
        "requester_updated_at": iso(record.created_at),
        "status_updated_at": iso(record.updated_at),
        "initially_assigned_at": iso(first_reply_at),
        "assigned_at": iso(first_reply_at),
        "solved_at": iso(metrics.solved_at),
        "latest_comment_added_at": iso(record.updated_at),
        "custom_status_updated_at": iso(record.updated_at),
        "reply_time_in_minutes": _minutes(metrics.reply_business, metrics.reply_calendar),
        "first_resolution_time_in_minutes": _minutes(
            metrics.resolution_business, metrics.resolution_calendar
        ),
        "full_resolution_time_in_minutes": _minutes(
            metrics.resolution_business, metrics.resolution_calendar
        ),
        "agent_wait_time_in_minutes": _minutes(wait_business, wait_calendar),
        "requester_wait_time_in_minutes": _minutes(wait_business, wait_calendar),
        "on_hold_time_in_minutes": _minutes(0, 0),
    }
