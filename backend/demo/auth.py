"""Who may call the demo Zendesk: the three ways a backend authenticates to Zendesk.

A static OAuth token (Bearer), tokens issued by the client-credentials grant at
`/oauth/tokens` (Bearer, until they expire), and the legacy API token (Basic
`{email}/token:{api_token}`). Anything else is 401 "Couldn't authenticate you".
"""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from backend.demo.dataset import ADMIN_EMAIL


@dataclass(frozen=True, slots=True)
class DemoCredentials:
    """The demo account's secrets; well known on purpose (this is a demo, not a vault)."""

    oauth_token: str = "demo-oauth-token"  # noqa: S105 - a published demo secret
    email: str = ADMIN_EMAIL
    api_token: str = "demo-api-token"  # noqa: S105 - a published demo secret
    client_id: str = "zdg-customer-health-demo"
    client_secret: str = "demo-client-secret"  # noqa: S105 - a published demo secret
    token_lifetime: int = 7200  # seconds an issued access token lives, unless asked otherwise


@dataclass(frozen=True, slots=True)
class IssuedToken:
    access_token: str
    scope: str
    expires_in: int


class TokenIssuer:
    """Issues client-credentials access tokens and remembers until when each is valid."""

    def __init__(self, credentials: DemoCredentials, clock: Callable[[], float] = time.time):
        self._credentials = credentials
        self._clock = clock
        self._expiry: dict[str, float] = {}
        self._lock = threading.Lock()

    def client_is_valid(self, client_id: object, client_secret: object) -> bool:
        expected = self._credentials
        return (
            isinstance(client_id, str)
            and isinstance(client_secret, str)
            and hmac.compare_digest(client_id, expected.client_id)
            and hmac.compare_digest(client_secret, expected.client_secret)
        )

    def issue(self, scope: str, expires_in: int | None) -> IssuedToken:
        lifetime = self._credentials.token_lifetime if expires_in is None else expires_in
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._expiry[token] = self._clock() + lifetime
        return IssuedToken(token, scope, lifetime)

    def is_valid(self, token: str) -> bool:
        with self._lock:
            expiry = self._expiry.get(token)
        return expiry is not None and self._clock() < expiry


class Authenticator:
    """Checks an Authorization header against the demo's credentials and issued tokens."""

    def __init__(self, credentials: DemoCredentials, issuer: TokenIssuer) -> None:
        self._credentials = credentials
        self._issuer = issuer

    def accepts(self, authorization: str | None) -> bool:
        if not authorization:
            return False
        scheme, _, value = authorization.partition(" ")
        value = value.strip()
        if scheme.lower() == "bearer":
            return hmac.compare_digest(value, self._credentials.oauth_token) or (
                self._issuer.is_valid(value)
            )
        if scheme.lower() == "basic":
            try:
                decoded = base64.b64decode(value, validate=True).decode()
            except (binascii.Error, UnicodeDecodeError):
                return False
            expected = f"{self._credentials.email}/token:{self._credentials.api_token}"
            return hmac.compare_digest(decoded, expected)
        return False
