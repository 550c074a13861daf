"""The real backend over loopback HTTP, against the demo Zendesk, on SQLite and PostgreSQL.

Every test gets its own database (a fresh SQLite file, or a fresh PostgreSQL schema that is
dropped afterwards) so no test depends on what another one, or an earlier run, left behind.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from backend.api.main import create_app
from backend.config import AppConfig, normalise_database_url
from backend.demo import (
    BackgroundServer,
    DemoAccount,
    RateLimits,
    create_demo_zendesk,
    generate_account,
)
from backend.store.db import create_db_engine, migrate

from .support import (
    DEMO_TOKEN,
    INSTALLATION_ID,
    SECRET,
    SUBDOMAIN,
    BackendFactory,
    bearer,
    wait_for_sync,
)

DATABASES = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


@pytest.fixture(scope="module")
def account() -> DemoAccount:
    return generate_account(seed=7, organizations=24)


# Roomy limits: the budget logic has its own tests; these tests would otherwise wait minutes.
ROOMY = RateLimits(account=100_000, incremental_exports=100_000)


@pytest.fixture(scope="module")
def zendesk(account: DemoAccount) -> Iterator[BackgroundServer]:
    app = create_demo_zendesk(account, rate_limits=ROOMY)
    with BackgroundServer(app) as server:
        yield server


@pytest.fixture(autouse=True)
def _clean_demo(request: pytest.FixtureRequest) -> Iterator[None]:
    """Faults off and the request log empty around every test that uses the demo Zendesk."""
    if "zendesk" not in request.fixturenames:
        yield
        return
    server: BackgroundServer = request.getfixturevalue("zendesk")
    httpx.put(f"{server.url}/_demo/faults", json={})
    httpx.post(f"{server.url}/_demo/requests/reset")
    yield
    httpx.put(f"{server.url}/_demo/faults", json={})


@pytest.fixture(params=DATABASES)
def database(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[tuple[str, str | None]]:
    """(database URL, schema): a new SQLite file, or a new PostgreSQL schema dropped after."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'health.db'}", None
        return
    url = os.environ["TEST_DATABASE_URL"]
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    # A PostgreSQL backend expects `customer-health migrate` to have run before it starts.
    engine = create_db_engine(normalise_database_url(url), schema=schema)
    migrate(engine, schema=schema)
    engine.dispose()
    try:
        yield url, schema
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def make_backend(
    database: tuple[str, str | None], zendesk: BackgroundServer
) -> Iterator[BackendFactory]:
    """Start the real backend (uvicorn, loopback) with the test tenant; config overridable.

    The account sync is off unless a test turns it on (`sync_interval_seconds`): without it
    every organization goes the per-organization fallback path (`synced` below turns it on)."""
    servers: list[BackgroundServer] = []
    url, schema = database

    def start(**overrides: Any) -> BackgroundServer:
        values: dict[str, Any] = {
            "app_shared_secret": SECRET,
            "zendesk_subdomain": SUBDOMAIN,
            "zendesk_url": zendesk.url,
            "zendesk_oauth_token": DEMO_TOKEN,
            "database_url": url,
            "cold_deadline_seconds": 10,
            "zendesk_max_retry_seconds": 2,
            "zendesk_timeout_seconds": 2,
            "sync_interval_seconds": 0,
            **overrides,
        }
        server = BackgroundServer(create_app(AppConfig(**values), schema=schema)).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def backend(make_backend: BackendFactory) -> BackgroundServer:
    return make_backend()


@pytest.fixture
def synced(make_backend: BackendFactory) -> BackendFactory:
    """Start the backend with the account sync on and wait for its first pass."""

    def start(**overrides: Any) -> BackgroundServer:
        overrides.setdefault("sync_interval_seconds", 0.5)
        # An export page is 1,000 tickets: on a loaded 2-core machine, more than 2 s.
        overrides.setdefault("zendesk_timeout_seconds", 30)
        server = make_backend(**overrides)
        wait_for_sync(server, timeout=300)
        return server

    return start


@pytest.fixture
def settings_of(zendesk: BackgroundServer, account: DemoAccount) -> Iterator[Any]:
    """Change the installation's settings in the demo Zendesk; restored after the test."""
    url = f"{zendesk.url}/api/v2/apps/installations/{INSTALLATION_ID}"
    original = dict(httpx.get(url, headers=bearer(DEMO_TOKEN)).json()["settings"])

    def change(**values: str) -> dict[str, Any]:
        response = httpx.put(url, headers=bearer(DEMO_TOKEN), json={"settings": values})
        assert response.status_code == 200, response.text
        settings: dict[str, Any] = response.json()["settings"]
        return settings

    yield change
    httpx.put(url, headers=bearer(DEMO_TOKEN), json={"settings": original})
