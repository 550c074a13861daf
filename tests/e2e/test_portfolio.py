"""The portfolio page (the app's nav_bar location) in Chromium shows what the portfolio
endpoints answer (DESIGN §11, docs/api.md), computed against the same backend and demo Zendesk.

The expected words are written out here, not read from the app, like support.py's.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, ConsoleMessage, FrameLocator, Locator, Page, expect

from backend.demo import BackgroundServer, DemoAccount

from .conftest import PUBLISH_ENV, TIMEOUT_MS, BackendFactory, PreviewFactory
from .support import ARTIFACTS, NARROW_NBSP, SCREENSHOTS, format_number, sign

pytestmark = pytest.mark.browser

SYNC_TIMEOUT_SECONDS = 240
PAGE_SIZE = 100
FOCUS_LIMIT = 8
BANDS = ("green", "yellow", "red")
WORDS = {
    "en": {
        "title": "Customer health portfolio",
        "distribution": "Colour distribution",
        "green": "Healthy",
        "yellow": "At risk",
        "red": "Critical",
        "organizations": "{n} organizations",
        "changes": "Organizations that would change colour: {n}",
        "weight_sla": "Weight: SLA",
        "warning": (
            "A green customer can still churn: the score measures how support goes, "
            "not the whole relationship."
        ),
    },
    "de": {
        "title": "Customer-Health-Portfolio",
        "distribution": "Farbverteilung",
        "green": "Gesund",
        "yellow": "Gefährdet",
        "red": "Kritisch",
        "organizations": "{n} Organisationen",
        "changes": "Organisationen, die die Farbe wechseln würden: {n}",
        "weight_sla": "Gewicht: SLA",
        "warning": (
            "Auch ein grüner Kunde kann abwandern: Der Score misst, wie der Support läuft, "
            "nicht die ganze Kundenbeziehung."
        ),
    },
}


def text(locator: Locator) -> str:
    return locator.text_content() or ""


def percent(value: float, language: str) -> str:
    return f"{format_number(value, language)}{NARROW_NBSP}%"


def js_number(value: float) -> str:
    """A number as JavaScript's String() writes it: shortest round trip, no trailing ".0"."""
    written = repr(float(value))
    return written.removesuffix(".0")


@dataclass
class PortfolioApi:
    """The portfolio endpoints, called directly with a correctly signed token."""

    url: str
    secret: str
    subdomain: str

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {sign(self.secret, self.subdomain)}"}

    def get(self, path: str, **params: Any) -> httpx.Response:
        return httpx.get(f"{self.url}{path}", params=params, headers=self._headers(), timeout=60)

    def json(self, path: str, **params: Any) -> Any:
        answer = self.get(path, **params)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def preview(self, settings: dict[str, str]) -> Any:
        answer = httpx.post(
            f"{self.url}/api/v1/preview",
            json={"settings": settings},
            headers=self._headers(),
            timeout=60,
        )
        assert answer.status_code == 200, answer.text
        return answer.json()

    def wait_synced(self, timeout: float = SYNC_TIMEOUT_SECONDS) -> dict[str, Any]:
        """The portfolio once the account's first sync has finished."""
        deadline = time.monotonic() + timeout
        while True:
            portfolio: dict[str, Any] = self.json("/api/v1/portfolio", sort="score")
            sync = portfolio["sync"]
            first = sync["state"] == "never" or (
                sync["state"] == "running" and sync["phase"] == "full"
            )
            if not first and portfolio["organizations"]:
                return portfolio
            assert time.monotonic() < deadline, f"no finished first sync: {sync}"
            time.sleep(1)


@pytest.fixture(scope="module")
def portfolio_api(backend: BackgroundServer, account: DemoAccount) -> PortfolioApi:
    return PortfolioApi(backend.url, account.shared_secret, account.subdomain)


@pytest.fixture(scope="module")
def synced(portfolio_api: PortfolioApi) -> dict[str, Any]:
    return portfolio_api.wait_synced()


