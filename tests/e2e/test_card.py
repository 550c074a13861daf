"""The health card in Chromium shows exactly what the backend answers (DESIGN §5)."""

from __future__ import annotations

import math
import re
from typing import Any

import pytest
from playwright.sync_api import Locator, expect

from .conftest import HealthApi, Sidebar
from .support import (
    WORDS,
    format_number,
    format_value,
    goal_text,
    kpi_value_text,
    reason_text,
    trend_text,
)

pytestmark = pytest.mark.browser

PUBLISHED = {"green": "card-green", "red": "card-red"}


def text(locator: Locator) -> str:
    return locator.text_content() or ""


def assert_card(sidebar: Sidebar, report: dict[str, Any], language: str) -> None:
    """Every figure and word of the card against the API's answer, compared as text."""
    words = WORDS[language]
    card = sidebar.state("report")
    expect(card).to_be_visible()
    assert text(card.locator(".card__title")) == report["organization"]["name"]
    if report.get("phase"):
        tag = card.locator(".tag")
        assert text(tag.locator('[aria-hidden="true"]')) == words[f"phase_{report['phase']}"]
        assert (tag.get_attribute("title") or "").startswith(words[f"phase_{report['phase']}"])

    colour = report["colour"]
    ring = card.locator(".score")
    expect(ring).to_have_class(re.compile(rf"\bscore--{colour}\b"))
    assert text(ring.locator(".score__value")) == format_number(report["score"], language)
    assert text(ring.locator(".score__word")) == words[colour]
    arc = ring.locator(".score__arc")  # no arc (not even its round cap) without a score
    if report["score"]:
        expect(arc).to_be_visible()
    else:
        expect(arc).to_be_hidden()

    expected_goal = goal_text(report.get("goal"), language)
    if expected_goal is None:
        expect(card.locator(".goal")).to_have_count(0)
    else:
        assert text(card.locator(".goal")) == expected_goal
    assert text(card.locator(".trend")) == trend_text(report.get("trend"), language)
    assert text(card.locator(".hint")) == words["window"].format(days=report["window_days"])

    assert text(card.locator(".kpis .section-title")) == words["kpis_heading"]
    rows = card.locator(".kpis__list > li")
    expect(rows).to_have_count(len(report["kpis"]))
    assert [row.get_attribute("data-kpi") for row in rows.all()] == [
        kpi["key"] for kpi in report["kpis"]
    ]
    for kpi in report["kpis"]:
        row = card.locator(f'.kpi[data-kpi="{kpi["key"]}"]')
        expect(row).to_have_class(re.compile(rf"\bkpi--{kpi['colour']}\b"))
        if kpi["colour"] == "grey":
            assert text(row.locator(".kpi__name")) == words[kpi["key"]]
        else:  # the colour's word beside the name: colour is never the only sign
            assert text(row.locator(".kpi__name")) == f"{words[kpi['key']]} {words[kpi['colour']]}"
        assert text(row.locator(".kpi__value")) == kpi_value_text(kpi, language), kpi
        if kpi["colour"] == "grey":
            expected = reason_text(kpi, report["window_days"], language)
            assert text(row.locator(".kpi__reason")) == expected
            expect(row.locator(".kpi__bar")).to_have_count(0)
        else:
            score = min(100.0, max(0.0, kpi["score"]))
            bar = row.locator(".kpi__bar")
            assert bar.get_attribute("aria-valuenow") == str(math.floor(score + 0.5))
            # The bar's ends are the thresholds: bad (score 0) left, good (score 100) right.
            good, bad = kpi["thresholds"]["good"], kpi["thresholds"]["bad"]
            ends = row.locator(".kpi__end")
            assert [text(end) for end in ends.all()] == [
                words["scale_bad"].format(value=format_value(bad, kpi["unit"], language)),
                words["scale_good"].format(value=format_value(good, kpi["unit"], language)),
            ]
            meaning = bar.get_attribute("aria-valuetext") or ""
            assert meaning.startswith(kpi_value_text(kpi, language)), meaning
        # Drill-down: exactly the API's tickets, in its order, for yellow and red KPIs only.
        links = row.locator('[data-action="open-ticket"]')
        expected_ids = [str(t["id"]) for t in kpi["tickets"]]
        if kpi["colour"] not in ("yellow", "red"):
            expected_ids = []
        assert [link.get_attribute("data-ticket-id") for link in links.all()] == expected_ids

    shown = report["recommendations"][:2]  # the card shows the two most urgent first
    items = card.locator(".recommendation")
    expect(items).to_have_count(len(shown))
    hidden = len(report["recommendations"]) - len(shown)
    toggle = card.locator('[data-action="more-recommendations"]')
    if hidden:
        key = "more_one" if hidden == 1 else "more_other"
        expect(toggle).to_have_text(words[key].format(n=hidden))
    else:
        expect(toggle).to_have_count(0)
    if shown:
        heading = card.locator(".recommendations .section-title")
        assert text(heading) == words["recommendations_heading"]
    for item, recommendation in zip(items.all(), shown, strict=True):
        expect(item).to_have_class(re.compile(rf"\brecommendation--{recommendation['colour']}\b"))
        name = words[recommendation["kpi"]]
        assert text(item.locator(".recommendation__kpi")) == f"{name}:"
        assert text(item) == f"{name}: {recommendation['text']}"  # the colon for screen readers

    expect(card.get_by_role("button", name=words["refresh"], exact=True)).to_be_visible()


