"""A card that cannot be misread: the bar's scale, the history chart, the drill-down tickets,
more recommendations on demand (issue 9, "The card")."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Locator, expect

from backend.demo import DemoAccount

from .conftest import HealthApi, Sidebar, WithHistory
from .support import format_value

pytestmark = pytest.mark.browser


def text(locator: Locator) -> str:
    return locator.text_content() or ""


def kpi_below_its_bad_threshold(api: HealthApi, account: DemoAccount) -> tuple[int, dict[str, Any]]:
    """An organization with a KPI whose value lies below its bad threshold (score 0), like the
    issue's "CSAT 57 % on an empty bar"."""
    for organization_id in account.organization_ids:
        for kpi in api.report(organization_id)["kpis"]:
            if kpi["score"] == 0 and kpi["value"] is not None:
                return organization_id, kpi
    raise AssertionError("the demo account has no KPI at score 0")


def test_an_empty_bar_says_why_in_words_and_to_screen_readers(
    sidebar: Sidebar, api: HealthApi, account: DemoAccount
) -> None:
    organization_id, kpi = kpi_below_its_bad_threshold(api, account)
    bad = kpi["thresholds"]["bad"]
    assert (kpi["value"] < bad) == (kpi["thresholds"]["good"] > bad)  # beyond the bad end

    sidebar.open(organization_id)
    row = sidebar.state("report").locator(f'.kpi[data-kpi="{kpi["key"]}"]')
    fill = row.locator(".kpi__fill")
    assert fill.evaluate("e => e.getBoundingClientRect().width") == 0
    assert text(row.locator(".kpi__end--bad")) == f"bad {format_value(bad, '%', 'en')}"
    meaning = row.get_by_role("meter").get_attribute("aria-valuetext") or ""
    pattern = r": score 0 of 100, Critical\. .+ scores 0, .+ scores 100\.$"
    assert re.search(pattern, meaning), meaning
    assert sidebar.errors == []


def test_the_bar_length_is_the_value_between_bad_and_good(
    sidebar: Sidebar, api: HealthApi, by_colour: dict[str, int]
) -> None:
    """Measured in the browser: the fill's share of the track is (value − bad) / (good − bad)."""
    report = api.report(by_colour["yellow"])
    sidebar.open(by_colour["yellow"])
    card = sidebar.state("report")
    for kpi in report["kpis"]:
        if kpi["colour"] == "grey":
            continue
        good, bad = kpi["thresholds"]["good"], kpi["thresholds"]["bad"]
        share = min(1.0, max(0.0, (kpi["value"] - bad) / (good - bad)))
        row = card.locator(f'.kpi[data-kpi="{kpi["key"]}"]')
        measured = row.locator(".kpi__bar").evaluate(
            "bar => bar.firstElementChild.getBoundingClientRect().width / bar.clientWidth"
        )
        assert measured == pytest.approx(share, abs=0.01), kpi["key"]


def test_no_scores_no_chart(sidebar: Sidebar, with_history: WithHistory) -> None:
    """An organization without data has only null scores: no flat line at 0, no chart."""
    grey = with_history.organizations[0]
    history = with_history.api.report(grey)["trend"]["history"]
    assert len(history) > 2
    assert all(p["score"] is None for p in history)
    sidebar.open(grey, base_url=with_history.preview_url)
    card = sidebar.state("report")
    expect(card).to_be_visible()
    expect(card.locator(".history")).to_have_count(0)
    assert sidebar.errors == []


def test_the_chart_has_thresholds_a_scale_and_gaps(
    sidebar: Sidebar, with_history: WithHistory
) -> None:
    organization_id = with_history.organizations[1]
    # The fixture left one day without a score in the middle: a gap, not a zero.
    report = with_history.api.report(organization_id)
    history = report["trend"]["history"]
    gap = with_history.gap.isoformat()
    assert any(p["date"] == gap and p["score"] is None for p in history)

    sidebar.open(organization_id, base_url=with_history.preview_url)
    chart = sidebar.state("report").locator(".history")
    expect(chart).to_be_visible()
    assert text(chart.locator(".history__tick--green")) == "70"
    assert text(chart.locator(".history__tick--red")) == "40"
    expect(chart.locator(".history__threshold--green")).to_have_count(1)
    expect(chart.locator(".history__threshold--red")).to_have_count(1)
    # As many line pieces as runs of scored days in the API's history.
    runs, scored = 0, False
    for point in sorted(history, key=lambda p: p["date"]):
        if point["score"] is not None and not scored:
            runs += 1
        scored = point["score"] is not None
    path = chart.locator(".history__line").get_attribute("d") or ""
    assert path.count("M") == runs >= 2
    label = chart.get_by_role("img").get_attribute("aria-label") or ""
    assert label.endswith("Green from 70, red below 40. Gaps are days without a score."), label
    assert len(chart.locator(".history__days span").all()) == 2
    sidebar.screenshot("card-history", publish=True)
    assert sidebar.errors == []


def test_drill_down_tickets_open_in_zendesk(
    sidebar: Sidebar, api: HealthApi, by_colour: dict[str, int]
) -> None:
    report = api.report(by_colour["red"])
    flagged = [k for k in report["kpis"] if k["colour"] in ("yellow", "red")]
    assert flagged and all(k["tickets"] for k in flagged)
    ticket_id = flagged[0]["tickets"][0]["id"]

    sidebar.open(by_colour["red"])
    card = sidebar.state("report")
    link = card.get_by_role("button", name=f"Open ticket #{ticket_id}", exact=True).first
    expect(link).to_be_visible()
    link.click()
    opened = sidebar.page.locator("#opened-ticket")
    expect(opened).to_have_text(f"Ticket #{ticket_id} opened by the app (in Zendesk: a new tab)")
    # The keyboard works too: another ticket, by Enter.
    other = flagged[-1]["tickets"][-1]["id"]
    card.get_by_role("button", name=f"Open ticket #{other}", exact=True).first.press("Enter")
    expect(opened).to_contain_text(f"Ticket #{other} opened")
    assert sidebar.errors == []


def test_more_recommendations_on_demand(
    sidebar: Sidebar, api: HealthApi, by_colour: dict[str, int]
) -> None:
    report = api.report(by_colour["red"])
    assert len(report["recommendations"]) > 2
    sidebar.open(by_colour["red"])
    card = sidebar.state("report")
    hidden = len(report["recommendations"]) - 2
    more = card.get_by_role("button", name=re.compile(rf"^Show {hidden} more recommendation"))
    expect(more).to_have_attribute("aria-expanded", "false")
    expect(card.locator(".recommendation")).to_have_count(2)
    more.click()
    expect(card.locator(".recommendation")).to_have_count(len(report["recommendations"]))
    fewer = card.get_by_role("button", name="Show fewer recommendations")
    expect(fewer).to_have_attribute("aria-expanded", "true")
    expect(fewer).to_be_focused()  # the redraw keeps the keyboard where it was
    assert [text(r.locator(".recommendation__kpi")) for r in card.locator(".recommendation").all()]
    fewer.click()
    expect(card.locator(".recommendation")).to_have_count(2)
    assert sidebar.errors == []
