"""The preview page around the card: its ticket list is labelled with the backend's colours,
and its language and role links keep the selected organization (issue 9, "The preview")."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from backend.demo import BackgroundServer, DemoAccount

from .conftest import HealthApi, PreviewFactory, Sidebar
from .support import WORDS, format_number

pytestmark = pytest.mark.browser


def test_ticket_list_labels_are_the_backends_colours(
    sidebar: Sidebar,
    api: HealthApi,
    account: DemoAccount,
    backend: BackgroundServer,
    make_preview: PreviewFactory,
) -> None:
    expected = {}
    for organization_id in account.organization_ids:
        report = api.report(organization_id)  # every organization computed: labels are ready
        word = WORDS["en"][report["colour"]]
        score = report["score"]
        expected[report["organization"]["name"]] = (
            word if score is None else f"{word} {format_number(score, 'en')}"
        )

    sidebar.open(account.organization_ids[0], base_url=make_preview(backend.url).url)
    buttons = sidebar.page.locator("#ticket-list button")
    expect(buttons).to_have_count(len(account.organization_ids) + 1)
    notes = sidebar.page.locator("#ticket-list .list__note")
    expect(notes.filter(has_text=re.compile(r"\S"))).to_have_count(len(account.organization_ids))
    shown = {
        button.locator(".list__label").inner_text(): button.locator(".list__note").inner_text()
        for button in buttons.all()
    }
    for name, label in expected.items():
        assert shown[name] == label, name
    assert shown["No organization"] == ""
    assert sidebar.errors == []


def test_the_card_relabels_its_organization(
    sidebar: Sidebar, api: HealthApi, by_colour: dict[str, int]
) -> None:
    """Even an unlabelled list takes the colour of the card it shows: they cannot disagree."""
    report = api.report(by_colour["red"])
    sidebar.open(by_colour["red"])  # the shared preview does not label its list
    expect(sidebar.state("report")).to_be_visible()
    current = sidebar.page.locator('#ticket-list button[aria-current="true"] .list__note')
    expect(current).to_have_text(f"Critical {format_number(report['score'], 'en')}")


def test_language_and_role_links_keep_the_selected_organization(
    sidebar: Sidebar, api: HealthApi, by_colour: dict[str, int]
) -> None:
    first, second = by_colour["green"], by_colour["red"]
    sidebar.open(first)
    name = api.report(second)["organization"]["name"]
    sidebar.page.locator("#ticket-list .list__label").get_by_text(name, exact=True).click()
    expect(sidebar.state("report").locator(".card__title")).to_have_text(name)

    german = sidebar.page.get_by_role("link", name="Deutsch")
    query = parse_qs(urlsplit(german.get_attribute("href") or "").query)
    assert query["organization"] == [str(second)]
    german.click()
    expect(sidebar.page.locator("html")).to_have_attribute("lang", "de")
    card = sidebar.state("report")
    expect(card.locator(".card__title")).to_have_text(name)
    expect(sidebar.frame.locator("html")).to_have_attribute("lang", "de")

    sidebar.page.get_by_role("link", name="Als Agent ansehen").click()
    expect(sidebar.state("report").locator(".card__title")).to_have_text(name)
    assert parse_qs(urlsplit(sidebar.page.url).query)["role"] == ["agent"]
    expect(sidebar.page.get_by_role("link", name="English")).to_be_visible()
    assert sidebar.errors == []
