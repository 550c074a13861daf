"""Demo tickets: a compact row per ticket, drawn lazily from a profile, read as `TicketRecord`.

A million-ticket account must never exist as JSON or as Python objects: the generator emits
fixed-size rows of small integers (packed 41 bytes each by `ticket_store`), a `TicketRecord`
is made from a row when a ticket is read, and `ticket_json` renders Zendesk's shape when a
page is served.
"""

from __future__ import annotations

import itertools
import math
import random
import struct
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Final

from backend.demo.profiles import OrganizationProfile

TIME_SPENT_FIELD_ID: Final = 360000001  # Time Tracking app: "Total time spent (sec)"
TIME_LAST_UPDATE_FIELD_ID: Final = 360000002  # Time Tracking app: "Time spent last update (sec)"
TICKET_ID_STRIDE: Final = 10_000_000  # ticket ids of organization i are (i + 1) · stride + seq
DAY: Final = 86_400

FIRST_REPLY_TARGETS: Final = {"urgent": 60, "high": 240, "normal": 480, "low": 1440}
RESOLUTION_TARGETS: Final = {"urgent": 480, "high": 1440, "normal": 2880, "low": 5760}
STATUSES: Final = ("new", "open", "pending", "hold", "solved", "closed", "deleted")
PRIORITIES: Final = ("urgent", "high", "normal", "low", None)
SATISFACTIONS: Final = (None, "offered", "unoffered", "good", "bad")
SUBJECTS: Final = (
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
COMMENTS: Final = (None, *_GOOD_COMMENTS, *_BAD_COMMENTS)

_NEW, _OPEN, _PENDING, _HOLD, _SOLVED, _CLOSED = range(6)
_GOOD, _BAD = SATISFACTIONS.index("good"), SATISFACTIONS.index("bad")
_PRIORITY_CUMULATIVE: Final = tuple(itertools.accumulate((5, 20, 55, 10, 10)))
_PRIORITY_TOTAL: Final = _PRIORITY_CUMULATIVE[-1]
_FIRST_REPLY_BY_CODE: Final = tuple(FIRST_REPLY_TARGETS[p or "normal"] for p in PRIORITIES)
_RESOLUTION_BY_CODE: Final = tuple(RESOLUTION_TARGETS[p or "normal"] for p in PRIORITIES)

# created, updated, status, priority, subject, requester n, satisfaction, comment, time spent
# (-1: none), has metrics, replies, reply business/calendar, resolution business/calendar
# (-1: none), solved_at (0: none), reopens.
ROW: Final = struct.Struct("<IIBBBBBBiBBiiiiIB")
Row = tuple[int, int, int, int, int, int, int, int, int, int, int, int, int, int, int, int, int]


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
    """One demo ticket; times are unix seconds, `satisfaction` is a score or None.

    `revision` is 0 for generated tickets and counts up with every runtime change: the
    incremental export orders by (updated_at, revision, id), so a change made in the same
    second as a ticket already exported still comes after the client's cursor.
    """

    id: int
    organization_id: int
    requester_id: int
    created_at: int
    updated_at: int
    status: str  # Zendesk's statuses, or "deleted" once deleted
    priority: str | None
    subject: str
    satisfaction: str | None  # None, "offered", "unoffered", "good", "bad"
    satisfaction_comment: str | None
    time_spent: int | None
    metrics: MetricSet | None
    revision: int = 0


def requester_base(organization_index: int) -> int:
    """Requester ids of an organization's generated tickets are this + 1 … + 32."""
    return (organization_index + 1) * TICKET_ID_STRIDE * 10


def _optional(value: int) -> int | None:
    return None if value < 0 else value


def record_from_row(
    row: Row, ticket_id: int, organization_id: int, requesters: int
) -> TicketRecord:
    """The ticket a generated row describes (`requesters`: the organization's requester base)."""
    (created, updated, status, priority, subject, requester, satisfaction, comment, time_spent,
     has_metrics, replies, reply_b, reply_c, res_b, res_c, solved_at, reopens) = row  # fmt: skip
    metrics = None
    if has_metrics:
        metrics = MetricSet(
            replies,
            _optional(reply_b),
            _optional(reply_c),
            _optional(res_b),
            _optional(res_c),
            solved_at or None,
            reopens,
        )
    return TicketRecord(
        ticket_id,
        organization_id,
        requesters + requester,
        created,
        updated,
        STATUSES[status],
        PRIORITIES[priority],
        SUBJECTS[subject],
        SATISFACTIONS[satisfaction],
        COMMENTS[comment],
        _optional(time_spent),
        metrics,
    )


Uniform = Callable[[], float]


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


def _business_and_calendar(uniform: Uniform, business: float) -> tuple[int, int]:
    # Calendar time includes nights and weekends, so it is never shorter than business time.
    minutes = max(1, round(business))
    return minutes, round(minutes * (1.0 + 2.0 * uniform()))


def _measured(uniform: Uniform, target: int, met_share: float) -> float:
    if uniform() < met_share:
        return target * (0.05 + 0.95 * uniform())
    return target * (1.05 + 2.95 * uniform())


def _status(roll: float, age_days: float) -> int:
    if age_days > 30:  # Zendesk closes solved tickets within 28 days; a few are forgotten
        return _CLOSED if roll < 0.99 else _HOLD
    if age_days > 4:
        if roll < 0.6:
            return _CLOSED
        if roll < 0.9:
            return _SOLVED
        return _PENDING if roll < 0.96 else _OPEN
    for status, upto in ((_NEW, 0.15), (_OPEN, 0.45), (_PENDING, 0.6), (_HOLD, 0.65)):
        if roll < upto:
            return status
    return _SOLVED


def _replies(uniform: Uniform, one_touch_share: float) -> int:
    if uniform() < one_touch_share:
        return 1 if uniform() < 0.96 else 0
    replies = 2
    while uniform() < 0.45 and replies < 15:
        replies += 1
    return replies


def _satisfaction(uniform: Uniform, good_share: float) -> tuple[int, int]:
    """(satisfaction code, comment code) of a solved ticket whose requester was asked."""
    roll = uniform()
    if roll < 0.12:
        return 0, 0
    if roll < 0.27:
        return SATISFACTIONS.index("unoffered"), 0
    if roll < 0.52:
        return SATISFACTIONS.index("offered"), 0
    good = uniform() < good_share
    comment = 0
    if uniform() < 0.4:
        comment = 1 + int(uniform() * 3) + (0 if good else 3)
    return (_GOOD if good else _BAD), comment


def generate_rows(
    profile: OrganizationProfile, seed: str, anchor: int, count: int
) -> Iterator[Row]:
    """Stream an organization's ticket rows in creation order; the same seed gives the same rows.

    `anchor` is the end of the history (unix seconds); `count` the number of tickets. A
    million-ticket account is drawn ticket by ticket, so the draws call `random()` directly
    (`choices`, `randint` and `lognormvariate` cost several times more) and emit codes.
    """
    rng = random.Random(seed)
    uniform = rng.random
    gauss = rng.gauss
    span = profile.history_days * DAY
    start = anchor - span
    requesters = 1 + rng.randint(2, 30)
    sla_then, sla_change = profile.sla_then / 100.0, (profile.sla_now - profile.sla_then) / 100.0
    touch_then = profile.touchpoints_then / 100.0
    touch_change = (profile.touchpoints_now - profile.touchpoints_then) / 100.0
    good_then = profile.feedback_then / 100.0
    good_change = (profile.feedback_now - profile.feedback_then) / 100.0
    for position in _sorted_positions(rng, count):
        x = _trended(position, profile.volume_growth)
        created = start + int(x * span)
        status = _status(uniform(), (anchor - created) / DAY)
        priority = bisect_right(_PRIORITY_CUMULATIVE, uniform() * _PRIORITY_TOTAL)
        sla_share = sla_then + sla_change * x
        solved = status >= _SOLVED
        replies = _replies(uniform, touch_then + touch_change * x) if status != _NEW else 0
        reply_b = reply_c = res_b = res_c = -1
        if replies > 0:
            reply_b, reply_c = _business_and_calendar(
                uniform, _measured(uniform, _FIRST_REPLY_BY_CODE[priority], sla_share)
            )
        solved_at = 0
        updated = created + 60 + int(uniform() * (3 * 3600 - 59))
        if solved:
            business = _measured(uniform, _RESOLUTION_BY_CODE[priority], sla_share)
            res_b, res_c = _business_and_calendar(uniform, max(business, reply_b))
            solved_at = min(anchor - 60, created + res_c * 60)
            # Zendesk closes solved tickets after about four days.
            updated = solved_at + (4 * DAY if status == _CLOSED else 60 + int(uniform() * DAY))
        updated = min(anchor - 1, max(updated, created))
        satisfaction = comment = 0
        if solved and profile.csat_offered:
            satisfaction, comment = _satisfaction(uniform, good_then + good_change * x)
        handle = (10 + 5 * replies) * 60 * math.exp(gauss(0.0, 0.3))
        time_spent = round(handle) if uniform() < 0.82 else -1
        has_metrics = uniform() > 0.01  # now and then Zendesk has no metric set for a ticket
        reopens = 1 if has_metrics and replies > 4 and uniform() < 0.3 else 0
        yield (
            created, updated, status, priority, int(uniform() * len(SUBJECTS)),
            1 + int(uniform() * requesters), satisfaction, comment, time_spent,
            has_metrics, replies, reply_b, reply_c, res_b, res_c, solved_at, reopens,
        )  # fmt: skip
