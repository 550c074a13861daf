"""Contrast, accessible names and German, measured in Chromium (issue 9, "Accessibility and
language"). Contrast is computed here from the colours Chromium computes, with WCAG's formula:
every text at least 4.5:1 against the background behind it, every graphic that carries
meaning at least 3:1 against what it sits on."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Locator, expect

from .conftest import HealthApi, Sidebar, WithHistory
from .support import contrast, format_number

pytestmark = pytest.mark.browser

TEXT_MINIMUM = 4.5
GRAPHIC_MINIMUM = 3.0

# Every visible text node of the app with its colour and the first opaque background behind it.
_TEXTS = """root => {
  const background = (element) => {
    for (let e = element; e; e = e.parentElement) {
      const colour = getComputedStyle(e).backgroundColor;
      if (colour && colour !== 'transparent' && !/rgba\\(.*,\\s*0\\)$/.test(colour)) return colour;
    }
    return 'rgb(255, 255, 255)';
  };
  const found = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const element = node.parentElement;
    const box = element.getBoundingClientRect();
    const style = getComputedStyle(element);
    if (!node.textContent.trim() || box.width <= 1 || box.height <= 1) continue;  // sr-only too
    if (style.visibility !== 'visible') continue;
    const isSvg = element instanceof SVGElement;
    found.push({
      text: node.textContent.trim().slice(0, 40),
      colour: isSvg ? style.fill : style.color,
      background: background(element),
    });
  }
  return found;
}"""

# (selector, CSS property of the graphic, what it must stand out against): the ring, the
# bars and their tracks, the chart's lines, the progress bar, the recommendations' colour.
GRAPHICS: list[tuple[str, str, str]] = [
    (".score__arc", "stroke", "card"),
    (".score__track", "stroke", "card"),
    (".kpi__bar", "borderTopColor", "card"),
    (".kpi__fill", "backgroundColor", "track"),
    (".history__line", "stroke", "card"),
    (".history__threshold", "stroke", "card"),
    (".history__axis", "stroke", "card"),
    (".progress", "borderTopColor", "card"),
    (".progress__fill", "backgroundColor", "track"),
    (".recommendation", "borderLeftColor", "card"),
    (".recommendation", "borderLeftColor", "self"),
]

_GRAPHIC = """([elements, property, against]) => elements
  .filter(e => { const b = e.getBoundingClientRect(); return b.width > 0 && b.height > 0; })
  .filter(e => getComputedStyle(e).display !== 'none')
  .map(e => ({
    name: e.getAttribute('class'),
    colour: getComputedStyle(e)[property],
    against: against === 'card' ? 'rgb(255, 255, 255)'
      : getComputedStyle(against === 'track' ? e.parentElement : e).backgroundColor,
  }))"""


def contrast_failures(app: Locator) -> list[str]:
    """Every text below 4.5:1 and every graphic below 3:1 in the app's current state."""
    failures = []
    texts: list[dict[str, Any]] = app.evaluate(_TEXTS)
    assert texts, "nothing to measure"
    for item in texts:
        ratio = contrast(item["colour"], item["background"])
        if ratio < TEXT_MINIMUM:
            failures.append(f"text {item['text']!r}: {ratio:.2f}:1")
    for selector, css, against in GRAPHICS:
        elements = app.locator(selector)
        if not elements.count():
            continue
        for item in elements.evaluate_all(
            "(es, args) => (" + _GRAPHIC + ")([es, ...args])", [css, against]
        ):
            ratio = contrast(item["colour"], item["against"])
            if ratio < GRAPHIC_MINIMUM:
                failures.append(f"graphic {item['name']} {css} vs {against}: {ratio:.2f}:1")
    return failures


@pytest.mark.parametrize("colour", ["green", "yellow", "red", "grey"])
def test_contrast_of_every_card(sidebar: Sidebar, by_colour: dict[str, int], colour: str) -> None:
    sidebar.open(by_colour[colour])
    expect(sidebar.state("report")).to_be_visible()
    app = sidebar.frame.locator("#app")
    graphics = app.locator(".score__track, .score__arc, .kpi__bar")
    assert graphics.count() >= 1  # the check below measured something
    assert contrast_failures(app) == []
    if colour == "red":  # the admins' box and the expanded list, too
        app.get_by_role("button", name=re.compile("^Show .* more recommendation")).click()
        assert contrast_failures(app) == []


