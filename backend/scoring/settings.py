"""The admin's tuning knobs (DESIGN.md §7), their defaults, and parsing them from Zendesk.

Zendesk hands installation settings back as strings or numbers, and admins type them by hand,
so every value is parsed leniently and checked strictly: an invalid value is reported by name
and its default is used, so one typo never takes the sidebar down.
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
        """Parse installation settings; returns the settings and one warning per invalid value."""
        return _parse(raw)


# --- parsing -------------------------------------------------------------------------------


class _Invalid(ValueError):
    """A setting's value that cannot be used; the message says why."""


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _number(value: object) -> float:
    if isinstance(value, bool):
        raise _Invalid("is not a number")
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            raise _Invalid("is not a number") from None
    else:
        raise _Invalid("is not a number")
    if not math.isfinite(number):
        raise _Invalid("is not a finite number")
    return number


def _integer(value: object) -> int:
    number = _number(value)
    if not number.is_integer():
        raise _Invalid("is not a whole number")
    return int(number)


def _between(low: float, high: float) -> Callable[[float], None]:
    def check(number: float) -> None:
        if not low <= number <= high:
            raise _Invalid(f"must be between {low:g} and {high:g}")

    return check


def _at_least(low: float) -> Callable[[float], None]:
    def check(number: float) -> None:
        if number < low:
            raise _Invalid(f"must be at least {low:g}")

    return check


def _positive(number: float) -> None:
    if number <= 0:
        raise _Invalid("must be greater than 0")


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


def _targets(value: object, defaults: Targets) -> tuple[Targets, list[str]]:
    """Parse `urgent:60,high:240,…`; each bad entry is reported and keeps its default."""
    if not isinstance(value, str):
        raise _Invalid("must be text such as urgent:60,high:240,normal:480,low:1440")
    targets = dict(defaults)
    problems: list[str] = []
    for entry in value.replace(";", ",").replace("\n", ",").split(","):
        if not entry.strip():
            continue
        priority, sep, minutes = entry.replace("=", ":").partition(":")
        priority = priority.strip().lower()
        if not sep or priority not in PRIORITIES:
            problems.append(
                f"entry {entry.strip()!r} is not priority:minutes with a priority of "
                f"{', '.join(PRIORITIES)}"
            )
            continue
        try:
            number = _number(minutes)
            _positive(number)
        except _Invalid as error:
            problems.append(f"{priority} {minutes.strip()!r} {error}")
            continue
        targets[priority] = number
    return _frozen(targets), problems


def _recommendation_texts(value: object) -> tuple[RecommendationTexts, list[str]]:
    """Parse one `kpi.colour: text` per line; bad lines are reported and skipped."""
    if not isinstance(value, str):
        raise _Invalid("must be text with one 'kpi.colour: text' per line")
    texts: dict[tuple[str, str], str] = {}
    problems: list[str] = []
    for number, line in enumerate(value.splitlines(), start=1):
        if not line.strip():
            continue
        key, sep, text = line.partition(":")
        kpi, dot, colour = key.strip().lower().partition(".")
        if not sep or not dot or kpi not in KPI_KEYS or colour not in RECOMMENDATION_COLOURS:
            problems.append(
                f"line {number} must look like 'sla.red: text' with a KPI of "
                f"{', '.join(KPI_KEYS)} and a colour of yellow or red"
            )
            continue
        if not text.strip():
            problems.append(f"line {number} has no text after the colon")
            continue
        texts[(kpi, colour)] = text.strip()
    return MappingProxyType(texts), problems


# Zendesk's rule for the key of an organization field (Organization Fields API, `key`).
_FIELD_KEY = re.compile(r"(?!\d+$)\w+", re.ASCII)


def _field_key(value: object) -> str:
    if not isinstance(value, str) or not _FIELD_KEY.fullmatch(value.strip()):
        raise _Invalid(
            "is not the key of an organization field "
            "(letters, digits and underscores, not only digits)"
        )
    return value.strip()


