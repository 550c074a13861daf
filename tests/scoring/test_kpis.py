"""Each KPI formula of DESIGN §6 against hand-computed cases, and the value → score mapping."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from backend.scoring import ScoringSettings, kpis
from backend.scoring.health import in_window

from .factories import NOW, TIME_FIELD, organization, rated, ticket

DEFAULTS = ScoringSettings()
TRACKED = ScoringSettings(time_spent_field_id=TIME_FIELD)


# --- window -------------------------------------------------------------------------------


def test_window_includes_both_ends_and_nothing_outside() -> None:
    edge_old = ticket(days_ago=90)
    edge_now = ticket(days_ago=0)
    inside = ticket(days_ago=45)
    too_old = replace(ticket(days_ago=90), created_at=NOW - timedelta(days=90, seconds=1))
    future = replace(ticket(days_ago=0), created_at=NOW + timedelta(seconds=1))
    kept = in_window([edge_old, edge_now, inside, too_old, future], NOW, 90)
    assert kept == [edge_old, edge_now, inside]


def test_window_follows_window_days() -> None:
    tickets = [ticket(days_ago=d) for d in (1, 6, 8, 30)]
    assert [t.id for t in in_window(tickets, NOW, 7)] == [tickets[0].id, tickets[1].id]


# --- feedback ------------------------------------------------------------------------------


def test_feedback_is_share_of_good_among_good_and_bad() -> None:
    result = kpis.feedback(rated("good", "good", "good", "bad"), DEFAULTS)
    assert result.value == pytest.approx(75.0)
    assert result.sample_size == 4
    assert result.detail == {"good": 3, "bad": 1}


def test_feedback_counts_with_comment_variants() -> None:
    tickets = rated("good_with_comment", "good", "bad_with_comment", "bad_without_comment")
    result = kpis.feedback(tickets, DEFAULTS)
    assert result.detail == {"good": 2, "bad": 2}
    assert result.value == pytest.approx(50.0)


def test_feedback_ignores_offered_unoffered_and_unrated() -> None:
    tickets = rated("good", "good", "bad", "offered", "unoffered", None, "nonsense")
    result = kpis.feedback(tickets, DEFAULTS)
    assert result.sample_size == 3
    assert result.value == pytest.approx(200 / 3)


def test_feedback_without_ratings_has_no_data() -> None:
    result = kpis.feedback(rated(None, "offered"), DEFAULTS)
    assert result.value is None
    assert result.sample_size == 0
    assert "no satisfaction ratings" in result.detail["reason"]


def test_feedback_below_min_sample_has_no_data_but_keeps_sample() -> None:
    result = kpis.feedback(rated("good", "bad"), DEFAULTS)
    assert result.value is None
    assert result.sample_size == 2
    assert result.detail["reason"] == "only 2 data points, fewer than the minimum of 3"
    assert kpis.feedback(rated("good", "bad"), ScoringSettings(min_sample=2)).value == 50.0


# --- touchpoints ---------------------------------------------------------------------------


def test_touchpoints_share_of_solved_tickets_with_at_most_one_reply() -> None:
    tickets = [
        ticket(status="solved", replies=0),
        ticket(status="closed", replies=1),
        ticket(status="solved", replies=2),
        ticket(status="solved", replies=5),
        ticket(status="open", replies=1),  # not solved: left out
        ticket(status="pending", replies=9),  # not solved: left out
        ticket(status="solved"),  # no metrics: left out
    ]
    result = kpis.touchpoints(tickets, DEFAULTS)
    assert result.value == pytest.approx(50.0)
    assert result.sample_size == 4
    assert result.detail == {"one_touch": 2, "average_replies": pytest.approx(2.0)}


def test_touchpoints_without_solved_metrics_has_no_data() -> None:
    result = kpis.touchpoints([ticket(status="open", replies=1), ticket()], DEFAULTS)
    assert result.value is None
    assert result.detail["reason"] == "no solved tickets with metrics in the window"


# --- SLA -----------------------------------------------------------------------------------


def test_sla_counts_two_measurements_per_solved_ticket() -> None:
    tickets = [
        ticket(priority="urgent", replies=1, reply_minutes=60, resolution_minutes=480),  # 2/2
        ticket(priority="urgent", replies=1, reply_minutes=61, resolution_minutes=481),  # 0/2
        ticket(priority="high", replies=1, reply_minutes=240, resolution_minutes=1441),  # 1/2
        ticket(priority="low", replies=1, reply_minutes=1440, resolution_minutes=5760),  # 2/2
    ]
    result = kpis.sla(tickets, DEFAULTS)
    assert result.sample_size == 8
    assert result.value == pytest.approx(100 * 5 / 8)
    assert result.detail["first_reply"] == {"met": 3, "measured": 4}
    assert result.detail["resolution"] == {"met": 2, "measured": 4}
    assert (result.detail["met"], result.detail["measured"]) == (5, 8)


@pytest.mark.parametrize("priority", [None, "normal", "whatever"])
def test_sla_null_or_unknown_priority_uses_normal_targets(priority: str | None) -> None:
    # normal: first reply 480, resolution 2880; urgent would miss both.
    tickets = [
        ticket(priority=priority, replies=1, reply_minutes=480, resolution_minutes=2880)
        for _ in range(2)
    ]
    tickets.append(ticket(priority=priority, replies=1, reply_minutes=481, resolution_minutes=2881))
    result = kpis.sla(tickets, DEFAULTS)
    assert result.value == pytest.approx(100 * 4 / 6)


def test_sla_missing_times_are_not_measured() -> None:
    tickets = [
        ticket(replies=0, reply_minutes=None, resolution_minutes=100),  # resolution only
        ticket(replies=1, reply_minutes=10, resolution_minutes=None),  # first reply only
        ticket(replies=1, reply_minutes=9999, resolution_minutes=100),  # 1 of 2
        ticket(metrics=True),  # metric set with no times: nothing measured
    ]
    result = kpis.sla(tickets, DEFAULTS)
    assert result.sample_size == 4
    assert result.value == pytest.approx(75.0)


def test_sla_ignores_unsolved_and_metricless_tickets() -> None:
    solved = [ticket(replies=1, reply_minutes=1, resolution_minutes=1) for _ in range(2)]
    others = [
        ticket(status="open", replies=1, reply_minutes=9999, resolution_minutes=9999),
        ticket(status="hold", replies=1, reply_minutes=9999),
        ticket(status="solved", metrics=False),
    ]
    result = kpis.sla(solved + others, DEFAULTS)
    assert (result.value, result.sample_size) == (100.0, 4)


def test_sla_uses_configured_targets() -> None:
    settings, warnings = ScoringSettings.from_zendesk({"sla_first_reply_targets": "normal:10"})
    assert warnings == ()
    tickets = [ticket(replies=1, reply_minutes=m) for m in (5, 10, 11, 100)]
    assert kpis.sla(tickets, settings).value == pytest.approx(50.0)
    assert kpis.sla(tickets, DEFAULTS).value == pytest.approx(100.0)


def test_sla_without_measurements_has_no_data() -> None:
    result = kpis.sla([ticket(status="open")], DEFAULTS)
    assert result.value is None and result.score is None
    assert result.colour == "grey"
    assert "no solved tickets with reply or resolution times" in result.detail["reason"]


# --- balance -------------------------------------------------------------------------------


def test_balance_margin_with_estimated_handle_time() -> None:
    # R = 73,000 × 90 / 365 = 18,000. Handle: (10 + 5·0) + (10 + 5·2) + (10 + 5·4) minutes
    # = 60 min = 1 h → C = 60. Balance = 100 · (18000 − 60) / 18000.
    tickets = [ticket(replies=0), ticket(replies=2), ticket(replies=4)]
    result = kpis.balance(tickets, organization(73_000), DEFAULTS)
    assert result.value == pytest.approx(100 * (18_000 - 60) / 18_000)
    assert result.sample_size == 3
    assert result.detail["revenue"] == pytest.approx(18_000)
    assert result.detail["cost"] == pytest.approx(60)
    assert result.detail["handle_hours"] == pytest.approx(1)
    assert result.detail["tracked_tickets"] == 0


def test_balance_prefers_tracked_seconds_over_estimate() -> None:
    # R = 3650 × 90 / 365 = 900. Handle: 2 h tracked + 1 h tracked + estimate 10 + 5·2 = 20 min
    # (tracked 0 does not count) + 10 min (replies unknown) → 3.5 h; C = 3.5 × 60 = 210.
    tickets = [
        ticket(handle_seconds=7200, replies=9),
        ticket(handle_seconds=3600),
        ticket(handle_seconds=0, replies=2),
        ticket(status="open"),
    ]
    result = kpis.balance(tickets, organization(3650), TRACKED)
    assert result.detail["handle_hours"] == pytest.approx(3.5)
    assert result.detail["cost"] == pytest.approx(210)
    assert result.detail["tracked_tickets"] == 2
    assert result.value == pytest.approx(100 * (900 - 210) / 900)


def test_balance_reads_cost_settings_and_window() -> None:
    settings = ScoringSettings(
        window_days=73, hourly_cost=100, minutes_per_ticket=30, minutes_per_reply=0
    )
    # R = 1000 × 73 / 365 = 200; C = 4 tickets × 0.5 h × 100 = 200 → margin 0.
    tickets = [ticket(replies=3) for _ in range(4)]
    result = kpis.balance(tickets, organization(1000), settings)
    assert result.value == pytest.approx(0.0)


def test_balance_can_be_negative() -> None:
    # R = 365 × 90 / 365 = 90; C = 3 × 2 h × 60 = 360 → 100 · (90 − 360) / 90 = −300.
    tickets = [ticket(handle_seconds=7200) for _ in range(3)]
    result = kpis.balance(tickets, organization(365), TRACKED)
    assert result.value == pytest.approx(-300.0)


def test_tracked_time_counts_only_from_the_field_the_settings_name() -> None:
    # Facts keep every numeric field; the setting picks one when scoring. Without it (or with
    # another field) the estimate applies: 3 × 10 min = 0.5 h → C = 30.
    tickets = [ticket(handle_seconds=7200) for _ in range(3)]
    for settings in (DEFAULTS, ScoringSettings(time_spent_field_id=TIME_FIELD + 1)):
        result = kpis.balance(tickets, organization(365), settings)
        assert result.detail["tracked_tickets"] == 0
        assert result.detail["cost"] == pytest.approx(30)


@pytest.mark.parametrize(
    ("revenue", "expected_r"),
    [
        (3650, 900.0),
        ("3650", 900.0),
        (" 3650.0 ", 900.0),
        (3650.0, 900.0),
        ("1e4", 10_000 * 90 / 365),
    ],
)
def test_balance_revenue_number_or_numeric_string(revenue: object, expected_r: float) -> None:
    result = kpis.balance([ticket() for _ in range(3)], organization(revenue), DEFAULTS)
    assert result.detail["revenue"] == pytest.approx(expected_r)


@pytest.mark.parametrize(
    "revenue", [None, 0, "0", -5, "-100", "abc", "", "nan", "inf", True, [1], {"x": 1}]
)
def test_balance_without_usable_revenue_has_no_data(revenue: object) -> None:
    result = kpis.balance([ticket() for _ in range(5)], organization(revenue), DEFAULTS)
    assert result.value is None
    assert result.sample_size == 5
    assert result.detail["reason"].startswith("no revenue: organization field 'annual_revenue'")


def test_balance_reads_the_configured_revenue_field() -> None:
    org = organization(3650, field="arr")
    tickets = [ticket() for _ in range(3)]
    assert kpis.balance(tickets, org, DEFAULTS).value is None
    assert kpis.balance(tickets, org, ScoringSettings(revenue_field="arr")).value is not None


def test_balance_with_empty_window_has_no_data() -> None:
    result = kpis.balance([], organization(3650), DEFAULTS)
    assert result.value is None
    assert result.sample_size == 0
    assert result.detail["reason_code"] == "no_tickets"
    assert result.detail["reason"] == "no tickets in the window"


# --- score and colour ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "good", "bad", "expected"),
    [
        (80, 95, 70, 40.0),
        (95, 95, 70, 100.0),
        (70, 95, 70, 0.0),
        (100, 95, 70, 100.0),  # above good clamps
        (10, 95, 70, 0.0),  # below bad clamps
        (-300, 70, 0, 0.0),
        (35, 70, 0, 50.0),
        (75, 80, 40, 87.5),
        # good < bad: lower is better
        (2, 1, 5, 75.0),
        (1, 1, 5, 100.0),
        (0, 1, 5, 100.0),
        (6, 1, 5, 0.0),
    ],
)
def test_kpi_score(value: float, good: float, bad: float, expected: float) -> None:
    assert kpis.kpi_score(value, good, bad) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("score", "colour"),
    [
        (None, "grey"),
        (100, "green"),
        (70, "green"),
        (69.99, "yellow"),
        (40, "yellow"),
        (39.99, "red"),
        (0, "red"),
    ],
)
def test_colour_bands(score: float | None, colour: str) -> None:
    assert kpis.colour_for(score, DEFAULTS) == colour


def test_colour_bands_follow_thresholds() -> None:
    settings = ScoringSettings(green_threshold=80, red_threshold=80)
    assert kpis.colour_for(80, settings) == "green"
    assert kpis.colour_for(79.9, settings) == "red"