@dataclass
class PortfolioPage:
    """The preview's nav bar page in one browser tab, and the app's iframe inside it."""

    page: Page
    base_url: str
    errors: list[str] = field(default_factory=list)

    def open(self, *, locale: str | None = None, base_url: str | None = None) -> None:
        query = f"?locale={locale}" if locale else ""
        self.page.goto(f"{base_url or self.base_url}/preview/portfolio{query}")

    @property
    def frame(self) -> FrameLocator:
        return self.page.frame_locator("#portfolio-frame")

    def state(self, name: str) -> Locator:
        return self.frame.locator(f'#app [data-state="{name}"]')

    def problem(self, code: str) -> Locator:
        """A failure or calm state, worded by its code as the sidebar card words it."""
        return self.frame.locator(f'#app [data-state="problem"][data-code="{code}"]')

    def region(self, name: str) -> Locator:
        return self.frame.locator(f'[data-region="{name}"]')

    def ready(self) -> Locator:
        ready = self.state("ready")
        expect(ready).to_be_visible(timeout=30_000)
        return ready

    def table_names(self) -> list[str]:
        expect(self.frame.locator(".table-wrap[aria-busy]")).to_have_count(0)
        names = self.region("table-rows").locator("tbody th [data-action='open']")
        return [text(name) for name in names.all()]

    def screenshot(self, name: str, *, part: str | None = None, publish: bool = False) -> Path:
        """The page's iframe (or the `part` of the page matching a selector) as PNG in
        test-artifacts/e2e/; published to docs/screenshots/ with E2E_UPDATE_SCREENSHOTS=1."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        target = self.frame.locator(part) if part else self.page.locator("#portfolio-frame")
        target.screenshot(path=str(path), animations="disabled")
        if publish and os.environ.get(PUBLISH_ENV) == "1":
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, SCREENSHOTS / f"{name}.png")
        return path


@pytest.fixture
def make_page(browser: Browser) -> Iterator[Callable[[str], PortfolioPage]]:
    contexts = []

    def make(base_url: str) -> PortfolioPage:
        context = browser.new_context(
            viewport={"width": 1360, "height": 1100}, locale="en-US", accept_downloads=True
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        view = PortfolioPage(page, base_url)

        def on_console(message: ConsoleMessage) -> None:
            url = message.location.get("url") or ""
            if message.type == "error" and not url.endswith("/favicon.ico"):
                view.errors.append(f"console: {message.text} ({url})")

        page.on("console", on_console)
        page.on("pageerror", lambda error: view.errors.append(f"page error: {error}"))
        return view

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def portfolio(
    make_page: Callable[[str], PortfolioPage], preview: BackgroundServer
) -> PortfolioPage:
    return make_page(preview.url)


def expected_distribution_rows(distribution: dict[str, int], language: str) -> list[list[str]]:
    scored = sum(distribution[band] for band in BANDS)
    target = {"green": 20, "yellow": 60, "red": 20}
    return [
        [
            WORDS[language][band],
            f"{format_number(distribution[band], language)} "
            f"({percent(100 * distribution[band] / scored, language)})",
            percent(target[band], language),
        ]
        for band in BANDS
    ]


def shown_rows(table: Locator) -> list[list[str]]:
    return [
        [text(cell).strip() for cell in row.locator("th, td").all()]
        for row in table.locator("tbody tr").all()
    ]


def test_the_page_shows_the_portfolio_as_the_api_answers(
    portfolio: PortfolioPage, portfolio_api: PortfolioApi, synced: dict[str, Any]
) -> None:
    answer = portfolio_api.json("/api/v1/portfolio", sort="score")
    backtest = portfolio_api.json("/api/v1/backtest")
    organizations = answer["organizations"]

    portfolio.open()
    portfolio.ready()
    words = WORDS["en"]
    assert text(portfolio.frame.locator("h1")) == words["title"]
    facts = text(portfolio.region("header").locator(".page-header__facts"))
    count = words["organizations"].format(n=format_number(len(organizations), "en"))
    assert facts.startswith(count)

    distribution = portfolio.region("distribution").locator("table.figures")
    assert shown_rows(distribution) == expected_distribution_rows(answer["distribution"], "en")

    # The table: the API's order, 100 rows at a time.
    names = portfolio.table_names()
    assert names == [o["name"] for o in organizations[:PAGE_SIZE]]
    first = organizations[0]
    row = portfolio.region("table-rows").locator(f'tr[data-org-row="{first["id"]}"]')
    assert text(row.locator(".score-cell")) == format_number(first["score"], "en")
    expect(row.locator(".chip")).to_have_class(re.compile(rf"\bchip--{first['colour']}\b"))

    # The focus list: the API's focus ids, in order.
    by_id = {o["id"]: o for o in organizations}
    focus = portfolio.region("focus").locator(".focus__item [data-action='open']")
    assert [text(item) for item in focus.all()] == [
        by_id[i]["name"] for i in answer["focus"][:FOCUS_LIMIT]
    ]

    # The backtest: its AUC (or why there is none), and always the warning.
    shown = text(portfolio.region("backtest"))
    if backtest["auc"] is None:
        assert "Not enough data yet" in shown
    else:
        assert f"AUC {format_number(backtest['auc'], 'en', 2)}" in shown
        assert format_number(backtest["churned"], "en") in shown
    assert words["warning"] in shown

    # The histogram counts every scored organization once.
    bands = portfolio.region("histogram").locator("table.visually-hidden tbody td")
    counts = [int(text(cell).replace(",", "")) for cell in bands.all()]
    assert len(counts) == 10
    assert sum(counts) == sum(1 for o in organizations if o["score"] is not None)
    portfolio.screenshot("portfolio", publish=True)
    assert portfolio.errors == []


def test_filters_and_sorting_ask_the_backend(
    portfolio: PortfolioPage, portfolio_api: PortfolioApi, synced: dict[str, Any]
) -> None:
    portfolio.open()
    portfolio.ready()
    portfolio.region("table-controls").locator('select[data-filter="colour"]').select_option("red")
    red = portfolio_api.json("/api/v1/portfolio", colour="red", sort="score")["organizations"]
    assert red, "the demo account has red organizations"
    expect(portfolio.region("table-rows").locator("tbody tr")).to_have_count(
        min(len(red), PAGE_SIZE)
    )
    assert portfolio.table_names() == [o["name"] for o in red[:PAGE_SIZE]]

    score = portfolio.region("table-rows").locator('button[data-sort="score"]')
    score.click()
    expect(score.locator("xpath=..")).to_have_attribute("aria-sort", "descending")
    descending = portfolio_api.json("/api/v1/portfolio", colour="red", sort="-score")
    assert portfolio.table_names() == [o["name"] for o in descending["organizations"][:PAGE_SIZE]]
    expect(score).to_be_focused()
    assert portfolio.errors == []


def test_csv_download_is_the_backends_csv_for_the_same_query(
    portfolio: PortfolioPage, portfolio_api: PortfolioApi, synced: dict[str, Any]
) -> None:
    portfolio.open()
    portfolio.ready()
    portfolio.region("table-controls").locator('select[data-filter="goal"]').select_option("missed")
    portfolio.table_names()
    with portfolio.page.expect_download() as download:
        portfolio.region("table-controls").locator('[data-action="csv"]').click()
    path = download.value.path()
    expected = portfolio_api.get("/api/v1/portfolio", goal="missed", sort="score", format="csv")
    assert expected.status_code == 200
    assert download.value.suggested_filename == "customer-health-portfolio.csv"
    # Byte for byte: the byte order mark (for Excel) and the CSV's \r\n line ends included.
    assert Path(path).read_bytes() == expected.content
    assert portfolio.errors == []


def test_what_if_shows_the_backends_preview_and_the_values_to_enter(
    portfolio: PortfolioPage, portfolio_api: PortfolioApi, synced: dict[str, Any]
) -> None:
    answer = portfolio_api.json("/api/v1/portfolio", sort="score")
    portfolio.open()
    portfolio.ready()
    controls = portfolio.region("whatif-controls")
    in_force = {
        name: controls.locator(f'select[data-weight="{name}"]').input_value()
        for name in ("balance", "feedback", "touchpoints", "sla")
    }
    assert in_force["sla"] != "0"
    controls.locator('select[data-weight="sla"]').select_option("0")

    settings = {
        "green_threshold": js_number(answer["thresholds"]["green"]),
        "red_threshold": js_number(answer["thresholds"]["red"]),
        **{f"weight_{name}": value for name, value in in_force.items()},
        "weight_sla": "0",
    }
    expected = portfolio_api.preview(settings)
    result = portfolio.region("whatif-result")
    heading = result.locator(".section-title").first
    expect(heading).to_have_text(
        WORDS["en"]["changes"].format(n=format_number(len(expected["changes"]), "en"))
    )
    changed = result.locator(".change [data-action='open']")
    assert [text(c) for c in changed.all()] == [c["name"] for c in expected["changes"][:50]]
    # Only the changed setting is to be entered, named as the settings page names it.
    assert shown_rows(result.locator("[data-enter]")) == [
        [WORDS["en"]["weight_sla"], in_force["sla"], "0"]
    ]
    portfolio.screenshot("portfolio-whatif", part="section.whatif", publish=True)
    assert portfolio.errors == []


def test_calibrate_fills_the_backends_thresholds(
    portfolio: PortfolioPage, portfolio_api: PortfolioApi, synced: dict[str, Any]
) -> None:
    calibration = portfolio_api.json("/api/v1/calibration", green=20, red=20)
    portfolio.open()
    portfolio.ready()
    portfolio.region("whatif-actions").locator('[data-action="calibrate"]').click()
    green = portfolio.region("whatif-controls").locator('input[data-threshold="green"]')
    red = portfolio.region("whatif-controls").locator('input[data-threshold="red"]')
    if calibration["green_threshold"] is None:
        expect(portfolio.region("whatif-actions")).to_contain_text("nothing to calibrate")
        return
    expect(green).to_have_value(js_number(calibration["green_threshold"]))
    expect(red).to_have_value(js_number(calibration["red_threshold"]))
    shares = calibration["shares"]
    expect(portfolio.region("whatif-actions")).to_contain_text(
        f"{percent(shares['green'], 'en')} healthy, {percent(shares['yellow'], 'en')} at risk, "
        f"{percent(shares['red'], 'en')} critical"
    )
    assert portfolio.errors == []


def test_an_organization_opens_its_card_and_zendesk(
    portfolio: PortfolioPage,
    portfolio_api: PortfolioApi,
    synced: dict[str, Any],
) -> None:
    answer = portfolio_api.json("/api/v1/portfolio", sort="score")
    chosen = next(o for o in answer["organizations"] if o["score"] is not None)
    report = portfolio_api.json(f"/api/v1/organizations/{chosen['id']}/health")
    portfolio.open()
    portfolio.ready()
    opener = portfolio.region("table-rows").locator(
        f'[data-action="open"][data-org="{chosen["id"]}"]'
    )
    opener.click()
    detail = portfolio.region("detail")
    expect(detail.locator('[data-state="report"]')).to_be_visible(timeout=30_000)
    assert text(detail.locator("#detail-title")) == chosen["name"]
    expect(detail.locator("#detail-title")).to_be_focused()
    assert text(detail.locator(".score__value")) == format_number(report["score"], "en")
    changes = report["trend"].get("kpi_changes") or []
    expect(detail.locator(".kpi-change")).to_have_count(len(changes))
    history = [p for p in report["trend"]["history"] if p.get("score") is not None]
    expect(detail.locator("svg.history__chart")).to_have_count(1 if len(history) >= 2 else 0)
    portfolio.screenshot("portfolio-detail", part='[data-view="detail"]', publish=True)

    detail.locator('[data-action="back"]').click()
    expect(opener).to_be_focused()
    opener.click()
    expect(detail.locator('[data-state="report"]')).to_be_visible(timeout=30_000)

    # routeTo('organization', id): the preview opens the ticket view of that organization.
    detail.locator('[data-action="zendesk"]').click()
    portfolio.page.wait_for_url(re.compile(rf"/preview\?locale=en&organization={chosen['id']}$"))
    card = portfolio.page.frame_locator("#sidebar-frame").locator('[data-state="report"]')
    expect(card.locator(".card__title")).to_have_text(chosen["name"], timeout=30_000)
    assert portfolio.errors == []


def test_german_admins_read_german(
    portfolio: PortfolioPage, portfolio_api: PortfolioApi, synced: dict[str, Any]
) -> None:
    answer = portfolio_api.json("/api/v1/portfolio", sort="score")
    portfolio.open(locale="de")
    portfolio.ready()
    words = WORDS["de"]
    expect(portfolio.frame.locator("html")).to_have_attribute("lang", "de")
    assert text(portfolio.frame.locator("h1")) == words["title"]
    assert text(portfolio.frame.locator("#distribution-title")) == words["distribution"]
    distribution = portfolio.region("distribution").locator("table.figures")
    assert shown_rows(distribution) == expected_distribution_rows(answer["distribution"], "de")
    assert words["warning"] in text(portfolio.region("backtest"))
    portfolio.screenshot("portfolio-german", publish=True)
    assert portfolio.errors == []


def test_the_first_sync_shows_its_progress_then_the_portfolio(
    make_page: Callable[[str], PortfolioPage],
    make_backend: BackendFactory,
    make_preview: PreviewFactory,
    account: DemoAccount,
    faults: Callable[..., None],
) -> None:
    fresh = make_backend()  # its own empty database: the account has never been synced
    faults(rate_slow=1, slow_seconds=0.5)  # every Zendesk call takes 0.5 s
    page = make_page(make_preview(fresh.url).url)
    page.open()
    banner = page.frame.locator('[data-sync="first"]')
    expect(banner).to_be_visible(timeout=20_000)
    expect(banner.get_by_role("progressbar")).to_have_count(1)
    page.screenshot("portfolio-sync", publish=True)

    faults()
    PortfolioApi(fresh.url, account.shared_secret, account.subdomain).wait_synced()
    expect(page.state("ready")).to_be_visible(timeout=30_000)
    expect(page.frame.locator('[data-sync="first"]')).to_have_count(0)
    assert page.errors == []


def test_an_unreachable_backend_is_an_error_with_retry(
    make_page: Callable[[str], PortfolioPage],
    make_backend: BackendFactory,
    make_preview: PreviewFactory,
) -> None:
    gone = make_backend()
    url = gone.url
    gone.stop()
    page = make_page(make_preview(url).url)
    page.open()
    error = page.problem("backend_unreachable")
    expect(error).to_be_visible()
    expect(error).to_have_attribute("role", "alert")
    assert text(error.locator(".message__title")) == "Backend unreachable"
    expect(error.get_by_role("button", name="Try again")).to_be_visible()


def test_without_a_backend_url_the_page_says_what_to_set(
    make_page: Callable[[str], PortfolioPage], make_preview: PreviewFactory
) -> None:
    page = make_page(make_preview("").url)
    page.open()
    problem = page.problem("not_configured")
    expect(problem).to_be_visible()
    assert "“Backend URL”" in text(problem)  # the setting's label on the settings page
    assert page.errors == []
