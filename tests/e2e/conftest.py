"""The product as `customer-health demo` runs it, in a real headless Chromium.

A generated demo account (24 organizations, among them the dataset's high-volume ones) is served
by the demo Zendesk; the real backend computes from it; the preview page shows the real
zendesk_app/assets/iframe.html with the ZAF stand-in and its signing proxy. Everything listens
on 127.0.0.1 with ephemeral ports. Chromium is Debian's /usr/bin/chromium — never downloaded;
when it is missing the tests fail (run scripts/ensure-test-tools).

The preview is served by its own small app next to the backend (the demo mounts it on the
backend's app): the router needs the backend's URL when it is created, and a separate server
lets a test point a preview at a stopped backend or at no backend at all.

The backends run the account sync as `serve` does (`sync_interval_seconds` > 0). Its first pass
over the demo account runs once per session (`synced_database`); `make_synced_backend` starts a
backend on a copy of that store, like a restarted `serve`, so `backend`, `with_history` and the
tests that break Zendesk afterwards answer from the store at once (the main path). A test that
needs the per-organization fallback (a cold organization, computing progress) starts its own
backend on an empty database with `sync_interval_seconds=0`.

Screenshots of each state go to test-artifacts/e2e/ (gitignored); `E2E_UPDATE_SCREENSHOTS=1
pytest tests/e2e` also refreshes the committed ones in docs/screenshots/.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    FrameLocator,
    Locator,
    Page,
    sync_playwright,
)

from backend.api.main import create_app
from backend.config import AppConfig
from backend.demo import (
    BackgroundServer,
    DemoAccount,
    DemoCredentials,
    RateLimits,
    create_demo_zendesk,
    generate_account,
)
from backend.demo.history import backfill_history
from backend.demo.preview import create_preview_router
from backend.service.settings_cache import effective_settings
from backend.store.repository import SnapshotRecord

from .support import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, INSTALLATION_ID, SCREENSHOTS, sign

ORGANIZATIONS = 24
HIGH_VOLUME = 5000  # tickets; the dataset's "high volume" organizations have more
PUBLISH_ENV = "E2E_UPDATE_SCREENSHOTS"  # set to 1 to refresh docs/screenshots/*.png
TIMEOUT_MS = 10_000
# The account sync's pause between runs in tests: the first pass starts at once; later runs
# (incremental) are rare enough to leave the machine to the browser.
SYNC_INTERVAL_SECONDS = 60
SYNC_TIMEOUT_SECONDS = 240

BackendFactory = Callable[..., BackgroundServer]
PreviewFactory = Callable[..., BackgroundServer]
BACKEND_APPS: dict[str, FastAPI] = {}  # url → the backend's app, for tests that seed its store


@pytest.fixture(scope="session")
def account() -> DemoAccount:
    account = generate_account(seed=7, organizations=ORGANIZATIONS)
    assert any(account.ticket_count(i) > HIGH_VOLUME for i in account.organization_ids)
    return account


@pytest.fixture(scope="session")
def zendesk(account: DemoAccount) -> Iterator[BackgroundServer]:
    # The export's own limit (10 a minute in Zendesk) would make the first pass take minutes.
    limits = RateLimits(account=100_000, incremental_exports=100_000)
    app = create_demo_zendesk(account, rate_limits=limits)
    with BackgroundServer(app) as server:
        yield server


@pytest.fixture
def faults(zendesk: BackgroundServer) -> Iterator[Callable[..., None]]:
    """Sets the demo Zendesk's faults (FaultConfig fields) for one test; off afterwards."""

    def configure(**fields: Any) -> None:
        httpx.put(f"{zendesk.url}/_demo/faults", json=fields).raise_for_status()

    yield configure
    httpx.put(f"{zendesk.url}/_demo/faults", json={}).raise_for_status()


