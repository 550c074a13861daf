"""Portfolio filters and sorting: parsing the query string, nulls last in both directions."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.scoring.portfolio import PortfolioRow
from backend.scoring.portfolio_query import SORT_COLUMNS, InvalidQuery, PortfolioQuery
from backend.scoring.report import Goal

from .factories import row

FAST = settings(max_examples=150, deadline=None)

ROWS = [
    row(1, score=85.0, name="beta", phase="success", delta_30d=2.0),
    row(2, score=None, name="Alpha", phase=None),
    row(3, score=35.0, name="gamma", phase="onboarding", delta_30d=-8.0, weakest_kpi="sla"),
    row(4, score=55.0, name="Delta", phase="adoption", weakest_kpi="balance"),
    row(5, score=70.0, name="epsilon", phase="adoption", goal=Goal(90, False, 20.0)),
]


def ids(rows: list[PortfolioRow]) -> list[int]:
    return [r.id for r in rows]


def test_default_is_worst_score_first_without_score_last() -> None:
    assert ids(PortfolioQuery().apply(ROWS)) == [3, 4, 5, 1, 2]
    assert PortfolioQuery.parse() == PortfolioQuery()


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("score", [3, 4, 5, 1, 2]),
        ("-score", [1, 5, 4, 3, 2]),
        ("+score", [3, 4, 5, 1, 2]),
        (" score", [3, 4, 5, 1, 2]),  # "+score" typed into a URL arrives with a space
        ("name", [2, 1, 4, 5, 3]),  # ignoring case
        ("-name", [3, 5, 4, 1, 2]),
        ("colour", [3, 4, 1, 5, 2]),  # red, yellow, green (1 and 5 by id), grey last
        ("-colour", [1, 5, 4, 3, 2]),
        ("phase", [3, 4, 5, 1, 2]),  # onboarding, adoption, success, unknown last
        ("-phase", [1, 4, 5, 3, 2]),
        ("delta_30d", [3, 1, 2, 4, 5]),
        ("-delta_30d", [1, 3, 2, 4, 5]),
        ("goal", [1, 4, 5, 3, 2]),  # by gap: −15, 15, 20, 35
        ("-goal", [3, 5, 4, 1, 2]),
        ("weakest_kpi", [4, 3, 1, 2, 5]),  # balance before sla, then none
        ("-id", [5, 4, 3, 2, 1]),
    ],
)
def test_sorting(sort: str, expected: list[int]) -> None:
    assert ids(PortfolioQuery.parse(sort=sort).apply(ROWS)) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"colour": "yellow"}, [4]),
        ({"colour": "red, GREEN"}, [3, 5, 1]),
        ({"colour": "grey"}, [2]),
        ({"phase": "adoption"}, [4, 5]),
        ({"phase": "onboarding,success"}, [3, 1]),
        ({"goal": "reached"}, [1]),
        ({"goal": "missed"}, [3, 4, 5]),  # 5 is green but below its own goal of 90
        ({"goal": "missed", "colour": "yellow,green", "sort": "-score"}, [5, 4]),
        ({"colour": "", "phase": " ", "goal": "", "sort": ""}, [3, 4, 5, 1, 2]),
    ],
)
def test_filters(query: dict[str, str], expected: list[int]) -> None:
    assert ids(PortfolioQuery.parse(**query).apply(ROWS)) == expected


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"colour": "purple"}, "colour: 'purple' is not one of green, yellow, red, grey"),
        ({"colour": "red,blue"}, "colour: 'blue' is not one of green, yellow, red, grey"),
        ({"phase": "churned"}, "phase: 'churned' is not one of onboarding, adoption, success"),
        ({"goal": "maybe"}, "goal: 'maybe' is not reached or missed"),
        ({"sort": "revenue"}, "sort: 'revenue' is not a column; use one of "),
        ({"sort": "--score"}, "sort: '--score' is not a column"),
    ],
)
def test_invalid_queries_name_the_parameter(query: dict[str, str], message: str) -> None:
    with pytest.raises(InvalidQuery) as raised:
        PortfolioQuery.parse(**query)
    assert str(raised.value).startswith(message)
    assert raised.value.parameter == next(iter(query))


def test_every_kpi_is_a_sort_column() -> None:
    rows = [
        row(1, score=50, kpis={"balance": 10.0, "feedback": None, "touchpoints": 5.0, "sla": 1.0}),
        row(2, score=50, kpis={"balance": 90.0, "feedback": 3.0, "touchpoints": None, "sla": 2.0}),
    ]
    assert ids(PortfolioQuery.parse(sort="-balance").apply(rows)) == [2, 1]
    assert ids(PortfolioQuery.parse(sort="-feedback").apply(rows)) == [2, 1]
    assert ids(PortfolioQuery.parse(sort="-touchpoints").apply(rows)) == [1, 2]
    assert {"balance", "feedback", "touchpoints", "sla", "potential"} <= set(SORT_COLUMNS)


maybe = st.none() | st.sampled_from([0.0, 10.0, 55.5, 70.0, 100.0, -3.0])
rows = st.lists(
    st.builds(
        lambda i, score, delta, potential: row(
            i, score=score, delta_30d=delta, potential=potential
        ),
        st.integers(min_value=1, max_value=10_000),
        maybe,
        maybe,
        maybe,
    ),
    max_size=30,
    unique_by=lambda r: r.id,
)


@FAST
@given(rows, st.sampled_from(SORT_COLUMNS), st.booleans())
def test_nulls_last_in_both_directions_and_order_holds(
    given_rows: list[PortfolioRow], column: str, descending: bool
) -> None:
    query = PortfolioQuery(sort=column, descending=descending)
    result = query.apply(given_rows)
    assert sorted(ids(result)) == sorted(ids(given_rows))
    values = [_value(r, column) for r in result]
    present = [v for v in values if v is not None]
    assert values == present + [None] * (len(values) - len(present))
    assert present == sorted(present, reverse=descending)  # type: ignore[type-var]


def _value(r: PortfolioRow, column: str) -> object:
    order = {"red": 0, "yellow": 1, "green": 2}
    return {
        "id": r.id,
        "name": r.name.casefold(),
        "score": r.score,
        "colour": order.get(r.colour),
        "delta_30d": r.delta_30d,
        "phase": None if r.phase is None else ("onboarding", "adoption", "success").index(r.phase),
        "goal": r.goal.gap,
        "weakest_kpi": r.weakest_kpi,
        "potential": r.potential,
        "churned": r.churned,
    }.get(column, r.kpis.get(column))
