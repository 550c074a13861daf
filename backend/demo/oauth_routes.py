"""`POST /oauth/tokens`: the OAuth client-credentials grant, issuing expiring access tokens."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from backend.demo.deps import DemoDep

router = APIRouter()


async def _token_request(request: Request) -> dict[str, Any]:
    """The grant's fields from a JSON or form body, plus client credentials sent as Basic auth."""
    raw = await request.body()
    fields: dict[str, Any] = {}
    if "json" in request.headers.get("content-type", "") or raw.strip().startswith(b"{"):
        try:
            loaded = json.loads(raw or b"{}")
        except ValueError:
            loaded = None
        fields = loaded if isinstance(loaded, dict) else {}
    else:
        fields = dict((await request.form()).items())
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "basic" and "client_id" not in fields:
        try:
            client_id, _, secret = base64.b64decode(value).decode().partition(":")
            fields.update(client_id=client_id, client_secret=secret)
        except (binascii.Error, UnicodeDecodeError):
            pass
    return fields


def _oauth_error(status: int, error: str, description: str) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status_code=status)


@router.post("/oauth/tokens")
async def issue_token(request: Request, demo: DemoDep) -> JSONResponse:
    fields = await _token_request(request)
    if fields.get("grant_type") != "client_credentials":
        return _oauth_error(
            400,
            "unsupported_grant_type",
            "The authorization grant type is not supported by the authorization server.",
        )
    if not demo.issuer.client_is_valid(fields.get("client_id"), fields.get("client_secret")):
        return _oauth_error(
            401,
            "invalid_client",
            "Client authentication failed due to unknown client, no client authentication "
            "included, or unsupported authentication method.",
        )
    expires_in = fields.get("expires_in")
    try:
        lifetime = None if expires_in is None else int(expires_in)
    except (TypeError, ValueError):
        return _oauth_error(400, "invalid_request", "expires_in must be an integer")
    if lifetime is not None and lifetime <= 0:
        return _oauth_error(400, "invalid_request", "expires_in must be positive")
    token = demo.issuer.issue(str(fields.get("scope") or "read"), lifetime)
    return JSONResponse(
        {
            "access_token": token.access_token,
            "token_type": "bearer",
            "scope": token.scope,
            "expires_in": token.expires_in,
        }
    )
