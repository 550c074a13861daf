"""The portfolio as CSV for spreadsheets, with organization names kept from running as formulas."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Final

from backend.scoring.portfolio import PortfolioRow
from backend.scoring.settings import KPI_KEYS

COLUMNS: Final = (
    "id",
    "name",
    "score",
    "colour",
    "delta_30d",
    "phase",
    "goal_target",
    "goal_reached",
    "goal_gap",
    "weakest_kpi",
    "potential",
    *KPI_KEYS,
    "churned",
)
# A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV
# injection"); the full-width forms are read as formulas by some spreadsheets too.
_FORMULA_STARTS: Final = ("=", "+", "-", "@", "＝", "＋", "－", "＠")
# Excel reads a CSV without a byte order mark in the system's code page, which garbles
# names such as "Müller GmbH"; other readers skip the mark.
BYTE_ORDER_MARK: Final = "\ufeff"

Cell = str | float | bool | None


def portfolio_csv(rows: Iterable[PortfolioRow]) -> str:
    """One line per row in the order given, numbers with one decimal, nulls as empty cells."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([_cell(value) for value in _values(row)])
    return BYTE_ORDER_MARK + out.getvalue()


def _values(row: PortfolioRow) -> list[Cell]:
    return [
        str(row.id),
        row.name,
        _number(row.score),
        row.colour,
        _number(row.delta_30d),
        row.phase,
        _number(row.goal.target),
        row.goal.reached,
        _number(row.goal.gap),
        row.weakest_kpi,
        _number(row.potential),
        *(_number(row.kpis.get(key)) for key in KPI_KEYS),
        row.churned,
    ]


def _number(value: float | None) -> float | None:
    # Settings and scores may be ints (goal_score 70): every number gets the same format.
    return None if value is None else float(value)


def _cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        shown = f"{value:.1f}"
        return "0.0" if shown == "-0.0" else shown
    return defused(value)


def defused(text: str) -> str:
    """The text, with a leading apostrophe when a spreadsheet would run it as a formula."""
    if text.startswith(("\t", "\r")) or text.lstrip().startswith(_FORMULA_STARTS):
        return "'" + text
    return text
