"""Fixtures for the demo Zendesk tests: one account, real servers on ephemeral loopback ports."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from backend.demo import (
    BackgroundServer,
    DemoAccount,
    RateLimits,
    create_demo_zendesk,
    generate_account,
)

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
DAY = 86_400
BEARER = {"Authorization": "Bearer demo-oauth-token"}
# Tests that walk exports need more than Zendesk's 10 export requests a minute.
ROOMY = RateLimits(incremental_exports=10_000)


@pytest.fixture(scope="session")
def account() -> DemoAccount:
    """The default account; tests that change tickets must use `fresh_account` instead."""
    return generate_account(now=NOW)


@pytest.fixture
def fresh_account() -> DemoAccount:
    return generate_account(now=NOW, organizations=8)


@pytest.fixture
def serve() -> Iterator[Callable[..., str]]:
    """Start a demo server for (account, **create_demo_zendesk options); returns its base URL."""
    servers: list[BackgroundServer] = []

    def start(account: DemoAccount, **options: Any) -> str:
        server = BackgroundServer(create_demo_zendesk(account, **options)).start()
        servers.append(server)
        return server.url

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="module")
def shared_url(account: DemoAccount) -> Iterator[str]:
    """A server over the default account for read-only tests that don't exhaust budgets."""
    with BackgroundServer(create_demo_zendesk(account)) as server:
        yield server.url


@pytest.fixture
def api(shared_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=shared_url, headers=BEARER, timeout=30) as client:
        yield client


@pytest.fixture(scope="session")
def small_account() -> DemoAccount:
    """A read-only account of 8 organizations and ≈ 5,000 tickets, to export whole in tests."""
    return generate_account(now=NOW, organizations=8, scale=0.2)


@pytest.fixture(scope="module")
def small_api(small_account: DemoAccount) -> Iterator[httpx.Client]:
    with (
        BackgroundServer(create_demo_zendesk(small_account, rate_limits=ROOMY)) as server,
        httpx.Client(base_url=server.url, headers=BEARER, timeout=30) as client,
    ):
        yield client
