"""The three ways to authenticate to Zendesk, each naming the settings an admin would fix.

Secrets live only in private attributes: reprs, logs and error messages show setting names.
"""

from __future__ import annotations

import base64
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Protocol

import anyio
import httpx

from backend.zendesk.errors import TransientFailure, ZendeskAuthError

log = logging.getLogger(__name__)

TOKEN_PATH = "/oauth/tokens"  # noqa: S105 -- a URL path, not a secret

# The client's way of POSTing to the token endpoint (counted and budgeted like any call).
TokenRequest = Callable[[str, dict[str, str]], Awaitable[httpx.Response]]


class ZendeskAuth(Protocol):
    """What the client needs from an auth method."""

    @property
    def settings_hint(self) -> str:
        """The environment variable(s) to check when Zendesk refuses these credentials."""
        ...

    async def authorization(self, post: TokenRequest) -> str:
        """The Authorization header value (may fetch a token through `post`)."""
        ...

    def forget_token(self) -> bool:
        """Drop a cached token after a 401; True when asking again may help."""
        ...


class BearerToken:
    """An OAuth access token (`ZENDESK_OAUTH_TOKEN`)."""

    settings_hint = "ZENDESK_OAUTH_TOKEN"

    def __init__(self, token: str) -> None:
        self._token = token

    async def authorization(self, post: TokenRequest) -> str:
        return f"Bearer {self._token}"

    def forget_token(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "BearerToken(token=<redacted>)"


class ApiToken:
    """Legacy API token (`ZENDESK_EMAIL` + `ZENDESK_API_TOKEN`); Zendesk retires these in 2027."""

    settings_hint = "ZENDESK_EMAIL and ZENDESK_API_TOKEN"

    def __init__(self, email: str, token: str) -> None:
        self.email = email
        credentials = f"{email}/token:{token}".encode()
        self._header = "Basic " + base64.b64encode(credentials).decode("ascii")

    async def authorization(self, post: TokenRequest) -> str:
        return self._header

    def forget_token(self) -> bool:
        return False

    def __repr__(self) -> str:
        return f"ApiToken(email={self.email!r}, token=<redacted>)"


class ClientCredentials:
    """OAuth client-credentials grant (`ZENDESK_CLIENT_ID` + `ZENDESK_CLIENT_SECRET`).

    The access token is cached until shortly before it expires, and fetched once for all
    concurrent requests.
    """

    settings_hint = "ZENDESK_CLIENT_ID and ZENDESK_CLIENT_SECRET"

    def __init__(self, client_id: str, client_secret: str, scope: str = "read") -> None:
        self.client_id = client_id
        self.scope = scope
        self._client_secret = client_secret
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = anyio.Lock()
        self.tokens_fetched = 0

    async def authorization(self, post: TokenRequest) -> str:
        if self._token is None or time.monotonic() >= self._expires_at:
            async with self._lock:
                if self._token is None or time.monotonic() >= self._expires_at:
                    await self._fetch_token(post)
        return f"Bearer {self._token}"

    def forget_token(self) -> bool:
        self._token = None
        return True

    async def _fetch_token(self, post: TokenRequest) -> None:
        body = {
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self._client_secret,
            "scope": self.scope,
        }
        try:
            response = await post(TOKEN_PATH, body)
        except httpx.TransportError as error:
            raise TransientFailure(
                f"Zendesk's token endpoint did not answer ({type(error).__name__})"
            ) from None
        self.tokens_fetched += 1
        if response.status_code >= 500 or response.status_code == 429:
            raise TransientFailure(
                f"Zendesk's token endpoint answered {response.status_code}",
                status=response.status_code,
            )
        if response.status_code >= 400:
            log.warning("POST %s -> %d", TOKEN_PATH, response.status_code)
            raise ZendeskAuthError(
                f"Zendesk refused the OAuth client ({response.status_code}): "
                f"check {self.settings_hint}",
                status=response.status_code,
            )
        try:
            payload = response.json()
        except ValueError:
            payload = None
        token = payload.get("access_token") if isinstance(payload, dict) else None
        if not isinstance(token, str) or not token:
            raise TransientFailure("Zendesk's token endpoint sent no access_token")
        expires_in = payload.get("expires_in") if isinstance(payload, dict) else None
        self._token = token
        self._expires_at = _expiry(expires_in)

    def __repr__(self) -> str:
        return f"ClientCredentials(client_id={self.client_id!r}, client_secret=<redacted>)"


def _expiry(expires_in: object) -> float:
    # Renew a little early so a token never expires between the check and the request.
    if isinstance(expires_in, bool) or not isinstance(expires_in, int | float) or expires_in <= 0:
        return float("inf")  # no expiry given: keep it until Zendesk answers 401
    margin = min(60.0, expires_in * 0.1)
    return time.monotonic() + expires_in - margin
