"""Probes and the API docs: /readyz checks Zendesk (cached), /docs needs no internet."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from cryptography.fernet import Fernet

from backend import __version__
from backend.api.main import create_app
from backend.cli import main
from backend.config import AppConfig
from backend.demo import BackgroundServer

from .support import BackendFactory, demo_requests

SECOND_SECRET = "second-tenant-secret-0123456789abcdef"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_ready_when_the_database_and_zendesk_answer(make_backend: BackendFactory) -> None:
    backend = make_backend()
    response = httpx.get(f"{backend.url}/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert body["checks"]["database"] == {"ok": True}
    assert body["checks"]["zendesk"]["ok"] is True
    assert body["checks"]["zendesk"]["tenants"] == 1


def test_zendesk_is_asked_once_for_many_probes(
    make_backend: BackendFactory, zendesk: BackgroundServer
) -> None:
    backend = make_backend()
    for _ in range(5):
        assert httpx.get(f"{backend.url}/readyz").status_code == 200
    assert demo_requests(zendesk).get("GET /api/v2/users/me") == 1


def test_wrong_credentials_make_it_unready_naming_the_variable(
    make_backend: BackendFactory,
) -> None:
    backend = make_backend(zendesk_oauth_token="not-the-token")
    response = httpx.get(f"{backend.url}/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unready"
    assert "ZENDESK_OAUTH_TOKEN" in body["detail"]
    assert "not-the-token" not in response.text
    assert body["checks"]["zendesk"]["ok"] is False


def test_an_unreachable_zendesk_makes_it_unready(make_backend: BackendFactory) -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    backend = make_backend(zendesk_url=url, zendesk_max_retry_seconds=0)
    response = httpx.get(f"{backend.url}/readyz", timeout=30)
    assert response.status_code == 503
    assert response.json()["detail"].startswith(f"Zendesk at {url} is unreachable")


def test_one_failing_tenant_of_several_is_reported_but_leaves_it_ready(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, zendesk: BackgroundServer
) -> None:
    key = Fernet.generate_key().decode()
    database_url = f"sqlite:///{tmp_path / 'tenants.db'}"
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("ENCRYPTION_KEY", key)
    monkeypatch.setenv("APP_SHARED_SECRET", SECOND_SECRET)
    for subdomain, token in (("good", "demo-oauth-token"), ("bad", "wrong-token")):
        monkeypatch.setenv("ZENDESK_OAUTH_TOKEN", token)
        assert main(["tenant", "add", subdomain, "--zendesk-url", zendesk.url]) == 0
    config = AppConfig(database_url=database_url, encryption_key=key)
    with BackgroundServer(create_app(config)) as backend:
        response = httpx.get(f"{backend.url}/readyz")
    assert response.status_code == 200
    zendesk_check = response.json()["checks"]["zendesk"]
    assert zendesk_check["ok"] is False
    assert zendesk_check["detail"] == "1 of 2 tenants' Zendesk checks fail; see the log"
    assert "bad" not in response.text  # a public probe does not list the accounts served


@pytest.fixture
def offline_docs(make_backend: BackendFactory) -> Iterator[tuple[BackgroundServer, str]]:
    backend = make_backend()
    yield backend, httpx.get(f"{backend.url}/docs").text


def test_docs_load_every_asset_from_the_backend_itself(
    offline_docs: tuple[BackgroundServer, str],
) -> None:
    backend, page = offline_docs
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", page)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    assert any(a.endswith("swagger-ui.css") for a in assets)
    for asset in assets:
        assert asset.startswith("/"), f"{asset} is not served by the backend"
        response = httpx.get(f"{backend.url}{asset}")
        assert response.status_code == 200, asset
        assert len(response.content) > 1000


def test_openapi_carries_the_package_version(make_backend: BackendFactory) -> None:
    backend = make_backend()
    assert httpx.get(f"{backend.url}/openapi.json").json()["info"]["version"] == __version__
