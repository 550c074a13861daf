"""Multi-tenant use: tenants registered by the CLI, secrets encrypted, data never shared."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet

from backend.api.main import create_app
from backend.cli import main
from backend.config import AppConfig
from backend.demo import BackgroundServer, RateLimits, create_demo_zendesk, generate_account

from .support import get_health, sign

ORG = 360100000003
KEY = Fernet.generate_key().decode()
ALPHA_SECRET = "alpha-secret-0123456789abcdef-0123456789"
BETA_SECRET = "beta-secret-0123456789abcdef-0123456789"


@pytest.fixture(scope="module")
def other_zendesk() -> Iterator[BackgroundServer]:
    """A second Zendesk account whose organizations share ids with the first one."""
    account = generate_account(seed=99, organizations=8)
    app = create_demo_zendesk(account, rate_limits=RateLimits(account=100_000))
    with BackgroundServer(app) as server:
        yield server


def _register(
    monkeypatch: pytest.MonkeyPatch, database_url: str, subdomain: str, secret: str, url: str
) -> None:
    with monkeypatch.context() as env:
        env.setenv("DATABASE_URL", database_url)
        env.setenv("ENCRYPTION_KEY", KEY)
        env.setenv("APP_SHARED_SECRET", secret)
        env.setenv("ZENDESK_OAUTH_TOKEN", "demo-oauth-token")
        assert main(["tenant", "add", subdomain, "--zendesk-url", url]) == 0


@pytest.fixture
def two_tenants(
    tmp_path: Any,
    monkeypatch: pytest.MonkeyPatch,
    zendesk: BackgroundServer,
    other_zendesk: BackgroundServer,
) -> Iterator[tuple[BackgroundServer, str]]:
    database_url = f"sqlite:///{tmp_path / 'tenants.db'}"
    _register(monkeypatch, database_url, "alpha", ALPHA_SECRET, zendesk.url)
    _register(monkeypatch, database_url, "beta", BETA_SECRET, other_zendesk.url)
    config = AppConfig(database_url=database_url, encryption_key=KEY, cold_deadline_seconds=10)
    with BackgroundServer(create_app(config)) as backend:
        yield backend, database_url


def test_each_tenant_reads_only_its_own_account(
    two_tenants: tuple[BackgroundServer, str],
) -> None:
    backend, _ = two_tenants
    alpha = get_health(backend, ORG, sign(ALPHA_SECRET, iss="alpha"))
    beta = get_health(backend, ORG, sign(BETA_SECRET, iss="beta"))
    assert alpha.status_code == beta.status_code == 200
    assert alpha.json()["organization"]["name"] != beta.json()["organization"]["name"]
    # Asked again, each still gets its own (the store keeps them apart).
    again = get_health(backend, ORG, sign(BETA_SECRET, iss="beta"))
    assert again.json()["organization"] == beta.json()["organization"]


@pytest.mark.parametrize(
    ("secret", "issuer"),
    [(BETA_SECRET, "alpha"), (ALPHA_SECRET, "beta")],
    ids=["beta's secret claiming alpha", "alpha's secret claiming beta"],
)
def test_a_tenants_secret_never_opens_another_tenant(
    two_tenants: tuple[BackgroundServer, str], secret: str, issuer: str
) -> None:
    backend, _ = two_tenants
    response = get_health(backend, ORG, sign(secret, iss=issuer))
    assert response.status_code == 401
    assert "signature does not match" in response.json()["detail"]


def test_secrets_are_encrypted_at_rest(
    two_tenants: tuple[BackgroundServer, str], capsys: pytest.CaptureFixture[str]
) -> None:
    _, database_url = two_tenants
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT subdomain, secrets FROM tenants")).all()
    engine.dispose()
    assert {row[0] for row in rows} == {"alpha", "beta"}
    for _, sealed in rows:
        assert ALPHA_SECRET.encode() not in sealed and BETA_SECRET.encode() not in sealed
        assert b"demo-oauth-token" not in sealed


def test_tenant_cli_lists_and_removes(
    two_tenants: tuple[BackgroundServer, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    backend, database_url = two_tenants
    get_health(backend, ORG, sign(BETA_SECRET, iss="beta"))
    monkeypatch.setenv("DATABASE_URL", database_url)
    capsys.readouterr()
    assert main(["tenant", "list"]) == 0
    listing = capsys.readouterr().out
    assert "alpha" in listing and "beta" in listing
    assert "secret" not in listing and "demo-oauth-token" not in listing
    assert main(["tenant", "remove", "beta", "--yes"]) == 0
    assert main(["tenant", "remove", "beta", "--yes"]) == 2
    assert "no tenant 'beta'" in capsys.readouterr().err
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        left = connection.execute(
            sa.text("SELECT count(*) FROM ticket_facts WHERE tenant = 'beta'")
        ).scalar_one()
    engine.dispose()
    assert left == 0


def test_tenant_add_needs_an_encryption_key(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    monkeypatch.delenv("ENCRYPTION_KEY", raising=False)
    monkeypatch.setenv("APP_SHARED_SECRET", ALPHA_SECRET)
    assert main(["tenant", "add", "gamma"]) == 2
    assert "ENCRYPTION_KEY" in capsys.readouterr().err
    monkeypatch.setenv("ENCRYPTION_KEY", "not-a-fernet-key")
    assert main(["tenant", "add", "gamma"]) == 2
    assert "Fernet" in capsys.readouterr().err


def test_whoami_is_tenant_scoped(two_tenants: tuple[BackgroundServer, str]) -> None:
    backend, _ = two_tenants
    response = httpx.get(
        f"{backend.url}/api/v1/whoami",
        headers={"Authorization": f"Bearer {sign(ALPHA_SECRET, iss='alpha')}"},
    )
    assert response.json()["tenant"] == "alpha"
