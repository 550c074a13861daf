"""The portfolio's CSV: columns, numbers, nulls, and names that must not run as formulas."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.scoring.portfolio_csv import BYTE_ORDER_MARK, COLUMNS, defused, portfolio_csv
from backend.scoring.report import Goal

from .factories import row


def read(text: str) -> list[dict[str, str]]:
    assert text.startswith(BYTE_ORDER_MARK)
    return list(csv.DictReader(io.StringIO(text.removeprefix(BYTE_ORDER_MARK))))


def test_header_and_one_line_per_row_in_the_given_order() -> None:
    text = portfolio_csv([row(2, score=40.0), row(1, score=90.0)])
    assert text.removeprefix(BYTE_ORDER_MARK).splitlines()[0] == ",".join(COLUMNS)
    assert [line["id"] for line in read(text)] == ["2", "1"]
    assert text.endswith("\r\n")


def test_values_are_written_with_one_decimal_and_nulls_empty() -> None:
    scored = row(
        7,
        score=63.45,
        name="Müller GmbH",
        delta_30d=-4.04,
        potential=6.5,
        weakest_kpi="sla",
        goal=Goal(70, False, 6.55),
        kpis={"balance": 80.0, "feedback": None, "touchpoints": 55.0, "sla": 41.25},
        churned=True,
    )
    (line,) = read(portfolio_csv([scored]))
    assert line == {
        "id": "7",
        "name": "Müller GmbH",
        "score": "63.5",
        "colour": "yellow",
        "delta_30d": "-4.0",
        "phase": "adoption",
        "goal_target": "70.0",
        "goal_reached": "false",
        "goal_gap": "6.5",  # 6.55 is stored just below 6.55
        "weakest_kpi": "sla",
        "potential": "6.5",
        "balance": "80.0",
        "feedback": "",
        "touchpoints": "55.0",
        "sla": "41.2",  # half to even
        "churned": "true",
    }


def test_a_grey_organization_has_empty_cells() -> None:
    (line,) = read(portfolio_csv([row(3, score=None, phase=None)]))
    empty = ("score", "delta_30d", "phase", "goal_reached", "goal_gap", "weakest_kpi", "potential")
    assert all(line[column] == "" for column in empty)
    assert line["colour"] == "grey"


def test_a_tiny_negative_number_is_not_minus_zero() -> None:
    (line,) = read(portfolio_csv([row(3, score=50.0, delta_30d=-0.01)]))
    assert line["delta_30d"] == "0.0"


@pytest.mark.parametrize(
    "name",
    ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "  =1", "＝1"],
)
def test_names_that_a_spreadsheet_would_run_get_an_apostrophe(name: str) -> None:
    (line,) = read(portfolio_csv([row(1, score=50.0, name=name)]))
    assert line["name"] == "'" + name


@pytest.mark.parametrize("name", ["Acme", "A=B Corp", "3M", "O'Brien & Sons", "Café 1+1"])
def test_ordinary_names_are_left_alone(name: str) -> None:
    (line,) = read(portfolio_csv([row(1, score=50.0, name=name)]))
    assert line["name"] == name


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_any_name_survives_the_round_trip_and_never_starts_a_formula(name: str) -> None:
    (line,) = read(portfolio_csv([row(1, score=50.0, name=name)]))
    assert line["name"] == defused(name)
    assert line["name"] in (name, "'" + name)
    assert not line["name"].lstrip().startswith(("=", "+", "-", "@"))
