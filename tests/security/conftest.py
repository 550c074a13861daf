"""Real servers for the security tests: the demo Zendesk, the backend, the demo's preview."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI

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
from backend.demo.preview import create_preview_router


@pytest.fixture(scope="module")
def account() -> DemoAccount:
    return generate_account(seed=11, organizations=6)


@pytest.fixture(scope="module")
def zendesk(account: DemoAccount) -> Iterator[BackgroundServer]:
    app = create_demo_zendesk(
        account, rate_limits=RateLimits(account=100_000, incremental_exports=100_000)
    )
    with BackgroundServer(app) as server:
        yield server
        httpx.put(f"{server.url}/_demo/faults", json={})


@pytest.fixture(scope="module")
def backend(
    account: DemoAccount, zendesk: BackgroundServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BackgroundServer]:
    config = AppConfig(
        app_shared_secret=account.shared_secret,
        zendesk_subdomain=account.subdomain,
        zendesk_url=zendesk.url,
        zendesk_oauth_token=DemoCredentials().oauth_token,
        database_url=f"sqlite:///{tmp_path_factory.mktemp('backend') / 'health.db'}",
        cold_deadline_seconds=10,
        zendesk_max_retry_seconds=1,
    )
    with BackgroundServer(create_app(config)) as server:
        yield server


@pytest.fixture(scope="module")
def preview(
    account: DemoAccount, zendesk: BackgroundServer, backend: BackgroundServer
) -> Iterator[BackgroundServer]:
    """The preview page and its signing proxy, as `customer-health demo` serves them."""
    app = FastAPI()
    app.include_router(
        create_preview_router(
            backend_url=backend.url,
            zendesk_url=zendesk.url,
            zendesk_token=DemoCredentials().oauth_token,
            shared_secret=account.shared_secret,
            subdomain=account.subdomain,
            installation_id=account.installation["id"],
            settings=dict(account.installation["settings"]),
        )
    )
    with BackgroundServer(app) as server:
        yield server