def _tag(value: object) -> str:
    # Zendesk splits tags at spaces and commas; organization tags are compared ignoring case.
    if not isinstance(value, str) or any(c.isspace() or c == "," for c in value.strip()):
        raise _Invalid("is not one tag (no spaces or commas)")
    return value.strip().lower()


_TEXT: Final[dict[str, Callable[[object], str]]] = {
    "goal_field": _field_key,
    "churn_tag": _tag,
    "churn_date_field": _field_key,
}


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _parse(raw: Mapping[str, object]) -> tuple[ScoringSettings, tuple[str, ...]]:
    defaults = ScoringSettings()
    values: dict[str, object] = {}
    warnings: list[str] = []

    def warn(name: str, message: str) -> None:
        warnings.append(f"{name}: {message}; using the default {_describe_default(name)}")

    for name, (parse, check) in _NUMERIC.items():
        value = raw.get(name)
        if _is_blank(value):
            continue
        try:
            number = parse(value)
            check(number)
        except _Invalid as error:
            warn(name, f"{_shown(value)} {error}")
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
            targets, problems = _targets(value, default)
        except _Invalid as error:
            warn(name, str(error))
            continue
        values[name] = targets
        warnings.extend(f"{name}: {p}; that priority keeps its default" for p in problems)

    revenue_field = raw.get("revenue_field")
    if not _is_blank(revenue_field):
        if isinstance(revenue_field, str):
            values["revenue_field"] = revenue_field.strip()
        else:
            warn("revenue_field", "must be the key of an organization field")

    field_id = raw.get("time_spent_field_id")
    if not _is_blank(field_id):
        try:
            number = _integer(field_id)
            _positive(number)
        except _Invalid as error:
            warn("time_spent_field_id", f"{_shown(field_id)} {error}")
        else:
            values["time_spent_field_id"] = number

    for name, parse_text in _TEXT.items():
        value = raw.get(name)
        if _is_blank(value):
            continue
        try:
            values[name] = parse_text(value)
        except _Invalid as error:
            warn(name, f"{_shown(value)} {error}")

    texts = raw.get("recommendations")
    if not _is_blank(texts):
        try:
            overrides, problems = _recommendation_texts(texts)
        except _Invalid as error:
            warn("recommendations", str(error))
        else:
            values["recommendations"] = overrides
            warnings.extend(f"recommendations: {p}; that line is ignored" for p in problems)

    settings = replace(defaults, **values)  # type: ignore[arg-type]
    settings = _check_relations(settings, defaults, values, warnings)
    return settings, tuple(warnings)


def _check_relations(
    settings: ScoringSettings,
    defaults: ScoringSettings,
    given: Mapping[str, object],
    warnings: list[str],
) -> ScoringSettings:
    """Rules between settings: the admin's values that break one fall back to their defaults."""
    if settings.red_threshold > settings.green_threshold:
        names = [n for n in ("green_threshold", "red_threshold") if n in given]
        warnings.append(
            f"{' and '.join(names)}: red_threshold ({settings.red_threshold:g}) must not exceed "
            f"green_threshold ({settings.green_threshold:g}); using the defaults "
            f"{defaults.green_threshold:g} and {defaults.red_threshold:g}"
        )
        settings = replace(settings, **{n: getattr(defaults, n) for n in names})
    for kpi in KPI_KEYS:
        good, bad = settings.thresholds(kpi)
        if good == bad:
            names = [n for n in (f"{kpi}_good", f"{kpi}_bad") if n in given]
            warnings.append(
                f"{' and '.join(names)}: good and bad must differ (both {good:g}); "
                f"using the defaults {'/'.join(f'{v:g}' for v in defaults.thresholds(kpi))}"
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


SETTING_NAMES: Final = tuple(f.name for f in fields(ScoringSettings))