@pytest.fixture(scope="session")
def make_backend(
    account: DemoAccount, zendesk: BackgroundServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BackendFactory]:
    """Starts a backend (own SQLite file unless `database_url` is given) on `port` (0: any),
    with the account sync on unless `sync_interval_seconds=0`; it does not wait for the sync
    (`wait_for_sync` does)."""
    servers: list[BackgroundServer] = []

    def start(*, port: int = 0, **overrides: Any) -> BackgroundServer:
        values: dict[str, Any] = {
            "app_shared_secret": account.shared_secret,
            "zendesk_subdomain": account.subdomain,
            "zendesk_url": zendesk.url,
            "zendesk_oauth_token": DemoCredentials().oauth_token,
            "database_url": f"sqlite:///{tmp_path_factory.mktemp('backend') / 'e2e.db'}",
            "cold_deadline_seconds": 10,
            "freshness_seconds": 3600,
            "zendesk_timeout_seconds": 5,
            "zendesk_max_retry_seconds": 2,
            "sync_interval_seconds": SYNC_INTERVAL_SECONDS,
            **overrides,
        }
        app = create_app(AppConfig(**values))
        server = BackgroundServer(app, port=port).start()
        servers.append(server)
        BACKEND_APPS[server.url] = app
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def make_preview(account: DemoAccount, zendesk: BackgroundServer) -> Iterator[PreviewFactory]:
    """Starts a preview page whose app settings point at `backend_url` ("" = not configured);
    `labels=False` keeps its ticket list from asking the backend about every organization."""
    servers: list[BackgroundServer] = []

    def start(backend_url: str, *, labels: bool = True) -> BackgroundServer:
        app = FastAPI()
        app.include_router(
            create_preview_router(
                backend_url=backend_url,
                zendesk_url=zendesk.url,
                zendesk_token=DemoCredentials().oauth_token,
                shared_secret=account.shared_secret,
                subdomain=account.subdomain,
                installation_id=INSTALLATION_ID,
                settings=dict(account.installation["settings"]),
                label_organizations=labels,
            )
        )
        server = BackgroundServer(app).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def sync_status(backend: BackgroundServer, secret: str, subdomain: str) -> dict[str, Any]:
    answer = httpx.get(
        f"{backend.url}/api/v1/sync",
        headers={"Authorization": f"Bearer {sign(secret, subdomain)}"},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    status: dict[str, Any] = answer.json()
    return status


def wait_for_sync(
    backend: BackgroundServer,
    account: DemoAccount,
    *,
    state: str = "idle",
    timeout: float = SYNC_TIMEOUT_SECONDS,
) -> dict[str, Any]:
    """The account sync's status once it says `state` (idle: its first pass is stored)."""
    deadline = time.monotonic() + timeout
    while True:
        status = sync_status(backend, account.shared_secret, account.subdomain)
        if status["state"] == state:
            return status
        assert time.monotonic() < deadline, f"the sync is not {state} after {timeout} s: {status}"
        time.sleep(0.2)


@pytest.fixture(scope="session")
def synced_database(
    make_backend: BackendFactory, account: DemoAccount, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """A SQLite store filled by the account sync's first pass; the backend that wrote it is
    stopped, so the file can be copied."""
    path = tmp_path_factory.mktemp("synced") / "synced.db"
    server = make_backend(database_url=f"sqlite:///{path}")
    wait_for_sync(server, account)
    server.stop()
    return path


@pytest.fixture(scope="session")
def make_synced_backend(
    make_backend: BackendFactory,
    synced_database: Path,
    account: DemoAccount,
    tmp_path_factory: pytest.TempPathFactory,
) -> BackendFactory:
    """Starts a backend on its own copy of the synced store (config overridable) and waits
    until its sync says `sync_state` (idle; failing when Zendesk is meant to refuse it)."""

    def start(*, sync_state: str = "idle", **overrides: Any) -> BackgroundServer:
        copy = tmp_path_factory.mktemp("backend") / "e2e.db"
        for suffix in ("", "-wal", "-shm"):
            source = Path(f"{synced_database}{suffix}")
            if source.exists():
                shutil.copyfile(source, f"{copy}{suffix}")
        server = make_backend(database_url=f"sqlite:///{copy}", **overrides)
        wait_for_sync(server, account, state=sync_state)
        return server

    return start


@pytest.fixture(scope="session")
def backend(make_synced_backend: BackendFactory) -> BackgroundServer:
    """The backend every card test shares: its store holds the whole demo account."""
    return make_synced_backend()


@pytest.fixture(scope="session")
def preview(make_preview: PreviewFactory, backend: BackgroundServer) -> BackgroundServer:
    # Unlabelled: a list asking about all 24 organizations at once would race each test's
    # card for the backend (tests/e2e/test_preview_page.py checks the labels).
    return make_preview(backend.url, labels=False)


@dataclass
class HealthApi:
    """The backend's sidebar endpoint, called directly with a correctly signed token."""

    url: str
    secret: str
    subdomain: str

    def get(self, organization_id: int, *, locale: str = "en", token: str | None = None) -> Any:
        return httpx.get(
            f"{self.url}/api/v1/organizations/{organization_id}/health",
            params={"locale": locale},
            headers={"Authorization": f"Bearer {token or sign(self.secret, self.subdomain)}"},
            timeout=30,
        )

    def report(self, organization_id: int, *, locale: str = "en") -> dict[str, Any]:
        """The 200 answer, polling while the backend answers 202 (computing)."""
        deadline = time.monotonic() + 30
        while True:
            answer = self.get(organization_id, locale=locale)
            if answer.status_code == 200:
                report: dict[str, Any] = answer.json()
                return report
            assert answer.status_code == 202, answer.text
            assert time.monotonic() < deadline, "still computing after 30 s"
            time.sleep(0.2)

    def stale_report(self, organization_id: int, *, timeout: float = 10) -> dict[str, Any]:
        """The answer once it is marked stale (the backend reads the sync's state every 2 s)."""
        deadline = time.monotonic() + timeout
        while True:
            report = self.report(organization_id)
            if report["stale"]:
                return report
            assert time.monotonic() < deadline, f"never stale: {report}"
            time.sleep(0.2)


@pytest.fixture(scope="session")
def api(backend: BackgroundServer, account: DemoAccount) -> HealthApi:
    return HealthApi(backend.url, account.shared_secret, account.subdomain)


@pytest.fixture(scope="session")
def by_colour(api: HealthApi, account: DemoAccount) -> dict[str, int]:
    """An organization id per colour (green, yellow, red, grey), as the backend scores them.

    Ordinary organizations first; the high-volume ones only if a colour is still missing.
    """
    ids = sorted(account.organization_ids, key=lambda i: account.ticket_count(i) > HIGH_VOLUME)
    found: dict[str, int] = {}
    for organization_id in ids:
        found.setdefault(api.report(organization_id)["colour"], organization_id)
        if {"green", "yellow", "red", "grey"} <= found.keys():
            return found
    raise AssertionError(f"the demo account lacks a colour; found {found}")


@dataclass
class WithHistory:
    """A backend whose store has 90 days of scores, as `customer-health demo` writes them;
    the red organization (`organizations[1]`) has no score on the day `gap`."""

    api: HealthApi
    app: FastAPI
    preview_url: str
    organizations: list[int]  # [grey, red]
    gap: date


@pytest.fixture(scope="session")
def with_history(
    make_synced_backend: BackendFactory,
    make_preview: PreviewFactory,
    account: DemoAccount,
    by_colour: dict[str, int],
) -> WithHistory:
    backend = make_synced_backend()
    api = HealthApi(backend.url, account.shared_secret, account.subdomain)
    app = BACKEND_APPS[backend.url]
    repository, tenant = app.state.repository, account.subdomain
    effective = effective_settings(account.installation["settings"])
    today = datetime.now(UTC)
    backfill_history(repository, tenant, effective, today)
    # One day without a score in the middle of the red organization's history: a gap, not 0.
    grey, red = by_colour["grey"], by_colour["red"]
    gap = today.date() - timedelta(days=45)
    stored = repository.organization(tenant, red)
    assert stored is not None, "the account sync stored every organization"
    fingerprint = effective.score_fingerprint
    missing = SnapshotRecord(red, gap, fingerprint, None, "grey", {}, stored.revision)
    repository.save_snapshots(tenant, [missing])
    # Written before the first answer: an answer the backend stored stays current until the
    # organization's data changes, whatever `reports.forget` drops from memory.
    app.state.reports.forget(tenant)
    return WithHistory(api, app, make_preview(backend.url, labels=False).url, [grey, red], gap)


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


@dataclass
class Sidebar:
    """The preview page in one browser tab, and the sidebar iframe inside it."""

    page: Page
    base_url: str
    errors: list[str] = field(default_factory=list)

    def open(
        self,
        organization: int | None = None,
        *,
        locale: str | None = None,
        tamper: bool = False,
        base_url: str | None = None,
        role: str | None = None,
    ) -> None:
        """The preview page; its demo user is an admin unless `role="agent"`."""
        query = {
            "organization": organization,
            "locale": locale,
            "tamper": 1 if tamper else None,
            "role": role,
        }
        params = "&".join(f"{k}={v}" for k, v in query.items() if v is not None)
        self.page.goto(f"{base_url or self.base_url}/preview?{params}")

    @property
    def frame(self) -> FrameLocator:
        return self.page.frame_locator("#sidebar-frame")

    def state(self, name: str) -> Locator:
        return self.frame.locator(f'#app [data-state="{name}"]')

    def settle(self) -> None:
        """Waits until the host has resized the iframe to the app's height (ZAF 'resize')."""
        self.page.wait_for_function(
            """() => {
              const frame = document.getElementById('sidebar-frame');
              const doc = frame && frame.contentDocument;
              const app = doc && doc.getElementById('app');
              return !!app && app.offsetHeight > 0
                && Math.abs(frame.clientHeight - Math.ceil(app.offsetHeight)) <= 1;
            }"""
        )

    def screenshot(self, name: str, *, publish: bool = False) -> Path:
        """The sidebar iframe as PNG in test-artifacts/e2e/; with E2E_UPDATE_SCREENSHOTS=1 the
        published ones are also copied to docs/screenshots/ (committed)."""
        self.settle()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.locator("#sidebar-frame").screenshot(path=str(path), animations="disabled")
        if publish and os.environ.get(PUBLISH_ENV) == "1":
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, SCREENSHOTS / f"{name}.png")
        return path


@pytest.fixture
def sidebar(browser: Browser, preview: BackgroundServer) -> Iterator[Sidebar]:
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    view = Sidebar(page, preview.url)

    def on_console(message: ConsoleMessage) -> None:
        url = message.location.get("url") or ""
        if message.type == "error" and not url.endswith("/favicon.ico"):  # the preview has none
            view.errors.append(f"console: {message.text} ({url})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: view.errors.append(f"page error: {error}"))
    yield view
    context.close()
