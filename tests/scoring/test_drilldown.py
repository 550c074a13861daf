"""kpis[].tickets: the tickets that pull a yellow or red KPI down, worst first (docs/api.md)."""

from __future__ import annotations

from backend.scoring import ScoringSettings, compute_health, kpis
from backend.scoring.drilldown import WorstTickets
from backend.scoring.facts import TicketFacts
from backend.scoring.report import DrillDownTicket

from .factories import NOW, TIME_FIELD, organization, ticket

DEFAULTS = ScoringSettings()


def listed(tickets: tuple[DrillDownTicket, ...]) -> list[tuple[object, ...]]:
    return [(t.id, t.reason, t.value, t.target) for t in tickets]


def test_bad_ratings_newest_first_and_only_bad_ones() -> None:
    # Zendesk numbers tickets in creation order; the factory does too.
    oldest = ticket(days_ago=60, satisfaction="bad")
    old = ticket(days_ago=40, satisfaction="bad")
    middle = ticket(days_ago=10, satisfaction="bad_without_comment")
    good = ticket(days_ago=5, satisfaction="good")
    newest = ticket(days_ago=1, satisfaction="bad_with_comment")
    unrated = ticket(days_ago=0.2)
    found = kpis.feedback([middle, old, good, newest, unrated, oldest], DEFAULTS).tickets
    assert listed(found) == [
        (newest.id, "bad_rating", None, None),
        (middle.id, "bad_rating", None, None),
        (old.id, "bad_rating", None, None),
    ]


def test_many_replies_counts_only_solved_tickets_with_more_than_one_reply() -> None:
    six = ticket(replies=6)
    three = ticket(replies=3, status="closed")
    open_many = ticket(replies=9, status="open")
    one = ticket(replies=1)
    two = ticket(replies=2)
    found = kpis.touchpoints([one, three, open_many, six, two], DEFAULTS).tickets
    assert listed(found) == [
        (six.id, "many_replies", 6, None),
        (three.id, "many_replies", 3, None),
        (two.id, "many_replies", 2, None),
    ]


def test_missed_targets_worst_overshoot_first_with_value_and_target() -> None:
    # Targets (defaults): urgent first reply 60 / resolution 480; low 1440 / 5760.
    urgent_twice = ticket(priority="urgent", reply_minutes=120, resolution_minutes=400)  # 2×
    low_slightly = ticket(priority="low", reply_minutes=1500, resolution_minutes=100)  # 1.04×
    both = ticket(priority="urgent", reply_minutes=90, resolution_minutes=2400)  # 1.5× and 5×
    met = ticket(priority="normal", reply_minutes=10, resolution_minutes=10)
    unsolved = ticket(priority="urgent", reply_minutes=600, status="pending")
    no_priority = ticket(priority=None, reply_minutes=400, resolution_minutes=2900)  # normal
    window = [low_slightly, urgent_twice, met, both, unsolved, no_priority]
    assert listed(kpis.sla(window, DEFAULTS).tickets) == [
        (both.id, "missed_resolution", 2400, 480),
        (urgent_twice.id, "missed_first_reply", 120, 60),
        (low_slightly.id, "missed_first_reply", 1500, 1440),
    ]
    assert listed(kpis.sla([no_priority], ScoringSettings(min_sample=1)).tickets) == [
        (no_priority.id, "missed_resolution", 2900, 2880)
    ]


def test_high_handle_time_uses_tracked_time_else_the_estimate() -> None:
    tracked = ticket(handle_seconds=4 * 3600)
    estimated = ticket(replies=10)  # 10 + 5 · 10 = 60 minutes
    small = ticket(replies=0)  # 10 minutes
    untracked_zero = ticket(handle_seconds=0, replies=1)  # 0 does not count: 15 minutes
    window = [small, estimated, untracked_zero, tracked]
    tracking = ScoringSettings(time_spent_field_id=TIME_FIELD)
    found = kpis.balance(window, organization(10**6), tracking).tickets
    assert listed(found) == [
        (tracked.id, "high_handle_time", 4.0, None),
        (estimated.id, "high_handle_time", 1.0, None),
        (untracked_zero.id, "high_handle_time", 0.25, None),
    ]


def test_worst_tickets_keeps_the_limit_and_lower_ids_win_ties() -> None:
    worst = WorstTickets(limit=3)
    for ticket_id in (9, 4, 7, 1, 8, 3):
        worst.offer(5, ticket_id, "many_replies", 5)
    worst.offer(2, 100, "many_replies", 2)  # below the floor: never kept
    assert [t.id for t in worst.tickets()] == [1, 3, 4]
    assert worst.floor == 5
    worst.offer(6, 50, "many_replies", 6)
    assert [t.id for t in worst.tickets()] == [50, 1, 3]


def red_feedback_window() -> list[TicketFacts]:
    """Feedback red (all bad); touchpoints, SLA and (with a big revenue) balance green."""
    return [
        ticket(days_ago=d, satisfaction="bad", replies=1, reply_minutes=5, resolution_minutes=5)
        for d in (5, 4, 3, 2, 1)
    ]


def test_compute_health_lists_tickets_only_for_yellow_and_red_kpis() -> None:
    window = red_feedback_window()
    report = compute_health(organization(10**6), window, DEFAULTS, NOW)
    by_key = {k.key: k for k in report.kpis}
    assert by_key["feedback"].colour == "red"
    assert [t.id for t in by_key["feedback"].tickets] == [t.id for t in window[::-1][:3]]
    for key in ("touchpoints", "sla", "balance"):
        assert by_key[key].colour == "green"
        assert by_key[key].tickets == ()
    assert report.to_dict()["kpis"][1]["tickets"][0] == {
        "id": window[-1].id,
        "reason": "bad_rating",
        "value": None,
        "target": None,
    }


def test_grey_kpis_have_no_tickets() -> None:
    few = [ticket(satisfaction="bad", replies=5, reply_minutes=9999) for _ in range(2)]
    report = compute_health(organization(None), few, DEFAULTS, NOW)  # below min_sample 3
    assert all(k.colour == "grey" and k.tickets == () for k in report.kpis)


def test_tickets_outside_the_window_are_never_listed() -> None:
    ancient = ticket(days_ago=400, satisfaction="bad")
    window = red_feedback_window()
    report = compute_health(organization(10**6), [ancient, *window], DEFAULTS, NOW)
    assert ancient.id not in [t.id for t in report.kpi("feedback").tickets]


def test_beats_is_exactly_what_offer_keeps() -> None:
    worst = WorstTickets(limit=2)
    assert worst.beats(0, 10**9)  # not full: anything gets in
    worst.offer(5, 20, "many_replies")
    worst.offer(7, 30, "many_replies")
    assert (worst.floor, worst.floor_id) == (5, 20)
    for rank, ticket_id in [(4, 1), (5, 21), (5, 19), (6, 99)]:
        before = [t.id for t in worst.tickets()]
        expected = worst.beats(rank, ticket_id)
        worst.offer(rank, ticket_id, "many_replies")
        assert ([t.id for t in worst.tickets()] != before) == expected, (rank, ticket_id)
