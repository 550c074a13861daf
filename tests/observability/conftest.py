"""The real backend against the demo Zendesk, with /metrics on, and logs captured as JSON."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

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
from backend.observability.logs import configure_logging

METRICS_TOKEN = "metrics-token-0123456789abcdef"


@pytest.fixture(scope="module")
def account() -> DemoAccount:
    return generate_account(seed=5, organizations=6)


@pytest.fixture(scope="module")
def zendesk(account: DemoAccount) -> Iterator[BackgroundServer]:
    app = create_demo_zendesk(
        account, rate_limits=RateLimits(account=100_000, incremental_exports=100_000)
    )
    with BackgroundServer(app) as server:
        yield server


def backend_config(
    account: DemoAccount, zendesk_url: str, database: str, **extra: Any
) -> AppConfig:
    values: dict[str, Any] = {
        "app_shared_secret": account.shared_secret,
        "zendesk_subdomain": account.subdomain,
        "zendesk_url": zendesk_url,
        "zendesk_oauth_token": DemoCredentials().oauth_token,
        "database_url": database,
        "cold_deadline_seconds": 10,
        "zendesk_max_retry_seconds": 0.5,
        "metrics_token": METRICS_TOKEN,
        **extra,
    }
    return AppConfig(**values)


@pytest.fixture
def backend(
    account: DemoAccount, zendesk: BackgroundServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BackgroundServer]:
    database = f"sqlite:///{tmp_path_factory.mktemp('backend') / 'health.db'}"
    with BackgroundServer(create_app(backend_config(account, zendesk.url, database))) as server:
        yield server


class JsonLines:
    """Every log line written while the fixture is active, as parsed JSON objects."""

    def __init__(self) -> None:
        self.stream = io.StringIO()

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    def records(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.text.splitlines()]


@pytest.fixture
def json_logs() -> Iterator[JsonLines]:
    lines = JsonLines()
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    configure_logging("DEBUG", "json", stream=lines.stream)
    yield lines
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)
