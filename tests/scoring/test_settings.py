"""ScoringSettings.from_zendesk: strings and numbers, blanks, and one warning per bad value."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backend.scoring import ScoringSettings
from backend.scoring.settings import (
    DEFAULT_FIRST_REPLY_TARGETS,
    DEFAULT_RESOLUTION_TARGETS,
    SETTING_NAMES,
)

DEFAULTS = ScoringSettings()
ROOT = Path(__file__).resolve().parents[2]


def parse(**raw: object) -> tuple[ScoringSettings, tuple[str, ...]]:
    return ScoringSettings.from_zendesk(raw)


def test_empty_settings_are_the_defaults() -> None:
    assert parse() == (DEFAULTS, ())


def test_defaults_match_design() -> None:
    assert (DEFAULTS.window_days, DEFAULTS.min_sample, DEFAULTS.goal_score) == (90, 3, 70)
    assert (DEFAULTS.green_threshold, DEFAULTS.red_threshold) == (70, 40)
    assert [DEFAULTS.weight(k) for k in ("sla", "feedback", "balance", "touchpoints")] == [
        3, 2, 2, 1,
    ]  # fmt: skip
    assert [DEFAULTS.thresholds(k) for k in ("feedback", "touchpoints", "sla", "balance")] == [
        (95, 70), (80, 40), (95, 75), (70, 0),
    ]  # fmt: skip
    assert dict(DEFAULT_FIRST_REPLY_TARGETS) == {
        "urgent": 60, "high": 240, "normal": 480, "low": 1440,
    }  # fmt: skip
    assert dict(DEFAULT_RESOLUTION_TARGETS) == {
        "urgent": 480, "high": 1440, "normal": 2880, "low": 5760,
    }  # fmt: skip
    assert (DEFAULTS.revenue_field, DEFAULTS.hourly_cost, DEFAULTS.onboarding_days) == (
        "annual_revenue", 60, 90,
    )  # fmt: skip
    assert (DEFAULTS.minutes_per_ticket, DEFAULTS.minutes_per_reply) == (10, 5)
    assert DEFAULTS.time_spent_field_id is None


def test_strings_and_numbers_both_parse() -> None:
    from_strings, w1 = parse(
        window_days="60", weight_sla="1.5", hourly_cost=" 80 ", sla_good="98", min_sample="5"
    )
    from_numbers, w2 = parse(
        window_days=60, weight_sla=1.5, hourly_cost=80, sla_good=98.0, min_sample=5.0
    )
    assert w1 == w2 == ()
    assert from_strings == from_numbers
    assert from_strings.window_days == 60 and isinstance(from_strings.window_days, int)
    assert from_strings.min_sample == 5 and isinstance(from_strings.min_sample, int)
    assert (from_strings.weight_sla, from_strings.hourly_cost, from_strings.sla_good) == (
        1.5, 80, 98,
    )  # fmt: skip


@pytest.mark.parametrize("blank", ["", "   ", None, "\n"])
def test_blank_values_keep_defaults_silently(blank: object) -> None:
    raw = {name: blank for name in SETTING_NAMES}
    assert ScoringSettings.from_zendesk(raw) == (DEFAULTS, ())


def test_unknown_settings_are_ignored() -> None:
    assert parse(backend_url="https://x", shared_secret="s", something_else="1") == (DEFAULTS, ())


@pytest.mark.parametrize(
    ("name", "value", "problem"),
    [
        ("weight_sla", "abc", "'abc' is not a number; using the default 3"),
        ("weight_feedback", -1, "-1 must be at least 0; using the default 2"),
        ("weight_balance", "-0.5", "'-0.5' must be at least 0; using the default 2"),
        ("window_days", "6", "'6' must be between 7 and 730; using the default 90"),
        ("window_days", 731, "731 must be between 7 and 730; using the default 90"),
        ("window_days", "30.5", "'30.5' is not a whole number; using the default 90"),
        ("green_threshold", 101, "101 must be between 0 and 100; using the default 70"),
        ("red_threshold", "nan", "'nan' is not a finite number; using the default 40"),
        ("hourly_cost", "inf", "'inf' is not a finite number; using the default 60"),
        ("hourly_cost", True, "True is not a number; using the default 60"),
        ("goal_score", [70], "[70] is not a number; using the default 70"),
        ("min_sample", 0, "0 must be between 1 and 10000; using the default 3"),
        ("onboarding_days", -1, "-1 must be between 0 and 3650; using the default 90"),
        ("sla_bad", "2000", "'2000' must be between -1000 and 1000; using the default 75"),
        ("minutes_per_reply", "five", "'five' is not a number; using the default 5"),
        ("time_spent_field_id", "0", "'0' must be greater than 0; using the default (none)"),
        ("time_spent_field_id", "12.5", "'12.5' is not a whole number; using the default (none)"),
        (
            "revenue_field",
            5,
            "must be the key of an organization field; using the default annual_revenue",
        ),
    ],
)
def test_invalid_value_warns_by_name_and_keeps_default(
    name: str, value: object, problem: str
) -> None:
    settings, warnings = parse(**{name: value})
    assert warnings == (f"{name}: {problem}",)
    assert getattr(settings, name) == getattr(DEFAULTS, name)


def test_each_invalid_value_gets_its_own_warning_and_valid_ones_apply() -> None:
    settings, warnings = parse(
        weight_sla="x", weight_feedback="y", weight_balance="0", window_days=30
    )
    assert [w.split(":")[0] for w in warnings] == ["weight_feedback", "weight_sla"]
    assert (settings.weight_sla, settings.weight_feedback) == (3, 2)
    assert (settings.weight_balance, settings.window_days) == (0, 30)


def test_long_invalid_value_is_shortened_in_the_warning() -> None:
    _, warnings = parse(weight_sla="x" * 500)
    assert len(warnings[0]) < 150
    assert "..." in warnings[0]


def test_time_spent_field_id_and_revenue_field() -> None:
    settings, warnings = parse(time_spent_field_id="360001", revenue_field="  arr ")
    assert warnings == ()
    assert (settings.time_spent_field_id, settings.revenue_field) == (360001, "arr")


# --- thresholds ----------------------------------------------------------------------------


def test_red_above_green_falls_back_for_given_values() -> None:
    settings, warnings = parse(green_threshold="30", red_threshold="50")
    assert (settings.green_threshold, settings.red_threshold) == (70, 40)
    assert warnings == (
        "green_threshold: red_threshold (50) must not exceed green_threshold (30); "
        "using the default 70",
        "red_threshold: red_threshold (50) must not exceed green_threshold (30); "
        "using the default 40",
    )


def test_red_above_default_green_reverts_only_red() -> None:
    settings, warnings = parse(red_threshold=80)
    assert (settings.green_threshold, settings.red_threshold) == (70, 40)
    assert warnings[0].startswith("red_threshold: red_threshold (80) must not exceed")


def test_red_equal_green_is_allowed() -> None:
    assert parse(green_threshold=50, red_threshold="50")[1] == ()


def test_good_equal_bad_is_invalid() -> None:
    settings, warnings = parse(feedback_good="80", feedback_bad="80")
    assert settings.thresholds("feedback") == (95, 70)
    assert warnings == (
        "feedback_good: good and bad must differ (both 80); using the default 95",
        "feedback_bad: good and bad must differ (both 80); using the default 70",
    )


def test_good_equal_default_bad_reverts_only_good() -> None:
    settings, warnings = parse(sla_good=75)
    assert settings.thresholds("sla") == (95, 75)
    assert warnings[0].startswith("sla_good: good and bad must differ")


def test_good_below_bad_is_allowed() -> None:
    settings, warnings = parse(touchpoints_good="20", touchpoints_bad="60")
    assert warnings == ()
    assert settings.thresholds("touchpoints") == (20, 60)


# --- SLA targets ---------------------------------------------------------------------------


def test_full_target_text() -> None:
    settings, warnings = parse(
        sla_first_reply_targets="urgent:30,high:120,normal:240,low:720",
        sla_resolution_targets="urgent:240, high:720 , normal:1440, low:2880",
    )
    assert warnings == ()
    assert dict(settings.sla_first_reply_targets) == {
        "urgent": 30, "high": 120, "normal": 240, "low": 720,
    }  # fmt: skip
    assert dict(settings.sla_resolution_targets) == {
        "urgent": 240, "high": 720, "normal": 1440, "low": 2880,
    }  # fmt: skip


def test_partial_targets_keep_other_defaults() -> None:
    settings, warnings = parse(sla_first_reply_targets="Urgent: 15\nlow=2000;")
    assert warnings == ()
    assert dict(settings.sla_first_reply_targets) == {
        "urgent": 15, "high": 240, "normal": 480, "low": 2000,
    }  # fmt: skip


def test_broken_target_entries_warn_and_keep_their_default() -> None:
    settings, warnings = parse(
        sla_resolution_targets="urgent:abc,high:-5,normal:100,critical:10,low 30,,"
    )
    assert dict(settings.sla_resolution_targets) == {
        "urgent": 480, "high": 1440, "normal": 100, "low": 5760,
    }  # fmt: skip
    assert len(warnings) == 4
    assert all(w.startswith("sla_resolution_targets: ") for w in warnings)
    assert all(w.endswith("; that priority keeps its default") for w in warnings)
    assert "urgent 'abc' is not a number" in warnings[0]
    assert "high '-5' must be greater than 0" in warnings[1]
    assert "'critical:10'" in warnings[2]
    assert "'low 30'" in warnings[3]


def test_targets_that_are_not_text_warn() -> None:
    settings, warnings = parse(sla_first_reply_targets=60)
    assert settings.sla_first_reply_targets == DEFAULT_FIRST_REPLY_TARGETS
    assert warnings == (
        "sla_first_reply_targets: must be text such as urgent:60,high:240,normal:480,low:1440; "
        "using the default urgent:60,high:240,normal:480,low:1440",
    )


def test_default_targets_are_not_shared_mutable_state() -> None:
    settings, _ = parse(sla_first_reply_targets="urgent:1")
    assert DEFAULT_FIRST_REPLY_TARGETS["urgent"] == 60
    with pytest.raises(TypeError):
        settings.sla_first_reply_targets["urgent"] = 5  # type: ignore[index]


# --- recommendation texts ------------------------------------------------------------------


def test_recommendation_lines() -> None:
    settings, warnings = parse(
        recommendations=(
            "sla.red: Call the team lead: today.\n"
            "\n"
            "  Feedback.Yellow :  Read the comments  \n"
            "balance.green: not a colour with advice\n"
            "churn.red: unknown KPI\n"
            "no colon here\n"
            "touchpoints.red:   \n"
            "sla.yellow Missing colon\n"
        )
    )
    assert dict(settings.recommendations) == {
        ("sla", "red"): "Call the team lead: today.",
        ("feedback", "yellow"): "Read the comments",
    }
    assert [w.split(";")[0] for w in warnings] == [
        "recommendations: line 4 must look like 'sla.red: text' with a KPI of balance, "
        "feedback, touchpoints, sla and a colour of yellow or red",
        "recommendations: line 5 must look like 'sla.red: text' with a KPI of balance, "
        "feedback, touchpoints, sla and a colour of yellow or red",
        "recommendations: line 6 must look like 'sla.red: text' with a KPI of balance, "
        "feedback, touchpoints, sla and a colour of yellow or red",
        "recommendations: line 7 has no text after the colon",
        "recommendations: line 8 must look like 'sla.red: text' with a KPI of balance, "
        "feedback, touchpoints, sla and a colour of yellow or red",
    ]
    assert all(w.endswith("; that line is ignored") for w in warnings)


def test_recommendations_not_text_warns() -> None:
    settings, warnings = parse(recommendations=["sla.red: x"])
    assert settings.recommendations == {}
    assert warnings == (
        "recommendations: must be text with one 'kpi.colour: text' per line; "
        "using the default (built-in texts)",
    )


def test_every_warning_starts_with_a_setting_name() -> None:
    raw = {name: "???" for name in SETTING_NAMES}
    _, warnings = ScoringSettings.from_zendesk(raw)
    assert len(warnings) >= len(SETTING_NAMES) - 2  # revenue_field accepts any text
    for warning in warnings:
        assert warning.split(":")[0].split(" and ")[0] in SETTING_NAMES, warning


# --- portfolio settings: goal field and churn --------------------------------------------


def test_portfolio_settings_defaults() -> None:
    assert (DEFAULTS.goal_field, DEFAULTS.churn_tag, DEFAULTS.churn_date_field) == (
        None, "churned", None,
    )  # fmt: skip


def test_field_keys_and_tag_parse() -> None:
    settings, warnings = parse(
        goal_field=" target_score ", churn_tag=" Churned ", churn_date_field="churned_on"
    )
    assert warnings == ()
    assert settings.goal_field == "target_score"
    assert settings.churn_date_field == "churned_on"
    # Zendesk compares tags ignoring case, so the setting is kept in lower case.
    assert settings.churn_tag == "churned"


NOT_A_TAG = "is not one tag (no spaces or commas); using the default churned"


@pytest.mark.parametrize(
    ("name", "value", "problem"),
    [
        (
            "goal_field",
            "goal score",
            "'goal score' is not the key of an organization field (letters, digits and "
            "underscores, not only digits); using the default (none)",
        ),
        (
            "churn_date_field",
            "2024",
            "'2024' is not the key of an organization field (letters, digits and "
            "underscores, not only digits); using the default (none)",
        ),
        (
            "goal_field",
            7,
            "7 is not the key of an organization field (letters, digits and "
            "underscores, not only digits); using the default (none)",
        ),
        ("churn_tag", "lost customer", f"'lost customer' {NOT_A_TAG}"),
        ("churn_tag", "a,b", f"'a,b' {NOT_A_TAG}"),
        ("churn_tag", 3, f"3 {NOT_A_TAG}"),
    ],
)  # fmt: skip
def test_invalid_portfolio_settings_warn_by_name(name: str, value: object, problem: str) -> None:
    settings, warnings = parse(**{name: value})
    assert warnings == (f"{name}: {problem}",)
    assert getattr(settings, name) == getattr(DEFAULTS, name)


def test_the_manifest_declares_every_setting_with_the_cores_default() -> None:
    manifest = json.loads((ROOT / "zendesk_app" / "manifest.json").read_text(encoding="utf-8"))
    declared = {p["name"]: p.get("default") for p in manifest["parameters"]}
    assert set(SETTING_NAMES) <= set(declared)
    for name in SETTING_NAMES:
        # What Zendesk would hand back for the manifest's default parses to the core's default.
        parsed, warnings = ScoringSettings.from_zendesk({name: declared[name]})
        assert warnings == ()
        assert getattr(parsed, name) == getattr(DEFAULTS, name), name
