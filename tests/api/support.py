"""Helpers for the API tests: signing tokens like the app does, and calling the backend."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
from jose import jwt

from backend.demo import BackgroundServer, DemoAccount
from backend.scoring import HealthReport, ScoringSettings, compute_health
from backend.zendesk.parse import parse_organization, parse_ticket

SECRET = "test-shared-secret-acme-0123456789abcdef"
SUBDOMAIN = "acme-demo"
INSTALLATION_ID = 1001
DEMO_TOKEN = "demo-oauth-token"


def sign(
    secret: str = SECRET,
    *,
    algorithm: str = "HS256",
    drop: tuple[str, ...] = (),
    **claims: Any,
) -> str:
    """A token as the app's `client.request` makes it, with claims overridable per test."""
    now = int(time.time())
    body: dict[str, Any] = {
        "iss": SUBDOMAIN,
        "aud": "customer-health",
        "iat": now,
        "exp": now + 600,
        "installation_id": INSTALLATION_ID,
        "sub": "900001",
        **claims,
    }
    for name in drop:
        body.pop(name, None)
    return jwt.encode(body, secret, algorithm=algorithm)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


BackendFactory = Callable[..., BackgroundServer]


def demo_requests(zendesk: BackgroundServer) -> dict[str, int]:
    counts: dict[str, int] = httpx.get(f"{zendesk.url}/_demo/requests").json()["counts"]
    return counts


def get_health(
    backend: BackgroundServer, organization_id: int | str, token: str | None = None, **params: Any
) -> httpx.Response:
    return httpx.get(
        f"{backend.url}/api/v1/organizations/{organization_id}/health",
        headers=bearer(token or sign()),
        params=params,
        timeout=30,
    )


def sync_status(backend: BackgroundServer) -> dict[str, Any]:
    response = httpx.get(f"{backend.url}/api/v1/sync", headers=bearer(sign()), timeout=10)
    assert response.status_code == 200, response.text
    status: dict[str, Any] = response.json()
    return status


def wait_for_sync(
    backend: BackgroundServer, *, after: str | None = None, timeout: float = 60
) -> dict[str, Any]:
    """Wait until the account sync finished a run (one that succeeded after `after`, an ISO
    time, when given) and return its status."""
    deadline = time.monotonic() + timeout
    while True:
        status = sync_status(backend)
        done = status["state"] == "idle" and status["last_success_at"] is not None
        if done and (after is None or status["last_success_at"] > after):
            return status
        assert time.monotonic() < deadline, f"the sync did not finish: {status}"
        time.sleep(0.1)


def core_report(
    account: DemoAccount, organization_id: int, raw_settings: dict[str, Any]
) -> HealthReport:
    """The scoring core on every ticket the demo holds for the organization (archived ones
    included): what the synced store must agree with."""
    settings, _ = ScoringSettings.from_zendesk(raw_settings)
    organization = parse_organization(account.organization(organization_id))
    tickets = [
        parse_ticket(account.ticket_json(r), account.metric_set(r))
        for r in account.ticket_records(organization_id)
    ]
    return compute_health(organization, tickets, settings, datetime.now(UTC))
