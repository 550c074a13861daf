"""From ticket facts and settings to the health report: window, KPIs, weights, colour, advice."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from backend.scoring import kpis
from backend.scoring.facts import OrganizationFacts, TicketFacts
from backend.scoring.recommendations import built_in_text
from backend.scoring.report import Colour, Goal, HealthReport, KpiResult, Phase, Recommendation
from backend.scoring.settings import ScoringSettings, SettingsProblem

ADOPTION_ENDS_DAYS = 365


def in_window(tickets: Iterable[TicketFacts], now: datetime, window_days: int) -> list[TicketFacts]:
    """Tickets created in the last `window_days` up to `now` (inclusive at both ends)."""
    start = now - timedelta(days=window_days)
    return [t for t in tickets if start <= t.created_at <= now]


def score_kpi(result: KpiResult, settings: ScoringSettings) -> KpiResult:
    """Add the KPI's score, colour, weight and thresholds to its measured value.

    The tickets that pull it down stay only when it is yellow or red: a green KPI needs none.
    """
    weight = settings.weight(result.key)
    good, bad = settings.thresholds(result.key)
    if result.value is None:
        return replace(result, weight=weight, thresholds=(good, bad), tickets=())
    score = kpis.kpi_score(result.value, good, bad)
    colour = kpis.colour_for(score, settings)
    tickets = result.tickets if colour in ("yellow", "red") else ()
    return replace(
        result,
        score=score,
        colour=colour,
        weight=weight,
        thresholds=(good, bad),
        tickets=tickets,
    )


def settings_feedback(
    settings: ScoringSettings, warnings: Sequence[str]
) -> tuple[tuple[str, ...], tuple[SettingsProblem, ...]]:
    """Every warning once (the caller's, then the settings' own not among them), and for each
    its structured problem in the same order; a caller's warning that is not one of the
    settings' problems (e.g. "could not read the settings") becomes a problem of code `other`.
    """
    known = {problem.message: problem for problem in settings.problems}
    given = tuple(warnings)
    merged = given + tuple(p.message for p in settings.problems if p.message not in given)
    return merged, tuple(known.get(w) or SettingsProblem.other(w) for w in merged)


def weighted_health(results: Sequence[KpiResult]) -> float | None:
    """Σ weight · score / Σ weight over KPIs with a score and weight > 0; None when none."""
    return _weighted_mean(
        [(r.weight, r.score) for r in results if r.score is not None and r.weight > 0]
    )


def score_and_colour(
    measured: Sequence[KpiResult], settings: ScoringSettings
) -> tuple[float | None, Colour]:
    """`assess(…).score` and `.colour` alone, without building the report: the what-if
    preview's loop over every organization (a property test keeps the two equal)."""
    counted = []
    for result in measured:
        weight = settings.weight(result.key)
        if result.value is not None and weight > 0:
            good, bad = settings.thresholds(result.key)
            counted.append((weight, kpis.kpi_score(result.value, good, bad)))
    score = _weighted_mean(counted)
    return score, kpis.colour_for(score, settings)


def _weighted_mean(counted: Sequence[tuple[float, float]]) -> float | None:
    if not counted:
        return None
    total_weight = sum(weight for weight, _ in counted)
    mean = sum(weight * score for weight, score in counted) / total_weight
    # A weighted mean lies between the lowest and highest score; rounding can push it just
    # outside (one KPI at 100 with weight 2.8 gave 100.00000000000001, and KPIs all at 70
    # must give exactly 70, i.e. green), so hold it to that range.
    scores = [score for _, score in counted]
    return min(max(mean, min(scores)), max(scores))


def recommendations(
    results: Sequence[KpiResult], settings: ScoringSettings, locale: str | None
) -> tuple[Recommendation, ...]:
    """One text per yellow or red KPI, largest weighted shortfall weight · (100 − score) first."""
    flagged = [r for r in results if r.colour in ("yellow", "red") and r.score is not None]
    flagged.sort(key=lambda r: (-(r.weight * (100 - (r.score or 0))), r.score))
    return tuple(
        Recommendation(
            r.key,
            r.colour,
            settings.recommendations.get((r.key, r.colour))
            or built_in_text(r.key, r.colour, locale),
        )
        for r in flagged
    )


