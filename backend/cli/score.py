"""`customer-health score FILE.json`: the health report for one organization from a JSON file.

The file holds what Zendesk answers: the organization, its tickets, their metric sets and the
installation settings. Bad input is one `error:` line on stderr and exit code 2, never a
traceback, so the command is safe to use in scripts.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, TextIO

from backend.cli.environment import NO_ENVIRONMENT
from backend.scoring import HealthReport, KpiResult, ScoringSettings, compute_health
from backend.scoring.facts import OrganizationFacts, TicketFacts
from backend.zendesk.errors import MalformedOrganization, MalformedTicket
from backend.zendesk.parse import as_int, parse_organization, parse_ticket, parse_timestamp

EXIT_OK = 0
EXIT_BAD_INPUT = 2
LOCALES = ("en", "de")


class BadInput(Exception):
    """The input cannot be scored; the message is the one line shown after `error:`."""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "score",
        help="score one organization from a JSON file of Zendesk data",
        description=(
            "Compute the health report for one organization from a JSON file shaped like "
            'Zendesk\'s answers: {"organization": {...}, "tickets": [...], '
            '"metric_sets": [...], "settings": {...}}.'
        ),
        epilog=NO_ENVIRONMENT,
    )
    parser.add_argument("file", metavar="FILE.json", help="the organization's Zendesk data")
    parser.add_argument(
        "--now", metavar="ISO-8601", help="score as of this time (default: now, UTC)"
    )
    parser.add_argument(
        "--json", action="store_true", help="print the report as JSON instead of a table"
    )
    parser.add_argument(
        "--locale", choices=LOCALES, default="en", help="language of built-in recommendations"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        now = _now(args.now)
        document = _load(args.file)
        organization, tickets, settings, warnings = _facts(document)
    except BadInput as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    report = compute_health(
        organization, tickets, settings, now, locale=args.locale, settings_warnings=warnings
    )
    if args.json:
        json.dump(report.to_dict(), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        write_table(report, organization, now, sys.stdout)
    return EXIT_OK


# --- input ---------------------------------------------------------------------------------


def _now(text: str | None) -> datetime:
    if text is None:
        return datetime.now(UTC)
    now = parse_timestamp(text)
    if now is None:
        raise BadInput(f"--now {_shown(text)} is not an ISO-8601 time")
    return now


def _load(path: str) -> object:
    try:
        with open(path, encoding="utf-8") as file:
            text = file.read()
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise BadInput(f"cannot read {path}: {reason}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise BadInput(
            f"{path} is not valid JSON: {error.msg} at line {error.lineno} column {error.colno}"
        ) from None
    except RecursionError:
        raise BadInput(f"{path} is not valid JSON: nested too deeply") from None


def _type_name(value: object) -> str:
    return "null" if value is None else type(value).__name__


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _facts(
    document: object,
) -> tuple[OrganizationFacts, list[TicketFacts], ScoringSettings, tuple[str, ...]]:
    if not isinstance(document, dict):
        raise BadInput(f"the file must hold a JSON object, not {_type_name(document)}")
    raw_settings = document.get("settings", {})
    if raw_settings is None:
        raw_settings = {}
    if not isinstance(raw_settings, dict):
        raise BadInput(f"settings must be an object, not {_type_name(raw_settings)}")
    settings, warnings = ScoringSettings.from_zendesk(raw_settings)
    organization = _organization(document.get("organization"))
    metric_sets = _metric_sets(document.get("metric_sets", []))
    raw_tickets = document.get("tickets", [])
    if not isinstance(raw_tickets, list):
        raise BadInput(f"tickets must be a list, not {_type_name(raw_tickets)}")
    tickets = [_ticket(index, raw, metric_sets) for index, raw in enumerate(raw_tickets)]
    return organization, tickets, settings, warnings


def _organization(raw: object) -> OrganizationFacts:
    if not isinstance(raw, dict):
        raise BadInput(f"organization must be an object, not {_type_name(raw)}")
    try:
        organization = parse_organization(raw)
    except MalformedOrganization:
        raise BadInput(
            f"organization: id {_shown(raw.get('id'))} is not a positive integer"
        ) from None
    created_at = raw.get("created_at")
    if created_at is not None and organization.created_at is None:
        raise BadInput(f"organization: created_at {_shown(created_at)} is not an ISO-8601 time")
    return organization


def _metric_sets(raw: object) -> dict[int, dict[str, object]]:
    """Metric sets by ticket id, as Zendesk sideloads them beside the tickets."""
    if raw is None:
        return {}
    if not isinstance(raw, list):
        raise BadInput(f"metric_sets must be a list, not {_type_name(raw)}")
    by_ticket: dict[int, dict[str, object]] = {}
    for index, metric_set in enumerate(raw):
        if not isinstance(metric_set, dict):
            raise BadInput(f"metric_sets[{index}]: must be an object, not {_type_name(metric_set)}")
        ticket_id = as_int(metric_set.get("ticket_id"))
        if ticket_id is None:
            raise BadInput(
                f"metric_sets[{index}]: ticket_id {_shown(metric_set.get('ticket_id'))} "
                "is not an integer"
            )
        by_ticket[ticket_id] = metric_set
    return by_ticket


def _ticket(
    index: int,
    raw: object,
    metric_sets: Mapping[int, dict[str, object]],
) -> TicketFacts:
    where = f"tickets[{index}]"
    if not isinstance(raw, dict):
        raise BadInput(f"{where}: must be an object, not {_type_name(raw)}")
    ticket_id = as_int(raw.get("id"))
    metric_set = metric_sets.get(ticket_id) if ticket_id is not None else None
    try:
        ticket = parse_ticket(raw, metric_set)
    except MalformedTicket as error:
        value = raw.get(error.field)
        if error.field == "created_at":
            raise BadInput(f"{where}: created_at {_shown(value)} is not an ISO-8601 time") from None
        raise BadInput(
            f"{where}: {error.field} {_shown(value)} is not a positive integer"
        ) from None
    updated_at = raw.get("updated_at")
    if updated_at is not None and parse_timestamp(updated_at) is None:
        raise BadInput(f"{where}: updated_at {_shown(updated_at)} is not an ISO-8601 time")
    return ticket


# --- output --------------------------------------------------------------------------------

KPI_NAMES = {
    "balance": "Balance",
    "feedback": "Feedback",
    "touchpoints": "Touchpoints",
    "sla": "SLA",
}


def _number(value: float | None, unit: str = "") -> str:
    return "–" if value is None else f"{value:.1f}{unit}"


def _reason(kpi: KpiResult) -> str:
    reason = kpi.detail.get("reason")
    return str(reason) if reason else ""


def write_table(
    report: HealthReport, organization: OrganizationFacts, now: datetime, out: TextIO
) -> None:
    """The report for a person: one row per KPI, then score, goal, phase and advice."""
    out.write(f"{organization.name} (organization {organization.id})\n")
    out.write(f"as of {now.isoformat()}, window {report.window_days} days\n\n")
    header = ("KPI", "value", "score", "colour", "weight", "sample", "reason")
    rows = [
        (
            KPI_NAMES.get(k.key, k.key),
            _number(k.value, " " + k.unit if k.unit else ""),
            _number(k.score),
            k.colour,
            f"{k.weight:g}",
            str(k.sample_size),
            _reason(k),
        )
        for k in report.kpis
    ]
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header) - 1)]
    for row in (header, *rows):
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        out.write("  ".join([*cells, row[-1]]).rstrip() + "\n")
    out.write("\n")
    out.write(f"Health score: {_number(report.score)} ({report.colour})\n")
    goal = report.goal
    if goal.reached is None or goal.gap is None:
        out.write(f"Goal: {goal.target:g}, no score to compare\n")
    elif goal.reached:
        out.write(f"Goal: {goal.target:g}, reached ({-goal.gap:.1f} above)\n")
    else:
        out.write(f"Goal: {goal.target:g}, not reached ({goal.gap:.1f} to go)\n")
    out.write(f"Phase: {report.phase or 'unknown (no creation date)'}\n")
    if report.recommendations:
        out.write("\nRecommendations:\n")
        for recommendation in report.recommendations:
            name = KPI_NAMES.get(recommendation.kpi, recommendation.kpi)
            out.write(f"- {name} ({recommendation.colour}): {recommendation.text}\n")
    else:
        out.write("\nRecommendations: none, every KPI is green or without data\n")
