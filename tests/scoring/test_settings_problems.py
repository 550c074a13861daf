"""settings_problems: each warning of from_zendesk also as a code the app words for admins."""

from __future__ import annotations

from typing import Any

import pytest

from backend.scoring import ScoringSettings, compute_health
from backend.scoring.settings import SettingsProblem

from .factories import NOW, organization


def problems(**raw: object) -> list[dict[str, Any]]:
    settings, warnings = ScoringSettings.from_zendesk(raw)
    assert [p.message for p in settings.problems] == list(warnings)  # one per warning, in order
    return [p.to_dict() for p in settings.problems]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            {"weight_sla": "abc"},
            ("weight_sla", "not_a_number", "abc", "3", {}),
        ),
        (
            {"hourly_cost": "inf"},
            ("hourly_cost", "not_a_number", "inf", "60", {}),
        ),
        (
            {"window_days": 30.5},
            ("window_days", "not_whole_number", "30.5", "90", {}),
        ),
        (
            {"window_days": "6"},
            ("window_days", "out_of_range", "6", "90", {"min": 7, "max": 730}),
        ),
        (
            {"weight_sla": -1},
            ("weight_sla", "below_minimum", "-1", "3", {"min": 0}),
        ),
        (
            {"time_spent_field_id": "0"},
            ("time_spent_field_id", "not_positive", "0", None, {}),
        ),
        (
            {"revenue_field": 5},
            ("revenue_field", "not_text", "5", "annual_revenue", {}),
        ),
        (
            {"recommendations": ["sla.red: x"]},
            ("recommendations", "not_text", "['sla.red: x']", None, {}),
        ),
        (
            {"sla_first_reply_targets": "critical:10"},
            (
                "sla_first_reply_targets",
                "invalid_target_entry",
                "critical:10",
                None,
                {"entry": "critical:10"},
            ),
        ),
        (
            {"sla_resolution_targets": "high:-5"},
            (
                "sla_resolution_targets",
                "invalid_target_minutes",
                "-5",
                "1440",
                {"priority": "high"},
            ),
        ),
        (
            {"recommendations": "sla.red: fine\nnonsense"},
            ("recommendations", "invalid_recommendation_line", "nonsense", None, {"line": 2}),
        ),
        (
            {"recommendations": "sla.red:   "},
            ("recommendations", "empty_recommendation_text", "sla.red:", None, {"line": 1}),
        ),
        (
            {"red_threshold": "90"},
            ("red_threshold", "red_above_green", "90", "40", {"red": 90, "green": 70}),
        ),
        (
            {"sla_good": 75},
            ("sla_good", "good_equals_bad", "75", "95", {"kpi": "sla"}),
        ),
    ],
)
def test_each_code(raw: dict[str, object], expected: tuple[Any, ...]) -> None:
    setting, code, value, default, params = expected
    assert problems(**raw) == [
        {"setting": setting, "code": code, "value": value, "default": default, "params": params}
    ]


def test_the_issue_example_red_90_and_negative_weight() -> None:
    """red_threshold=90 and weight_sla=-1: two problems, each naming its setting."""
    found = problems(red_threshold="90", weight_sla="-1")
    assert [(p["setting"], p["code"]) for p in found] == [
        ("weight_sla", "below_minimum"),
        ("red_threshold", "red_above_green"),
    ]


def test_both_thresholds_given_give_one_problem_each() -> None:
    found = problems(green_threshold="30", red_threshold="50")
    assert [(p["setting"], p["value"], p["default"]) for p in found] == [
        ("green_threshold", "30", "70"),
        ("red_threshold", "50", "40"),
    ]
    assert {tuple(p["params"].items()) for p in found} == {(("red", 50), ("green", 30))}


def test_long_values_are_shortened() -> None:
    (found,) = problems(weight_sla="x" * 500)
    assert len(found["value"]) == 60
    assert found["value"].endswith("...")


def test_problems_do_not_make_settings_unequal() -> None:
    with_problem, _ = ScoringSettings.from_zendesk({"weight_sla": "abc"})
    assert with_problem.problems
    assert with_problem == ScoringSettings()


def test_report_carries_problems_aligned_with_warnings() -> None:
    """The service passes its own warnings plus the parse's; each appears once, in order."""
    settings, parsed = ScoringSettings.from_zendesk({"red_threshold": "90", "weight_sla": "-1"})
    outside = "settings: could not read the app's settings from Zendesk (timeout); using defaults"
    report = compute_health(
        organization(3650), [], settings, NOW, settings_warnings=(outside, *parsed)
    )
    assert report.settings_warnings == (outside, *parsed)
    assert [p.code for p in report.settings_problems] == [
        "other",
        "below_minimum",
        "red_above_green",
    ]
    data = report.to_dict()
    assert len(data["settings_problems"]) == len(data["settings_warnings"]) == 3
    assert data["settings_problems"][0] == SettingsProblem.other(outside).to_dict()


def test_report_lists_the_settings_problems_even_when_the_caller_passes_no_warnings() -> None:
    settings, warnings = ScoringSettings.from_zendesk({"weight_sla": "abc"})
    report = compute_health(organization(3650), [], settings, NOW)
    assert report.settings_warnings == warnings
    assert [p.setting for p in report.settings_problems] == ["weight_sla"]


def test_a_default_typed_out_is_not_blamed_for_breaking_a_rule() -> None:
    """green_threshold=70 (its default, as Zendesk stores it) with red_threshold=90: only red
    is wrong and falls back; green_threshold=30 with red_threshold=40 (its default): only green."""
    found = problems(green_threshold="70", red_threshold="90")
    assert [(p["setting"], p["code"]) for p in found] == [("red_threshold", "red_above_green")]
    settings, _ = ScoringSettings.from_zendesk({"green_threshold": "30", "red_threshold": "40"})
    assert (settings.green_threshold, settings.red_threshold) == (70, 40)
    assert [p.setting for p in settings.problems] == ["green_threshold"]
    found = problems(sla_good="95", sla_bad="95")
    assert [(p["setting"], p["code"]) for p in found] == [("sla_bad", "good_equals_bad")]