@pytest.mark.parametrize("colour", ["green", "yellow", "red", "grey"])
def test_card_matches_the_api(
    colour: str, sidebar: Sidebar, api: HealthApi, by_colour: dict[str, int]
) -> None:
    organization_id = by_colour[colour]
    report = api.report(organization_id)
    assert report["colour"] == colour
    if colour == "grey":
        assert report["score"] is None
        assert all(kpi["colour"] == "grey" for kpi in report["kpis"])
    else:
        assert report["recommendations"] or colour == "green"

    sidebar.open(organization_id)
    assert_card(sidebar, report, "en")
    sidebar.screenshot(PUBLISHED.get(colour, f"card-{colour}"), publish=colour in PUBLISHED)
    assert sidebar.errors == []


def test_german_card(sidebar: Sidebar, api: HealthApi, by_colour: dict[str, int]) -> None:
    organization_id = by_colour["red"]
    german = api.report(organization_id, locale="de")
    english = api.report(organization_id)
    assert german["recommendations"], "a red organization gets recommendations"
    assert [r["text"] for r in german["recommendations"]] != [
        r["text"] for r in english["recommendations"]
    ], "the API answers German recommendation texts for locale=de"

    sidebar.open(organization_id, locale="de")
    assert_card(sidebar, german, "de")
    html_lang = sidebar.frame.locator("html")
    expect(html_lang).to_have_attribute("lang", "de")
    sidebar.screenshot("card-german", publish=True)
    assert sidebar.errors == []


def test_switching_tickets_reloads_the_card(
    sidebar: Sidebar, api: HealthApi, by_colour: dict[str, int]
) -> None:
    """Another ticket: the host fires ticket.requester.id.changed (documented), the card follows
    the requester to their organization, then to none."""
    first, second = by_colour["green"], by_colour["red"]
    sidebar.open(first)
    title = sidebar.state("report").locator(".card__title")
    expect(title).to_have_text(api.report(first)["organization"]["name"])

    other = api.report(second)
    sidebar.page.locator("#ticket-list .list__label").get_by_text(
        other["organization"]["name"], exact=True
    ).click()
    expect(title).to_have_text(other["organization"]["name"])
    assert_card(sidebar, other, "en")

    sidebar.page.locator("#ticket-list .list__label").get_by_text(
        "No organization", exact=True
    ).click()
    none = sidebar.frame.locator('#app [data-state="problem"][data-code="no_organization"]')
    expect(none).to_be_visible()
    assert text(none.locator(".message__title")) == "No organization"
    expect(sidebar.state("report")).to_have_count(0)
    assert sidebar.errors == []
