"""A tenant's Zendesk URL and subdomain are sealed with its secrets: whoever can write the
database but lacks ENCRYPTION_KEY cannot send the tenant's credentials to another host."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet
from fastapi import FastAPI, Request

from backend.api.main import create_app
from backend.cli import main
from backend.config import AppConfig
from backend.demo import BackgroundServer
from backend.store.db import create_db_engine
from backend.store.repository import Repository, StoredTenant
from backend.tenants import SecretBox

from .support import bearer, sign

KEY = Fernet.generate_key().decode()
ALPHA_SECRET = "alpha-shared-secret-0123456789abcdef"
BETA_SECRET = "beta-shared-secret-0123456789abcdefgh"
OAUTH_TOKEN = "sealing-test-oauth-token"
ORGANIZATION = 360100000003


@pytest.fixture
def thief() -> Iterator[tuple[BackgroundServer, list[str]]]:
    """A host an attacker controls: records the Authorization header of every request."""
    seen: list[str] = []
    app = FastAPI()

    @app.api_route("/{path:path}", methods=["GET", "POST"])
    async def record(path: str, request: Request) -> dict[str, str]:
        seen.append(request.headers.get("authorization", ""))
        return {}

    with BackgroundServer(app) as server:
        yield server, seen


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'tenants.db'}"
    for subdomain, secret in (("alpha", ALPHA_SECRET), ("beta", BETA_SECRET)):
        with monkeypatch.context() as env:
            env.setenv("DATABASE_URL", url)
            env.setenv("ENCRYPTION_KEY", KEY)
            env.setenv("APP_SHARED_SECRET", secret)
            env.setenv("ZENDESK_OAUTH_TOKEN", OAUTH_TOKEN)
            url_flag = ["--zendesk-url", f"http://127.0.0.1:9/{subdomain}"]
            assert main(["tenant", "add", subdomain, *url_flag]) == 0
    return url


@pytest.fixture
def backend(database: str) -> Iterator[BackgroundServer]:
    config = AppConfig(database_url=database, encryption_key=KEY, zendesk_max_retry_seconds=0)
    with BackgroundServer(create_app(config)) as server:
        yield server


def _sql(database: str, statement: str, **params: object) -> None:
    engine = sa.create_engine(database)
    with engine.begin() as connection:
        connection.execute(sa.text(statement), params)
    engine.dispose()


def _health(backend: BackgroundServer, token: str) -> httpx.Response:
    return httpx.get(
        f"{backend.url}/api/v1/organizations/{ORGANIZATION}/health",
        headers=bearer(token),
        timeout=30,
    )


def test_a_rewritten_zendesk_url_is_refused_and_nothing_reaches_it(
    database: str, thief: tuple[BackgroundServer, list[str]], caplog: pytest.LogCaptureFixture
) -> None:
    server, seen = thief
    _sql(database, "UPDATE tenants SET zendesk_url = :u WHERE subdomain = 'alpha'", u=server.url)
    config = AppConfig(database_url=database, encryption_key=KEY)
    with BackgroundServer(create_app(config)) as backend:
        answer = _health(backend, sign(ALPHA_SECRET, iss="alpha"))
    assert answer.status_code == 503, answer.text
    assert answer.json()["code"] == "tenant_unavailable"
    assert "register the account again" in answer.json()["detail"]
    assert seen == []
    assert "changed outside `customer-health tenant add`" in caplog.text


def test_a_sealed_box_moved_to_another_row_is_refused(database: str) -> None:
    _sql(
        database,
        "UPDATE tenants SET secrets = (SELECT secrets FROM tenants WHERE subdomain = 'beta') "
        "WHERE subdomain = 'alpha'",
    )
    config = AppConfig(database_url=database, encryption_key=KEY)
    with BackgroundServer(create_app(config)) as backend:
        # beta's secret now sits in alpha's row: a token for alpha signed with it is refused.
        answer = _health(backend, sign(BETA_SECRET, iss="alpha"))
    assert answer.status_code == 503
    assert answer.json()["code"] == "tenant_unavailable"


def test_rows_sealed_with_another_key_are_a_503_not_a_500(database: str) -> None:
    config = AppConfig(database_url=database, encryption_key=Fernet.generate_key().decode())
    with BackgroundServer(create_app(config)) as backend:
        answer = _health(backend, sign(ALPHA_SECRET, iss="alpha"))
    assert answer.status_code == 503
    assert ALPHA_SECRET not in answer.text and "ENCRYPTION_KEY" not in answer.text


def test_registered_tenants_still_work(backend: BackgroundServer) -> None:
    token = sign(BETA_SECRET, iss="beta")
    answer = httpx.get(f"{backend.url}/api/v1/whoami", headers=bearer(token))
    assert answer.status_code == 200
    assert answer.json()["tenant"] == "beta"


def _save_legacy(database: str, subdomain: str, zendesk_url: str | None) -> None:
    """A row as `tenant add` wrote it before URLs were sealed (v1: secrets only)."""
    box = SecretBox(KEY)
    engine = create_db_engine(database)
    Repository(engine).save_tenant(
        StoredTenant(
            subdomain=subdomain,
            zendesk_url=zendesk_url,
            auth_kind="oauth_token",
            secrets=box.seal({"shared_secret": ALPHA_SECRET, "oauth_token": OAUTH_TOKEN}),
            created_at=datetime.now(UTC),
        )
    )
    engine.dispose()


def test_legacy_rows_work_only_where_the_url_follows_from_the_subdomain(
    database: str, backend: BackgroundServer, caplog: pytest.LogCaptureFixture
) -> None:
    _save_legacy(database, "oldtimer", "https://oldtimer.zendesk.com")
    _save_legacy(database, "oldproxy", "http://127.0.0.1:9/elsewhere")
    whoami = f"{backend.url}/api/v1/whoami"
    kept = httpx.get(whoami, headers=bearer(sign(ALPHA_SECRET, iss="oldtimer")))
    assert kept.status_code == 200 and kept.json()["tenant"] == "oldtimer"
    assert "run `customer-health tenant add` for it again" in caplog.text
    refused = httpx.get(whoami, headers=bearer(sign(ALPHA_SECRET, iss="oldproxy")))
    assert refused.status_code == 503
    assert refused.json()["code"] == "tenant_unavailable"
    assert "registered before Zendesk URLs were sealed" in caplog.text


def test_registering_again_seals_a_legacy_row(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _save_legacy(database, "oldproxy", "http://127.0.0.1:9/elsewhere")
    monkeypatch.setenv("DATABASE_URL", database)
    monkeypatch.setenv("ENCRYPTION_KEY", KEY)
    monkeypatch.setenv("APP_SHARED_SECRET", ALPHA_SECRET)
    monkeypatch.setenv("ZENDESK_OAUTH_TOKEN", OAUTH_TOKEN)
    assert main(["tenant", "add", "oldproxy", "--zendesk-url", "http://127.0.0.1:9/elsewhere"]) == 0
    config = AppConfig(database_url=database, encryption_key=KEY)
    with BackgroundServer(create_app(config)) as backend:
        answer = httpx.get(
            f"{backend.url}/api/v1/whoami", headers=bearer(sign(ALPHA_SECRET, iss="oldproxy"))
        )
    assert answer.status_code == 200
