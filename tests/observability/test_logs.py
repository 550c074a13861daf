"""LOG_FORMAT=json: one JSON object a line; one line per request, carrying its request id,
and the same id on every line written for that request."""

from __future__ import annotations

import time

import httpx
from jose import jwt

from backend.demo import BackgroundServer, DemoAccount

from .conftest import JsonLines


def _token(account: DemoAccount, secret: str | None = None) -> str:
    now = int(time.time())
    claims = {
        "iss": account.subdomain,
        "aud": "customer-health",
        "iat": now,
        "exp": now + 600,
        "installation_id": account.installation["id"],
    }
    token: str = jwt.encode(claims, secret or account.shared_secret)
    return token


def test_every_line_is_json_and_a_refusal_carries_its_request_id(
    json_logs: JsonLines, backend: BackgroundServer, account: DemoAccount
) -> None:
    forged = _token(account, "forged-secret-0123456789abcdef0123")
    response = httpx.get(
        f"{backend.url}/api/v1/whoami",
        headers={"Authorization": f"Bearer {forged}", "X-Request-ID": "trace-42"},
    )
    assert response.status_code == 401
    records = json_logs.records()  # raises when a line is not JSON
    mine = [r for r in records if r.get("request_id") == "trace-42"]
    refused = [r for r in mine if r["logger"] == "backend.api.deps"]
    assert len(refused) == 1 and "signature does not match" in refused[0]["message"]
    assert refused[0]["level"] == "WARNING"
    access = [r for r in mine if r["logger"] == "backend.access"]
    assert len(access) == 1
    assert {k: access[0][k] for k in ("method", "path", "route", "status")} == {
        "method": "GET",
        "path": "/api/v1/whoami",
        "route": "/api/v1/whoami",
        "status": 401,
    }
    assert access[0]["duration_ms"] > 0


def test_lines_written_during_a_zendesk_failure_carry_the_request_id(
    json_logs: JsonLines,
    backend: BackgroundServer,
    zendesk: BackgroundServer,
    account: DemoAccount,
) -> None:
    httpx.put(f"{zendesk.url}/_demo/faults", json={"rate_503": 1.0}).raise_for_status()
    try:
        response = httpx.get(
            f"{backend.url}/api/v1/organizations/{account.organization_ids[4]}/health",
            headers={"Authorization": f"Bearer {_token(account)}"},
            timeout=30,
        )
    finally:
        httpx.put(f"{zendesk.url}/_demo/faults", json={}).raise_for_status()
    assert response.status_code == 503
    rid = response.headers["x-request-id"]
    loggers = {r["logger"] for r in json_logs.records() if r.get("request_id") == rid}
    # the Zendesk client's retries, the error mapping and the request's own line
    assert {"backend.zendesk.client", "backend.api.errors", "backend.access"} <= loggers


def test_the_tenant_is_on_the_line_of_a_signed_request(
    json_logs: JsonLines, backend: BackgroundServer, account: DemoAccount
) -> None:
    response = httpx.get(
        f"{backend.url}/api/v1/whoami", headers={"Authorization": f"Bearer {_token(account)}"}
    )
    rid = response.headers["x-request-id"]
    (line,) = [
        r
        for r in json_logs.records()
        if r.get("request_id") == rid and r["logger"] == "backend.access"
    ]
    assert line["tenant"] == account.subdomain
    assert line["level"] == "INFO"


def test_query_strings_are_never_logged_and_paths_stay_encoded(
    json_logs: JsonLines, backend: BackgroundServer
) -> None:
    httpx.get(f"{backend.url}/api/v1/whoami?token=query-secret-0123")
    httpx.get(f"{backend.url}/x%0Afake%20line")
    assert "query-secret-0123" not in json_logs.text
    paths = [r["path"] for r in json_logs.records() if r["logger"] == "backend.access"]
    assert paths == ["/api/v1/whoami", "/x%0Afake%20line"]


def test_probes_are_logged_at_debug(json_logs: JsonLines, backend: BackgroundServer) -> None:
    httpx.get(f"{backend.url}/healthz")
    (line,) = [r for r in json_logs.records() if r["logger"] == "backend.access"]
    assert line["level"] == "DEBUG" and line["route"] == "/healthz"
