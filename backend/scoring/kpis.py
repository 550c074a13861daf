"""The four KPIs of DESIGN.md §6, one function each, and the mapping of a value to a score.

Every function takes the tickets already cut to the scoring window and returns a `KpiResult`
with weight 0 and no score: `health.score_kpi` scores and weighs them in one place. While it
measures, each also keeps the few tickets that pull it down the most (`tickets`, worst first;
docs/scoring.md "Drill-down"); `score_kpi` keeps them only for a yellow or red KPI.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from backend.scoring.drilldown import TICKETS_PER_KPI, WorstTickets
from backend.scoring.facts import SOLVED_STATUSES, OrganizationFacts, TicketFacts
from backend.scoring.report import Colour, DrillDownTicket, KpiResult
from backend.scoring.settings import ScoringSettings

GOOD_RATINGS = frozenset({"good", "good_with_comment", "good_without_comment"})
BAD_RATINGS = frozenset({"bad", "bad_with_comment", "bad_without_comment"})


def kpi_score(value: float, good: float, bad: float) -> float:
    """clamp(100 · (value − bad) / (good − bad), 0, 100); good < bad means lower is better."""
    return min(100.0, max(0.0, 100.0 * (value - bad) / (good - bad)))


def colour_for(score: float | None, settings: ScoringSettings) -> Colour:
    """≥ green_threshold green, < red_threshold red, yellow between; grey without a score."""
    if score is None:
        return "grey"
    if score >= settings.green_threshold:
        return "green"
    if score < settings.red_threshold:
        return "red"
    return "yellow"


def _result(
    key: str,
    value: float | None,
    sample: int,
    detail: dict[str, Any],
    settings: ScoringSettings,
    tickets: tuple[DrillDownTicket, ...],
) -> KpiResult:
    if value is not None and sample == 0:
        # "Only 0 data points" would read as a measurement; there is simply nothing to measure.
        return _no_data(key, 0, "no_tickets", "no tickets in the window")
    if value is not None and sample < settings.min_sample:
        detail["reason"] = (
            f"only {sample} data points, fewer than the minimum of {settings.min_sample}"
        )
        detail["reason_code"] = "too_few_data_points"
        detail["min_sample"] = settings.min_sample
        return KpiResult(key, None, "%", None, "grey", 0, sample, detail)
    return KpiResult(key, value, "%", None, "grey", 0, sample, detail, tickets=tickets)


def _no_data(key: str, sample: int, code: str, reason: str, **extra: object) -> KpiResult:
    # The code lets the app say the reason in the agent's language; the text is for humans
    # reading the JSON and for clients that do not know the code.
    detail = {"reason": reason, "reason_code": code, **extra}
    return KpiResult(key, None, "%", None, "grey", 0, sample, detail)


def feedback(tickets: Sequence[TicketFacts], settings: ScoringSettings) -> KpiResult:
    """100 · good / (good + bad) over tickets rated good or bad (with or without comment)."""
    good = bad = 0
    bad_ids: list[int] = []
    for ticket in tickets:
        rating = ticket.satisfaction
        if rating is None:
            continue
        if rating in GOOD_RATINGS:
            good += 1
        elif rating in BAD_RATINGS:
            bad += 1
            bad_ids.append(ticket.id)
    rated = good + bad
    if rated == 0:
        return _no_data("feedback", 0, "no_ratings", "no satisfaction ratings in the window")
    detail = {"good": good, "bad": bad}
    # Zendesk numbers tickets in the order they are created: the highest ids are the newest.
    # (sorted, not heapq.nlargest: ids usually arrive ascending, its worst case, 10× slower.)
    newest_bad = tuple(
        DrillDownTicket(ticket_id, "bad_rating")
        for ticket_id in sorted(bad_ids, reverse=True)[:TICKETS_PER_KPI]
    )
    return _result("feedback", 100.0 * good / rated, rated, detail, settings, newest_bad)


def touchpoints(tickets: Sequence[TicketFacts], settings: ScoringSettings) -> KpiResult:
    """100 · (solved tickets with ≤ 1 agent reply) / (solved tickets with metrics)."""
    measured = one_touch = total_replies = 0
    most_replies = WorstTickets()
    floor, floor_id = most_replies.floor, most_replies.floor_id
    for ticket in tickets:
        replies = ticket.replies
        if replies is None or ticket.status not in SOLVED_STATUSES:
            continue
        measured += 1
        total_replies += replies
        if replies <= 1:
            one_touch += 1
        elif replies > floor or (replies == floor and ticket.id < floor_id):
            most_replies.offer(replies, ticket.id, "many_replies", replies)
            floor, floor_id = most_replies.floor, most_replies.floor_id
    if measured == 0:
        return _no_data(
            "touchpoints",
            0,
            "no_solved_with_metrics",
            "no solved tickets with metrics in the window",
        )
    detail = {"one_touch": one_touch, "average_replies": total_replies / measured}
    value = 100.0 * one_touch / measured
    return _result("touchpoints", value, measured, detail, settings, most_replies.tickets())


def sla(tickets: Sequence[TicketFacts], settings: ScoringSettings) -> KpiResult:
    """100 · met / measured over first-reply and resolution times of solved tickets with metrics.

    Each target is looked up by priority; a missing or unknown priority counts as normal. The
    drill-down ranks a ticket by its worse miss, as a multiple of that target.
    """
    first_targets = settings.sla_first_reply_targets
    resolution_targets = settings.sla_resolution_targets
    first_met = first_measured = resolution_met = resolution_measured = 0
    furthest_over = WorstTickets()
    floor, floor_id = furthest_over.floor, furthest_over.floor_id
    for ticket in tickets:
        if not ticket.has_metrics or ticket.status not in SOLVED_STATUSES:
            continue
        priority = ticket.priority or "normal"
        if priority not in first_targets:
            priority = "normal"
        first_overshoot = resolution_overshoot = 0.0
        reply = ticket.reply_minutes
        if reply is not None:
            first_measured += 1
            first_target = first_targets[priority]
            if reply <= first_target:
                first_met += 1
            else:
                first_overshoot = reply / first_target
        resolution = ticket.resolution_minutes
        if resolution is not None:
            resolution_measured += 1
            resolution_target = resolution_targets[priority]
            if resolution <= resolution_target:
                resolution_met += 1
            else:
                resolution_overshoot = resolution / resolution_target
        worse = first_overshoot if first_overshoot >= resolution_overshoot else resolution_overshoot
        if worse and (worse > floor or (worse == floor and ticket.id < floor_id)):
            if worse == first_overshoot:
                furthest_over.offer(worse, ticket.id, "missed_first_reply", reply, first_target)
            else:
                furthest_over.offer(
                    worse, ticket.id, "missed_resolution", resolution, resolution_target
                )
            floor, floor_id = furthest_over.floor, furthest_over.floor_id
    measured = first_measured + resolution_measured
    if measured == 0:
        return _no_data(
            "sla",
            0,
            "no_sla_times",
            "no solved tickets with reply or resolution times in the window",
        )
    met = first_met + resolution_met
    detail = {
        "met": met,
        "measured": measured,
        "first_reply": {"met": first_met, "measured": first_measured},
        "resolution": {"met": resolution_met, "measured": resolution_measured},
    }
    return _result(
        "sla", 100.0 * met / measured, measured, detail, settings, furthest_over.tickets()
    )


def annual_revenue(organization: OrganizationFacts, field_key: str) -> float | None:
    """The organization's annual revenue from its custom field, or None when unusable."""
    raw = organization.fields.get(field_key)
    if isinstance(raw, bool) or raw is None:
        return None
    try:
        revenue = float(raw.strip()) if isinstance(raw, str) else float(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if revenue != revenue or revenue in (float("inf"), float("-inf")) or revenue <= 0:
        return None
    return revenue


def tracked_seconds(ticket: TicketFacts, settings: ScoringSettings) -> float | None:
    """The ticket's value of the time-tracking field `time_spent_field_id`, when above 0."""
    if settings.time_spent_field_id is None:
        return None
    seconds = ticket.custom_fields.get(settings.time_spent_field_id)
    return seconds if seconds is not None and seconds > 0 else None


def handle_seconds(ticket: TicketFacts, settings: ScoringSettings) -> float:
    """Tracked time when there is some, else the estimate per ticket plus per reply."""
    tracked = tracked_seconds(ticket, settings)
    if tracked is not None:
        return tracked
    replies = ticket.replies or 0
    return 60.0 * (settings.minutes_per_ticket + settings.minutes_per_reply * replies)


def balance(
    tickets: Sequence[TicketFacts], organization: OrganizationFacts, settings: ScoringSettings
) -> KpiResult:
    """100 · (R − C) / R: revenue for the window against the cost of serving its tickets."""
    revenue = annual_revenue(organization, settings.revenue_field)
    if revenue is None:
        return _no_data(
            "balance",
            len(tickets),
            "no_revenue",
            f"no revenue: organization field {settings.revenue_field!r} is missing, "
            "not a number, or not above 0",
            revenue_field=settings.revenue_field,
        )
    window_revenue = revenue * settings.window_days / 365
    tracked = 0
    seconds = 0.0
    longest = WorstTickets()
    floor, floor_id = longest.floor, longest.floor_id
    for ticket in tickets:
        ticket_seconds = handle_seconds(ticket, settings)
        seconds += ticket_seconds
        if tracked_seconds(ticket, settings) is not None:
            tracked += 1
        if ticket_seconds > floor or (ticket_seconds == floor and ticket.id < floor_id):
            longest.offer(ticket_seconds, ticket.id, "high_handle_time", ticket_seconds / 3600)
            floor, floor_id = longest.floor, longest.floor_id
    hours = seconds / 3600
    cost = hours * settings.hourly_cost
    detail = {
        "revenue": window_revenue,
        "cost": cost,
        "handle_hours": hours,
        "tracked_tickets": tracked,
    }
    value = 100.0 * (window_revenue - cost) / window_revenue
    return _result("balance", value, len(tickets), detail, settings, longest.tickets())