def goal_target(
    organization: OrganizationFacts, settings: ScoringSettings
) -> tuple[float, str | None]:
    """The organization's goal: its `goal_field` value when that is a number 0–100, else
    `goal_score`; the second item is a warning for admins when a value is there but unusable.

    An organization without a value simply has the common goal, so only a value that cannot be
    a goal (text, a number outside 0–100) is worth a warning.
    """
    if settings.goal_field is None:
        return settings.goal_score, None
    raw = organization.fields.get(settings.goal_field)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return settings.goal_score, None
    target = _goal_number(raw)
    if target is None:
        return settings.goal_score, (
            f"goal_field: organization {organization.id} has {repr(raw)[:40]} in "
            f"'{settings.goal_field}', not a number from 0 to 100; "
            f"using goal_score {settings.goal_score:g}"
        )
    return target, None


def _goal_number(raw: object) -> float | None:
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        return None
    try:
        number = float(raw.strip() if isinstance(raw, str) else raw)
    except (ValueError, OverflowError):  # OverflowError: an integer too large for a float
        return None
    return number if 0 <= number <= 100 else None  # also refuses nan


def goal(score: float | None, target: float) -> Goal:
    """reached = score ≥ target, gap = target − score; both None without a score."""
    if score is None:
        return Goal(target, None, None)
    return Goal(target, score >= target, target - score)


def phase(
    organization: OrganizationFacts, now: datetime, settings: ScoringSettings
) -> Phase | None:
    """Onboarding while younger than `onboarding_days`, adoption until a year, then success."""
    if organization.created_at is None:
        return None
    age = now - organization.created_at
    if age < timedelta(days=settings.onboarding_days):
        return "onboarding"
    if age < timedelta(days=ADOPTION_ENDS_DAYS):
        return "adoption"
    return "success"


def measure(
    organization: OrganizationFacts,
    tickets: Iterable[TicketFacts],
    settings: ScoringSettings,
    now: datetime,
) -> tuple[KpiResult, ...]:
    """The four KPIs measured on the tickets in the window, not yet scored.

    Depends on the facts and on `MEASUREMENT_SETTINGS` only, so one measurement serves every
    set of settings that shares them (a what-if on weights or thresholds reads no ticket).
    """
    window = in_window(tickets, now, settings.window_days)
    return (
        kpis.balance(window, organization, settings),
        kpis.feedback(window, settings),
        kpis.touchpoints(window, settings),
        kpis.sla(window, settings),
    )


def compute_health(
    organization: OrganizationFacts,
    tickets: Iterable[TicketFacts],
    settings: ScoringSettings,
    now: datetime,
    *,
    locale: str | None = "en",
    settings_warnings: Sequence[str] = (),
) -> HealthReport:
    """The whole score for one organization at `now`."""
    measured = measure(organization, tickets, settings, now)
    return assess(
        organization, measured, settings, now, locale=locale, settings_warnings=settings_warnings
    )


def assess(
    organization: OrganizationFacts,
    measured: Sequence[KpiResult],
    settings: ScoringSettings,
    now: datetime,
    *,
    locale: str | None = "en",
    settings_warnings: Sequence[str] = (),
) -> HealthReport:
    """The report from measured KPIs (`measure`): KPI scores, weights, health, colour, goal."""
    results = tuple(score_kpi(result, settings) for result in measured)
    score = weighted_health(results)
    target, goal_warning = goal_target(organization, settings)
    if goal_warning is not None:
        settings_warnings = (*settings_warnings, goal_warning)
    warnings, problems = settings_feedback(settings, settings_warnings)
    return HealthReport(
        score=score,
        colour=kpis.colour_for(score, settings),
        kpis=results,
        recommendations=recommendations(results, settings, locale),
        goal=goal(score, target),
        phase=phase(organization, now, settings),
        window_days=settings.window_days,
        green_threshold=settings.green_threshold,
        red_threshold=settings.red_threshold,
        settings_warnings=warnings,
        settings_problems=problems,
    )
