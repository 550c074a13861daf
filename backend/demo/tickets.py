"""Demo tickets: a compact record per ticket, drawn lazily from a profile, rendered as Zendesk JSON.

A record holds only what varies between tickets (a few hundred bytes), so a million-ticket
account never has to exist as JSON dicts; the Zendesk shape is produced when a page is served.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from backend.demo.profiles import OrganizationProfile

TIME_SPENT_FIELD_ID: Final = 360000001  # Time Tracking app: "Total time spent (sec)"
TIME_LAST_UPDATE_FIELD_ID: Final = 360000002  # Time Tracking app: "Time spent last update (sec)"
TICKET_ID_STRIDE: Final = 10_000_000  # ticket ids of organization i are (i + 1) · stride + seq
DAY: Final = 86_400

FIRST_REPLY_TARGETS: Final = {"urgent": 60, "high": 240, "normal": 480, "low": 1440}
RESOLUTION_TARGETS: Final = {"urgent": 480, "high": 1440, "normal": 2880, "low": 5760}
_PRIORITIES: Final = ("urgent", "high", "normal", "low", None)
_PRIORITY_WEIGHTS: Final = (5, 20, 55, 10, 10)
_SUBJECTS: Final = (
    "Cannot log in after password reset",
    "Invoice shows the wrong VAT number",
    "Export to CSV times out",
    "How do I add a new user?",
    "Webhook deliveries failing",
    "Feature request: dark mode",
    "Data missing from last week's report",
    "Billing question about annual plan",
    "Integration with Salesforce stopped syncing",
    "API returns 500 on bulk update",
    "Mobile app crashes on start",
    "Need help configuring SSO",
)
_GOOD_COMMENTS: Final = ("Great support, thanks!", "Quick and helpful.", "Solved in minutes.")
_BAD_COMMENTS: Final = ("Took far too long.", "Problem is not solved.", "Nobody answered me.")


@dataclass(frozen=True, slots=True)
class MetricSet:
    """The ticket-metrics values the demo varies; None times mean "not measured yet"."""

    replies: int
    reply_business: int | None
    reply_calendar: int | None
    resolution_business: int | None
    resolution_calendar: int | None
    solved_at: int | None
    reopens: int = 0


@dataclass(frozen=True, slots=True)
class TicketRecord:
    """One demo ticket; times are unix seconds, `satisfaction` is a score or None."""

    id: int
    organization_id: int
    requester_id: int
    created_at: int
    updated_at: int
    status: str
    priority: str | None
    subject: str
    satisfaction: str | None  # None, "offered", "unoffered", "good", "bad"
    satisfaction_comment: str | None
    time_spent: int | None
    metrics: MetricSet | None


def _sorted_positions(rng: random.Random, count: int) -> Iterator[float]:
    """`count` sorted uniforms in [0, 1), ascending, in O(1) memory (order statistics)."""
    remaining = 1.0
    for k in range(count, 0, -1):
        remaining *= rng.random() ** (1.0 / k)
        yield 1.0 - remaining


def _trended(position: float, growth: float) -> float:
    """Map a uniform position through the inverse CDF of the density 1 + growth · (x − ½)."""
    if abs(growth) < 1e-9:
        return position
    a = growth / 2.0
    b = 1.0 - growth / 2.0
    return (-b + math.sqrt(b * b + 4.0 * a * position)) / (2.0 * a)


def _business_and_calendar(rng: random.Random, business: float) -> tuple[int, int]:
    # Calendar time includes nights and weekends, so it is never shorter than business time.
    minutes = max(1, round(business))
    return minutes, round(minutes * rng.uniform(1.0, 3.0))


def _measured(rng: random.Random, target: int, met_share: float) -> float:
    if rng.random() < met_share:
        return target * rng.uniform(0.05, 1.0)
    return target * rng.uniform(1.05, 4.0)


def _status(rng: random.Random, age_days: float) -> str:
    roll = rng.random()
    if age_days > 30:
        return "closed" if roll < 0.97 else ("solved" if roll < 0.99 else "hold")
    if age_days > 4:
        if roll < 0.6:
            return "closed"
        if roll < 0.9:
            return "solved"
        return "pending" if roll < 0.96 else "open"
    for status, upto in (("new", 0.15), ("open", 0.45), ("pending", 0.6), ("hold", 0.65)):
        if roll < upto:
            return status
    return "solved"


def _replies(rng: random.Random, one_touch_share: float) -> int:
    if rng.random() < one_touch_share:
        return 1 if rng.random() < 0.96 else 0
    replies = 2
    while rng.random() < 0.45 and replies < 15:
        replies += 1
    return replies


def _satisfaction(
    rng: random.Random, profile: OrganizationProfile, good_share: float
) -> tuple[str | None, str | None]:
    if not profile.csat_offered:
        return None, None
    roll = rng.random()
    if roll < 0.12:
        return None, None
    if roll < 0.27:
        return "unoffered", None
    if roll < 0.52:
        return "offered", None
    good = rng.random() < good_share
    if rng.random() < 0.4:
        return ("good", rng.choice(_GOOD_COMMENTS)) if good else ("bad", rng.choice(_BAD_COMMENTS))
    return ("good" if good else "bad"), None


def _lerp(then: float, now: float, x: float) -> float:
    return then + (now - then) * x


def generate_tickets(
    profile: OrganizationProfile, organization_id: int, seed: str, anchor: int, count: int
) -> Iterator[TicketRecord]:
    """Stream an organization's tickets in creation order; the same seed gives the same tickets.

    `anchor` is the end of the history (unix seconds); `count` the number of tickets.
    """
    rng = random.Random(seed)
    span = profile.history_days * DAY
    start = anchor - span
    base_id = (profile.index + 1) * TICKET_ID_STRIDE
    requesters = [base_id * 10 + n for n in range(1, 2 + rng.randint(2, 30))]
    for seq, position in enumerate(_sorted_positions(rng, count), start=1):
        x = _trended(position, profile.volume_growth)
        created = start + int(x * span)
        age_days = (anchor - created) / DAY
        status = _status(rng, age_days)
        priority = rng.choices(_PRIORITIES, _PRIORITY_WEIGHTS)[0]
        target_priority = priority or "normal"
        sla_share = _lerp(profile.sla_then, profile.sla_now, x) / 100.0
        one_touch = _lerp(profile.touchpoints_then, profile.touchpoints_now, x) / 100.0
        good_share = _lerp(profile.feedback_then, profile.feedback_now, x) / 100.0
        solved = status in ("solved", "closed")
        replies = _replies(rng, one_touch) if status != "new" else 0
        reply = None
        if replies > 0:
            reply = _business_and_calendar(
                rng, _measured(rng, FIRST_REPLY_TARGETS[target_priority], sla_share)
            )
        resolution = None
        solved_at = None
        updated = created + rng.randint(60, 3 * 3600)
        if solved:
            business = _measured(rng, RESOLUTION_TARGETS[target_priority], sla_share)
            if reply is not None:
                business = max(business, reply[0])
            resolution = _business_and_calendar(rng, business)
            solved_at = min(anchor - 60, created + resolution[1] * 60)
            # Zendesk closes solved tickets after about four days.
            updated = solved_at + (4 * DAY if status == "closed" else rng.randint(60, DAY))
        updated = min(anchor - 1, max(updated, created))
        satisfaction, comment = _satisfaction(rng, profile, good_share) if solved else (None, None)
        handle = (10 + 5 * replies) * 60 * rng.lognormvariate(0.0, 0.3)
        time_spent = round(handle) if rng.random() < 0.82 else None
        metrics = None
        if rng.random() > 0.01:  # now and then Zendesk has no metric set for a ticket
            metrics = MetricSet(
                replies=replies,
                reply_business=reply[0] if reply else None,
                reply_calendar=reply[1] if reply else None,
                resolution_business=resolution[0] if resolution else None,
                resolution_calendar=resolution[1] if resolution else None,
                solved_at=solved_at,
                reopens=1 if replies > 4 and rng.random() < 0.3 else 0,
            )
        yield TicketRecord(
            id=base_id + seq,
            organization_id=organization_id,
            requester_id=rng.choice(requesters),
            created_at=created,
            updated_at=updated,
            status=status,
            priority=priority,
            subject=rng.choice(_SUBJECTS),
            satisfaction=satisfaction,
            satisfaction_comment=comment,
            time_spent=time_spent,
            metrics=metrics,
        )


# --- Zendesk JSON ----------------------------------------------------------------------------


def iso(timestamp: int | None) -> str | None:
    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


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
