"""Signing tokens like the app does, for the security tests."""

from __future__ import annotations

import time
from typing import Any

from jose import jwt


def sign(secret: str, *, iss: str, installation_id: int | None = 1001, **claims: Any) -> str:
    now = int(time.time())
    body: dict[str, Any] = {
        "iss": iss,
        "aud": "customer-health",
        "iat": now,
        "exp": now + 600,
        "sub": "900001",
        **claims,
    }
    if installation_id is not None:
        body["installation_id"] = installation_id
    token: str = jwt.encode(body, secret, algorithm="HS256")
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
