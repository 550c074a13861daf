"""The admin's tuning knobs (DESIGN.md §7), their defaults, and parsing them from Zendesk.

Zendesk hands installation settings back as strings or numbers, and admins type them by hand,
so every value is parsed leniently and checked strictly: an invalid value is reported by name
and its default is used, so one typo never takes the sidebar down. Each report is a
`SettingsProblem`: a code the app words in the admin's language, and an English message.

Problem codes (`SettingsProblem.code`, `params` in brackets):
- `not_a_number`: not a (finite) number.
- `not_whole_number`: a number with a fraction where a whole number is needed.
- `out_of_range` [`min`, `max`]: outside the allowed range.
- `below_minimum` [`min`]: below the allowed minimum.
- `not_positive`: must be greater than 0.
- `not_text`: must be text (targets, revenue field, recommendations).
- `invalid_target_entry` [`entry`]: an SLA target entry that is not `priority:minutes`.
- `invalid_target_minutes` [`priority`]: an SLA target's minutes are not a number above 0.
- `red_above_green` [`red`, `green`]: red_threshold above green_threshold.
- `good_equals_bad` [`kpi`]: a KPI's good and bad thresholds are equal.
- `invalid_recommendation_line` [`line`]: a line that is not `kpi.colour: text`.
- `empty_recommendation_text` [`line`]: a line with nothing after the colon.
- `not_field_key`: not the key of an organization field (goal_field, churn_date_field).
- `not_one_tag`: not one tag: spaces or commas in it (churn_tag).
- `other`: a warning from outside this parser (e.g. the settings could not be read); only its
  English message is known.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from types import MappingProxyType
from typing import Final

from backend.scoring.facts import PRIORITIES

KPI_KEYS: Final = ("balance", "feedback", "touchpoints", "sla")
RECOMMENDATION_COLOURS: Final = ("yellow", "red")

Targets = Mapping[str, float]
RecommendationTexts = Mapping[tuple[str, str], str]


def _frozen(mapping: Mapping[str, float]) -> Targets:
    return MappingProxyType(dict(mapping))


DEFAULT_FIRST_REPLY_TARGETS: Final = _frozen(
    {"urgent": 60, "high": 240, "normal": 480, "low": 1440}
)
DEFAULT_RESOLUTION_TARGETS: Final = _frozen(
    {"urgent": 480, "high": 1440, "normal": 2880, "low": 5760}
)
NO_OVERRIDES: Final[RecommendationTexts] = MappingProxyType({})

ProblemParam = str | int | float


@dataclass(frozen=True, slots=True)
class SettingsProblem:
    """One value the admin gave that could not be used: which, why (a code), and what applies.

    `value` is the admin's value as text, `default` what is used instead (None when only a
    part of the value was dropped, e.g. one line of the recommendations); `message` is the
    English warning that `settings_warnings` lists.
    """

    setting: str | None
    code: str
    value: str | None
    default: str | None
    message: str
    params: Mapping[str, ProblemParam] = field(default_factory=lambda: MappingProxyType({}))

    def to_dict(self) -> dict[str, object]:
        return {
            "setting": self.setting,
            "code": self.code,
            "value": self.value,
            "default": self.default,
            "params": dict(self.params),
        }

    @classmethod
    def other(cls, message: str) -> SettingsProblem:
        """A warning that did not come from this parser: only its English text is known."""
        return cls(None, "other", None, None, message)


@dataclass(frozen=True, slots=True)
class ScoringSettings:
    """Every setting the score depends on, with the defaults of DESIGN.md §6 and §7."""

    window_days: int = 90
    green_threshold: float = 70
    red_threshold: float = 40
    weight_balance: float = 2
    weight_feedback: float = 2
    weight_touchpoints: float = 1
    weight_sla: float = 3
    balance_good: float = 70
    balance_bad: float = 0
    feedback_good: float = 95
    feedback_bad: float = 70
    touchpoints_good: float = 80
    touchpoints_bad: float = 40
    sla_good: float = 95
    sla_bad: float = 75
    sla_first_reply_targets: Targets = field(default_factory=lambda: DEFAULT_FIRST_REPLY_TARGETS)
    sla_resolution_targets: Targets = field(default_factory=lambda: DEFAULT_RESOLUTION_TARGETS)
    revenue_field: str = "annual_revenue"
    hourly_cost: float = 60
    time_spent_field_id: int | None = None
    minutes_per_ticket: float = 10
    minutes_per_reply: float = 5
    goal_score: float = 70
    goal_field: str | None = None
    min_sample: int = 3
    onboarding_days: int = 90
    recommendations: RecommendationTexts = field(default_factory=lambda: NO_OVERRIDES)
    churn_tag: str = "churned"
    churn_date_field: str | None = None
    # What was wrong with the raw values these settings were parsed from (each replaced by
    # its default). Not a setting: two parses giving the same values are equal settings.
    problems: tuple[SettingsProblem, ...] = field(default=(), compare=False, repr=False)

    def weight(self, kpi: str) -> float:
        value: float = getattr(self, f"weight_{kpi}")
        return value

    def thresholds(self, kpi: str) -> tuple[float, float]:
        """(good, bad) for one KPI: the values that score 100 and 0."""
        good: float = getattr(self, f"{kpi}_good")
        bad: float = getattr(self, f"{kpi}_bad")
        return good, bad

    @classmethod
    def from_zendesk(cls, raw: Mapping[str, object]) -> tuple[ScoringSettings, tuple[str, ...]]:
        """Parse installation settings; returns the settings and one warning per invalid value.

        The same problems, structured, are the settings' `problems`, in the same order.
        """
        settings = _parse(raw)
        return settings, tuple(problem.message for problem in settings.problems)


# --- parsing -------------------------------------------------------------------------------


class _Invalid(ValueError):
    """A value that cannot be used: its problem code, params, and the English reason."""

    def __init__(self, code: str, reason: str, **params: ProblemParam) -> None:
        super().__init__(reason)
        self.code = code
        self.params = params


def _plain(number: float) -> ProblemParam:
    """90.0 → 90 for messages and JSON; 2.5 stays."""
    return int(number) if float(number).is_integer() else number


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _number(value: object) -> float:
    if isinstance(value, bool):
        raise _Invalid("not_a_number", "is not a number")
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            raise _Invalid("not_a_number", "is not a number") from None
    else:
        raise _Invalid("not_a_number", "is not a number")
    if not math.isfinite(number):
        raise _Invalid("not_a_number", "is not a finite number")
    return number


def _integer(value: object) -> int:
    number = _number(value)
    if not number.is_integer():
        raise _Invalid("not_whole_number", "is not a whole number")
    return int(number)


def _between(low: float, high: float) -> Callable[[float], None]:
    def check(number: float) -> None:
        if not low <= number <= high:
            raise _Invalid(
                "out_of_range",
                f"must be between {low:g} and {high:g}",
                min=_plain(low),
                max=_plain(high),
            )

    return check


def _at_least(low: float) -> Callable[[float], None]:
    def check(number: float) -> None:
        if number < low:
            raise _Invalid("below_minimum", f"must be at least {low:g}", min=_plain(low))

    return check


def _positive(number: float) -> None:
    if number <= 0:
        raise _Invalid("not_positive", "must be greater than 0")


_PERCENT = _between(0, 100)
_NON_NEGATIVE = _at_least(0)

# name -> (parse, check) for the plain numeric settings.
_NUMERIC: Final[dict[str, tuple[Callable[[object], float], Callable[[float], None]]]] = {
    "window_days": (_integer, _between(7, 730)),
    "green_threshold": (_number, _PERCENT),
    "red_threshold": (_number, _PERCENT),
    **{f"weight_{kpi}": (_number, _NON_NEGATIVE) for kpi in KPI_KEYS},
    **{
        f"{kpi}_{end}": (_number, _between(-1000, 1000))
        for kpi in KPI_KEYS
        for end in ("good", "bad")
    },
    "hourly_cost": (_number, _NON_NEGATIVE),
    "minutes_per_ticket": (_number, _NON_NEGATIVE),
    "minutes_per_reply": (_number, _NON_NEGATIVE),
    "goal_score": (_number, _PERCENT),
    "min_sample": (_integer, _between(1, 10_000)),
    "onboarding_days": (_integer, _between(0, 3650)),
}

_TARGETS_EXAMPLE: Final = "urgent:60,high:240,normal:480,low:1440"


def _shown(value: object) -> str:
    """The value as the English warning quotes it ('abc', 5, True), shortened."""
    return _shortened(repr(value))


def _as_text(value: object) -> str:
    """The value as the admin typed it, for `SettingsProblem.value`, shortened."""
    return _shortened(value.strip() if isinstance(value, str) else repr(value))


def _shortened(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."


class _Report:
    """Collects the problems of one parse, each with its English warning."""

    def __init__(self) -> None:
        self.problems: list[SettingsProblem] = []

    def replaced(self, name: str, value: object, error: _Invalid, *, quote: bool = True) -> None:
        """The whole value is unusable: its default applies."""
        default = _describe_default(name)
        reason = f"{_shown(value)} {error}" if quote else str(error)
        # No default value to name for settings whose default is "nothing" or built-in texts.
        plain_default = getattr(ScoringSettings(), name) is not None and name != "recommendations"
        self.problems.append(
            SettingsProblem(
                name,
                error.code,
                _as_text(value),
                default if plain_default else None,
                f"{name}: {reason}; using the default {default}",
                MappingProxyType(error.params),
            )
        )

    def dropped(
        self,
        name: str,
        code: str,
        value: str,
        reason: str,
        consequence: str,
        *,
        default: str | None = None,
        **params: ProblemParam,
    ) -> None:
        """One part of the value is unusable (a target entry, a line): only it is dropped."""
        self.problems.append(
            SettingsProblem(
                name,
                code,
                _shortened(value),
                default,
                f"{name}: {reason}; {consequence}",
                MappingProxyType(params),
            )
        )


def _targets(name: str, value: object, defaults: Targets, report: _Report) -> Targets:
    """Parse `urgent:60,high:240,…`; each bad entry is reported and keeps its default."""
    if not isinstance(value, str):
        raise _Invalid("not_text", f"must be text such as {_TARGETS_EXAMPLE}")
    targets = dict(defaults)
    for entry in value.replace(";", ",").replace("\n", ",").split(","):
        if not entry.strip():
            continue
        priority, sep, minutes = entry.replace("=", ":").partition(":")
        priority = priority.strip().lower()
        if not sep or priority not in PRIORITIES:
            report.dropped(
                name,
                "invalid_target_entry",
                entry.strip(),
                f"entry {entry.strip()!r} is not priority:minutes with a priority of "
                f"{', '.join(PRIORITIES)}",
                "that priority keeps its default",
                entry=_shortened(entry.strip()),
            )
            continue
        try:
            number = _number(minutes)
            _positive(number)
        except _Invalid as error:
            report.dropped(
                name,
                "invalid_target_minutes",
                minutes.strip(),
                f"{priority} {minutes.strip()!r} {error}",
                "that priority keeps its default",
                default=f"{defaults[priority]:g}",
                priority=priority,
            )
            continue
        targets[priority] = number
    return _frozen(targets)


def _recommendation_texts(value: object, report: _Report) -> RecommendationTexts:
    """Parse one `kpi.colour: text` per line; bad lines are reported and skipped."""
    if not isinstance(value, str):
        raise _Invalid("not_text", "must be text with one 'kpi.colour: text' per line")
    texts: dict[tuple[str, str], str] = {}
    for number, line in enumerate(value.splitlines(), start=1):
        if not line.strip():
            continue
        key, sep, text = line.partition(":")
        kpi, dot, colour = key.strip().lower().partition(".")
        if not sep or not dot or kpi not in KPI_KEYS or colour not in RECOMMENDATION_COLOURS:
            report.dropped(
                "recommendations",
                "invalid_recommendation_line",
                line.strip(),
                f"line {number} must look like 'sla.red: text' with a KPI of "
                f"{', '.join(KPI_KEYS)} and a colour of yellow or red",
                "that line is ignored",
                line=number,
            )
            continue
        if not text.strip():
            report.dropped(
                "recommendations",
                "empty_recommendation_text",
                line.strip(),
                f"line {number} has no text after the colon",
                "that line is ignored",
                line=number,
            )
            continue
        texts[(kpi, colour)] = text.strip()
    return MappingProxyType(texts)


# Zendesk's rule for the key of an organization field (Organization Fields API, `key`).
_FIELD_KEY = re.compile(r"(?!\d+$)\w+", re.ASCII)


def _field_key(value: object) -> str:
    if not isinstance(value, str) or not _FIELD_KEY.fullmatch(value.strip()):
        raise _Invalid(
            "not_field_key",
            "is not the key of an organization field "
            "(letters, digits and underscores, not only digits)",
        )
    return value.strip()


def _tag(value: object) -> str:
    # Zendesk splits tags at spaces and commas; organization tags are compared ignoring case.
    if not isinstance(value, str) or any(c.isspace() or c == "," for c in value.strip()):
        raise _Invalid("not_one_tag", "is not one tag (no spaces or commas)")
    return value.strip().lower()


_TEXT: Final[dict[str, Callable[[object], str]]] = {
    "goal_field": _field_key,
    "churn_tag": _tag,
    "churn_date_field": _field_key,
}


def _parse(raw: Mapping[str, object]) -> ScoringSettings:
    defaults = ScoringSettings()
    values: dict[str, object] = {}
    report = _Report()

    for name, (parse, check) in _NUMERIC.items():
        value = raw.get(name)
        if _is_blank(value):
            continue
        try:
            number = parse(value)
            check(number)
        except _Invalid as error:
            report.replaced(name, value, error)
            continue
        values[name] = number

    for name, default in (
        ("sla_first_reply_targets", DEFAULT_FIRST_REPLY_TARGETS),
        ("sla_resolution_targets", DEFAULT_RESOLUTION_TARGETS),
    ):
        value = raw.get(name)
        if _is_blank(value):
            continue
        try:
            values[name] = _targets(name, value, default, report)
        except _Invalid as error:
            report.replaced(name, value, error, quote=False)

    revenue_field = raw.get("revenue_field")
    if not _is_blank(revenue_field):
        if isinstance(revenue_field, str):
            values["revenue_field"] = revenue_field.strip()
        else:
            not_text = _Invalid("not_text", "must be the key of an organization field")
            report.replaced("revenue_field", revenue_field, not_text, quote=False)

    field_id = raw.get("time_spent_field_id")
    if not _is_blank(field_id):
        try:
            number = _integer(field_id)
            _positive(number)
        except _Invalid as error:
            report.replaced("time_spent_field_id", field_id, error)
        else:
            values["time_spent_field_id"] = number

    for name, parse_text in _TEXT.items():
        value = raw.get(name)
        if _is_blank(value):
            continue
        try:
            values[name] = parse_text(value)
        except _Invalid as error:
            report.replaced(name, value, error)

    texts = raw.get("recommendations")
    if not _is_blank(texts):
        try:
            values["recommendations"] = _recommendation_texts(texts, report)
        except _Invalid as error:
            report.replaced("recommendations", texts, error, quote=False)

    settings = replace(defaults, **values)  # type: ignore[arg-type]
    settings = _check_relations(settings, defaults, values, report)
    return replace(settings, problems=tuple(report.problems))


def _check_relations(
    settings: ScoringSettings,
    defaults: ScoringSettings,
    given: Mapping[str, object],
    report: _Report,
) -> ScoringSettings:
    """Rules between settings: the admin's values that break one fall back to their defaults.

    Only values that differ from their default fall back (a default typed out is no mistake,
    and the defaults keep every rule), each reported on its own, so every problem names one
    setting.
    """

    def changed(*names: str) -> list[str]:
        return [n for n in names if n in given and given[n] != getattr(defaults, n)]

    red, green = settings.red_threshold, settings.green_threshold
    if red > green:
        names = changed("green_threshold", "red_threshold")
        for name in names:
            report.dropped(
                name,
                "red_above_green",
                f"{getattr(settings, name):g}",
                f"red_threshold ({red:g}) must not exceed green_threshold ({green:g})",
                f"using the default {getattr(defaults, name):g}",
                default=f"{getattr(defaults, name):g}",
                red=_plain(red),
                green=_plain(green),
            )
        settings = replace(settings, **{n: getattr(defaults, n) for n in names})
    for kpi in KPI_KEYS:
        good, bad = settings.thresholds(kpi)
        if good == bad:
            names = changed(f"{kpi}_good", f"{kpi}_bad")
            for name in names:
                report.dropped(
                    name,
                    "good_equals_bad",
                    f"{good:g}",
                    f"good and bad must differ (both {good:g})",
                    f"using the default {getattr(defaults, name):g}",
                    default=f"{getattr(defaults, name):g}",
                    kpi=kpi,
                )
            settings = replace(settings, **{n: getattr(defaults, n) for n in names})
    return settings


def _describe_default(name: str) -> str:
    value = getattr(ScoringSettings(), name)
    if isinstance(value, Mapping):
        if name == "recommendations":
            return "(built-in texts)"
        return ",".join(f"{k}:{v:g}" for k, v in value.items())
    if value is None:
        return "(none)"
    return f"{value:g}" if isinstance(value, float | int) else str(value)


SETTING_NAMES: Final = tuple(f.name for f in fields(ScoringSettings) if f.name != "problems")

# What measuring the KPIs reads (`health.measure`); every other setting only scores, weighs
# or colours a measurement, so settings that agree on these share one measurement.
MEASUREMENT_SETTINGS: Final = (
    "window_days",
    "min_sample",
    "revenue_field",
    "hourly_cost",
    "time_spent_field_id",
    "minutes_per_ticket",
    "minutes_per_reply",
    "sla_first_reply_targets",
    "sla_resolution_targets",
)


def measurement_key(settings: ScoringSettings) -> tuple[object, ...]:
    """The values of `MEASUREMENT_SETTINGS`, hashable: equal keys, equal measurements."""
    values: list[object] = []
    for name in MEASUREMENT_SETTINGS:
        value = getattr(settings, name)
        values.append(tuple(sorted(value.items())) if isinstance(value, Mapping) else value)
    return tuple(values)
