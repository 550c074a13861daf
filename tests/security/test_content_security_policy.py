"""The pages the backend serves work under their Content-Security-Policy, in Chromium.

The preview is served as `customer-health demo` serves it: from the backend's own app, so
the backend's security headers apply to it.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from backend.api.main import create_app
from backend.config import AppConfig
from backend.demo import BackgroundServer, DemoAccount, DemoCredentials
from backend.demo.preview import create_preview_router

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# Records every CSP violation of the page and of its frames.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  (window.top.__violations || window.__violations).push(
    event.violatedDirective + ' ' + event.blockedURI);
});
"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/ensure-test-tools (apt-get chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    context.add_init_script(RECORD_VIOLATIONS)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.fixture(scope="module")
def demo(
    account: DemoAccount, zendesk: BackgroundServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BackgroundServer]:
    """The backend with the preview mounted on it, as the demo CLI builds it."""
    port = _free_port()
    config = AppConfig(
        app_shared_secret=account.shared_secret,
        zendesk_subdomain=account.subdomain,
        zendesk_url=zendesk.url,
        zendesk_oauth_token=DemoCredentials().oauth_token,
        database_url=f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}",
        cold_deadline_seconds=10,
    )
    app = create_app(config)
    app.include_router(
        create_preview_router(
            backend_url=f"http://127.0.0.1:{port}",
            zendesk_url=zendesk.url,
            zendesk_token=DemoCredentials().oauth_token,
            shared_secret=account.shared_secret,
            subdomain=account.subdomain,
            installation_id=account.installation["id"],
            settings=dict(account.installation["settings"]),
        )
    )
    with BackgroundServer(app, port=port) as server:
        yield server


def test_the_preview_and_the_sidebar_run_without_a_violation(
    page: Page, demo: BackgroundServer, account: DemoAccount
) -> None:
    busiest = max(account.organization_ids, key=account.ticket_count)
    page.goto(f"{demo.url}/preview?organization={busiest}")
    card = page.frame_locator("#sidebar-frame").locator('#app [data-state="report"]')
    card.wait_for(timeout=90_000)  # every organization is labelled and synced meanwhile
    # The bars are sized by style attributes, which the policy must let through.
    widths = card.locator(".kpi__fill").evaluate_all("bars => bars.map(b => b.style.width)")
    assert widths and all(w.endswith("%") for w in widths)
    assert page.evaluate("window.__violations") == []


def test_the_portfolio_page_runs_without_a_violation(page: Page, demo: BackgroundServer) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{demo.url}/preview/portfolio")
    frame = page.frame_locator("#portfolio-frame")
    try:  # whatever it shows (the portfolio, or a problem while endpoints are missing), it ran
        frame.locator("[data-state]").first.wait_for(timeout=30_000)
    finally:
        assert errors == [], "the portfolio page's scripts failed (not its policy)"
    assert page.evaluate("window.__violations") == []


def test_an_injected_inline_script_is_blocked(page: Page, demo: BackgroundServer) -> None:
    """The policy is not a formality: a script that was not in the page does not run."""
    page.goto(f"{demo.url}/preview")
    page.evaluate(
        """() => { const s = document.createElement('script');
                   s.textContent = 'window.__injected = true'; document.body.append(s); }"""
    )
    assert page.evaluate("window.__injected === undefined")
    assert any(v.startswith("script-src") for v in page.evaluate("window.__violations"))


@pytest.mark.parametrize(
    ("path", "rendered"),
    [("/docs", ".opblock"), ("/redoc", "[data-section-id]")],
    ids=["Swagger UI", "ReDoc"],
)
def test_the_api_docs_render_under_their_policy(
    page: Page, demo: BackgroundServer, path: str, rendered: str
) -> None:
    """Swagger UI and ReDoc come from the package; their pages have inline scripts too.
    ReDoc's footer logo is on its makers' site: blocking it is intended (no third party)."""
    page.goto(demo.url + path)
    page.wait_for_selector(rendered, state="attached")
    violations = page.evaluate("window.__violations")
    assert [v for v in violations if not v.startswith("img-src https://cdn.redoc.ly/")] == []
