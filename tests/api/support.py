"""Helpers for the API tests: signing tokens like the app does, and calling the backend."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
from jose import jwt

from backend.demo import BackgroundServer

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