def test_contrast_of_the_history_chart(sidebar: Sidebar, with_history: WithHistory) -> None:
    sidebar.open(with_history.organizations[1], base_url=with_history.preview_url)
    app = sidebar.frame.locator("#app")
    expect(app.locator(".history__line")).to_be_visible()
    assert contrast_failures(app) == []


def test_contrast_of_error_and_empty_states(sidebar: Sidebar, account: Any) -> None:
    sidebar.open(account.organization_ids[0], tamper=True)
    app = sidebar.frame.locator("#app")
    expect(app.locator('[data-code="invalid_token"]')).to_be_visible()
    assert contrast_failures(app) == []  # the admin's detail box included
    sidebar.page.locator("#ticket-list .list__label").get_by_text("No organization").click()
    expect(app.locator('[data-code="no_organization"]')).to_be_visible()
    assert contrast_failures(app) == []


def test_a_red_card_fails_the_check_when_a_colour_is_too_pale(
    sidebar: Sidebar, by_colour: dict[str, int]
) -> None:
    """The check itself can fail: Garden's pale yellow-400 bar (1.8:1 on white) is caught."""
    sidebar.open(by_colour["yellow"])
    app = sidebar.frame.locator("#app")
    expect(sidebar.state("report")).to_be_visible()
    app.evaluate("root => root.querySelector('.kpi__fill').style.background = '#ffb057'")
    assert any("kpi__fill" in failure for failure in contrast_failures(app))


def test_accessible_names(sidebar: Sidebar, api: HealthApi, by_colour: dict[str, int]) -> None:
    report = api.report(by_colour["red"])
    sidebar.open(by_colour["red"])
    card = sidebar.state("report")
    expect(card).to_be_visible()
    # The visible word is (in) the button's name: voice control users say what they see.
    expect(card.get_by_role("button", name="Refresh", exact=True)).to_be_visible()
    score = format_number(report["score"], "en")
    expect(card.get_by_role("img", name=f"Health score {score} of 100: Critical")).to_be_visible()
    names = {
        "balance": "Balance",
        "feedback": "Feedback",
        "touchpoints": "Touchpoints",
        "sla": "SLA",
    }
    for kpi in report["kpis"]:
        if kpi["colour"] == "grey":
            continue
        meter = card.get_by_role("meter", name=f"{names[kpi['key']]} score", exact=True)
        expect(meter).to_have_attribute("aria-valuenow", format_number(kpi["score"], "en"))
        for ticket in kpi["tickets"]:
            name = f"Open ticket #{ticket['id']}"
            expect(card.get_by_role("button", name=name, exact=True).first).to_be_visible()
    tag = card.locator(".tag")
    assert (tag.text_content() or "").startswith("Lifecycle phase: ")
    assert tag.get_attribute("title")


ENGLISH_WORDS = re.compile(
    r"\b(Healthy|At risk|Critical|Refresh|Goal|Key figures|Tickets pulling|agent replies|"
    r"bad rating|Show \d|updated|Last \d+ days|good \d|bad \d)\b"
)
INFORMAL_GERMAN = re.compile(r"\b(du|dich|dir|dein\w*|Prüfe|Lies|Ruf|geh|vereinbart)\b")


def test_the_german_card_is_german_throughout_and_says_sie(
    sidebar: Sidebar, api: HealthApi, by_colour: dict[str, int]
) -> None:
    report = api.report(by_colour["red"], locale="de")
    sidebar.open(by_colour["red"], locale="de")
    card = sidebar.state("report")
    expect(card).to_be_visible()
    card.get_by_role("button", name=re.compile(r"weitere Empfehlung")).click()
    shown = card.inner_text()
    assert not ENGLISH_WORDS.search(shown), ENGLISH_WORDS.search(shown)
    assert not INFORMAL_GERMAN.search(shown), INFORMAL_GERMAN.search(shown)
    for recommendation in report["recommendations"]:
        assert recommendation["text"] in shown
        assert re.search(r"\bSie\b", recommendation["text"]), recommendation["text"]
    expect(card.get_by_role("button", name="Aktualisieren", exact=True)).to_be_visible()
    assert "schlecht " in shown and "gut " in shown
    assert "Tickets, die den Wert drücken" in shown
    sidebar.screenshot("card-german-expanded")
    assert sidebar.errors == []
