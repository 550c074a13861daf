"""Backtest: churn from tag or date, the score before churn, ROC AUC and top-decile lift."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import roc_auc_score

from backend.scoring import ScoringSettings, Snapshot
from backend.scoring.backtest import (
    Churn,
    Outcome,
    backtest,
    churn_of,
    churn_source,
    score_for_backtest,
)

DEFAULTS = ScoringSettings()
WITH_DATE = ScoringSettings(churn_date_field="churned_on")


# --- churn from a tag or a date field -------------------------------------------------------


@pytest.mark.parametrize("tags", [["vip", "churned"], ["Churned"], [" CHURNED "]])
def test_the_churn_tag_marks_churn_ignoring_case(tags: list[str]) -> None:
    assert churn_of(1, tags, {}, DEFAULTS) == Churn(by_tag=True)
    assert churn_of(1, tags, {}, DEFAULTS).churned


def test_other_tags_are_not_churn() -> None:
    churn = churn_of(1, ["churn_risk", "churned_maybe"], {"churned_on": "2026-01-31"}, DEFAULTS)
    assert not churn.churned  # without churn_date_field the date field is not read


def test_a_custom_churn_tag() -> None:
    config, _ = ScoringSettings.from_zendesk({"churn_tag": "Lost"})
    assert churn_of(1, ["lost"], {}, config).churned
    assert not churn_of(1, ["churned"], {}, config).churned


@pytest.mark.parametrize(
    "value", ["2026-01-31", " 2026-01-31 ", "2026-01-31T00:00:00+00:00", "2026-01-31T00:00:00Z"]
)
def test_the_churn_date_field_in_zendesk_forms(value: str) -> None:
    churn = churn_of(1, [], {"churned_on": value}, WITH_DATE)
    assert churn == Churn(by_tag=False, on=date(2026, 1, 31))
    assert churn.churned


@pytest.mark.parametrize("value", [None, "", "  "])
def test_an_empty_churn_date_is_no_churn(value: object) -> None:
    assert churn_of(1, [], {"churned_on": value}, WITH_DATE) == Churn()
    assert churn_of(1, [], {}, WITH_DATE) == Churn()


@pytest.mark.parametrize("value", ["yes", "2026-02-30", "31.01.2026", 20260131, True])
def test_a_churn_date_that_is_not_a_date_is_reported(value: object) -> None:
    churn = churn_of(5, ["churned"], {"churned_on": value}, WITH_DATE)
    assert churn.by_tag and churn.on is None
    assert churn.problem == (
        f"churn_date_field: organization 5 has {value!r} in 'churned_on', not a date such as "
        "2026-03-31; it does not count as churned by date"
    )


def test_tag_and_date_together() -> None:
    churn = churn_of(1, ["churned"], {"churned_on": "2025-12-01"}, WITH_DATE)
    assert (churn.by_tag, churn.on) == (True, date(2025, 12, 1))


# --- the score a churned organization is judged by ------------------------------------------

HISTORY = [
    Snapshot(date(2026, 1, 10), 55.0),
    Snapshot(date(2026, 1, 20), 48.0),
    Snapshot(date(2026, 1, 25), None),
    Snapshot(date(2026, 1, 31), 12.0),  # on the churn date: already after the decision
    Snapshot(date(2026, 2, 5), 5.0),
]


def test_a_churned_organization_is_judged_by_its_last_score_before_the_churn_date() -> None:
    churn = Churn(on=date(2026, 1, 31))
    assert score_for_backtest(3.0, churn, reversed(HISTORY)) == 48.0


def test_without_a_snapshot_before_the_date_the_current_score_counts() -> None:
    assert score_for_backtest(3.0, Churn(on=date(2026, 1, 10)), HISTORY) == 3.0
    assert score_for_backtest(None, Churn(on=date(2026, 1, 10)), []) is None


def test_without_a_churn_date_the_current_score_counts() -> None:
    assert score_for_backtest(61.0, Churn(by_tag=True), HISTORY) == 61.0
    assert score_for_backtest(61.0, Churn(), HISTORY) == 61.0


# --- AUC and lift -----------------------------------------------------------------------------


def outcomes(churned: list[float | None], retained: list[float | None]) -> list[Outcome]:
    return [Outcome(s, True) for s in churned] + [Outcome(s, False) for s in retained]


def test_auc_counts_pairs_where_the_churned_organization_scored_lower() -> None:
    # Pairs (churned, retained): 10 is below 20, 40, 50; 30 is below 40 and 50 → 5 of 6.
    result = backtest(outcomes([10.0, 30.0], [20.0, 40.0, 50.0]), "tag")
    assert result.auc == pytest.approx(5 / 6)
    assert (result.churned, result.retained) == (2, 3)
    assert result.base_rate == pytest.approx(2 / 5)


def test_ties_count_one_half() -> None:
    # (40, 40) ties: ½; (40, 60) won: 1 → 1.5 of 2.
    assert backtest(outcomes([40.0], [40.0, 60.0]), "tag").auc == pytest.approx(0.75)
    assert backtest(outcomes([50.0, 50.0], [50.0]), "tag").auc == 0.5


def test_a_score_that_rates_churned_customers_higher_has_auc_below_one_half() -> None:
    assert backtest(outcomes([90.0, 80.0], [10.0, 20.0]), "tag").auc == 0.0


def test_organizations_without_a_score_are_left_out() -> None:
    result = backtest(outcomes([10.0, None], [None, 20.0]), "tag")
    assert (result.churned, result.retained, result.auc) == (1, 1, 1.0)


@pytest.mark.parametrize(
    ("churned", "retained"), [([], [10.0, 20.0]), ([10.0, 20.0], []), ([], []), ([None], [None])]
)
def test_nulls_when_a_group_is_empty(
    churned: list[float | None], retained: list[float | None]
) -> None:
    result = backtest(outcomes(churned, retained), "tag")
    assert result.auc is None and result.top_decile_lift is None
    scored = [s for s in churned + retained if s is not None]
    assert result.base_rate == (
        None if not scored else len([s for s in churned if s is not None]) / len(scored)
    )


def test_top_decile_lift() -> None:
    # 20 organizations, 4 churned (base rate 0.2); the 2 lowest scores are both churned.
    churned = [1.0, 2.0, 50.0, 60.0]
    retained = [float(s) for s in range(10, 26)]
    result = backtest(outcomes(churned, retained), "both")
    assert result.top_decile.to_dict() == {"organizations": 2, "churned": 2}
    assert result.top_decile_lift == pytest.approx(1.0 / 0.2)
    assert result.to_dict()["source"] == "both"


def test_top_decile_takes_at_least_one_and_every_tie_at_the_cut() -> None:
    # 5 organizations: ⌈5 / 10⌉ = 1, but three share the lowest score.
    result = backtest(outcomes([30.0], [30.0, 30.0, 70.0, 80.0]), "tag")
    assert result.top_decile.to_dict() == {"organizations": 3, "churned": 1}
    assert result.top_decile_lift == pytest.approx((1 / 3) / (1 / 5))
    # 11 organizations: ⌈11 / 10⌉ = 2.
    many = backtest(outcomes([5.0], [float(s) for s in range(10, 110, 10)]), "tag")
    assert many.top_decile.organizations == 2


def test_to_dict_has_the_documented_fields() -> None:
    assert backtest([], "tag").to_dict() == {
        "auc": None,
        "top_decile_lift": None,
        "churned": 0,
        "retained": 0,
        "top_decile": {"organizations": 0, "churned": 0},
        "base_rate": None,
        "source": "tag",
    }


# --- source -----------------------------------------------------------------------------------


def test_source_names_the_signals_that_marked_churned_organizations() -> None:
    by_tag, by_date = Churn(by_tag=True), Churn(on=date(2026, 1, 1))
    assert churn_source([by_tag, Churn()], WITH_DATE) == "tag"
    assert churn_source([by_date, Churn()], WITH_DATE) == "date_field"
    assert churn_source([by_tag, by_date], WITH_DATE) == "both"
    assert churn_source([Churn(by_tag=True, on=date(2026, 1, 1))], DEFAULTS) == "both"


def test_source_without_churned_organizations_names_the_signals_set_up() -> None:
    assert churn_source([Churn()], DEFAULTS) == "tag"
    assert churn_source([], WITH_DATE) == "both"


# --- the AUC is scikit-learn's ROC AUC of −score ------------------------------------------------

# Few distinct values make ties between churned and retained organizations common.
tied_scores = st.sampled_from([0.0, 12.5, 40.0, 40.0, 55.5, 70.0, 100.0]) | st.floats(0, 100)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(tied_scores, st.booleans()), min_size=2, max_size=60))
def test_auc_equals_scikit_learns_roc_auc_of_the_negated_score(
    pairs: list[tuple[float, bool]],
) -> None:
    result = backtest([Outcome(score, churned) for score, churned in pairs], "tag")
    labels = [churned for _, churned in pairs]
    if all(labels) or not any(labels):
        assert result.auc is None
        return
    expected = roc_auc_score(labels, [-score for score, _ in pairs])
    assert result.auc == pytest.approx(expected, abs=1e-12)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(tied_scores, st.booleans()), min_size=1, max_size=60))
def test_lift_is_the_decile_churn_rate_over_the_base_rate(pairs: list[tuple[float, bool]]) -> None:
    result = backtest([Outcome(score, churned) for score, churned in pairs], "tag")
    n = len(pairs)
    cut = sorted(score for score, _ in pairs)[-(-n // 10) - 1]
    decile = [churned for score, churned in pairs if score <= cut]
    assert result.top_decile.to_dict() == {"organizations": len(decile), "churned": sum(decile)}
    churned = sum(c for _, c in pairs)
    if 0 < churned < n:
        assert result.top_decile_lift == pytest.approx((sum(decile) / len(decile)) / (churned / n))
    else:
        assert result.top_decile_lift is None
