"""The demo's signing proxy signs with the shared secret: only the preview page may use it,
and only towards the backend's API; hostile requests are clean 4xx answers, never 500s."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request

from backend.demo import BackgroundServer, DemoAccount


def _options(account: DemoAccount, url: str, **changes: Any) -> dict[str, Any]:
    """What the app's `client.request` hands the proxy for a signed request."""
    options: dict[str, Any] = {
        "url": url,
        "type": "GET",
        "secure": True,
        "headers": {"Authorization": "Bearer {{jwt.token}}"},
        "jwt": {
            "algorithm": "HS256",
            "secret_key": "{{setting.shared_secret}}",
            "expiry": 3600,
            "claims": {
                "iss": account.subdomain,
                "aud": "customer-health",
                "installation_id": account.installation["id"],
                "sub": "1001",
            },
        },
    }
    options.update(changes)
    return options


def _post(preview: BackgroundServer, body: str, **headers: str) -> httpx.Response:
    return httpx.post(
        f"{preview.url}/preview/proxy",
        content=body,
        headers={"Content-Type": "application/json", **headers},
        timeout=30,
    )


@pytest.fixture
def thief() -> Iterator[tuple[BackgroundServer, list[str]]]:
    seen: list[str] = []
    app = FastAPI()

    @app.api_route("/{path:path}", methods=["GET", "POST", "PUT"])
    async def record(path: str, request: Request) -> dict[str, str]:
        seen.append(request.headers.get("authorization", "") or path)
        return {}

    with BackgroundServer(app) as server:
        yield server, seen


def test_the_page_itself_gets_signed_answers(
    preview: BackgroundServer, backend: BackgroundServer, account: DemoAccount
) -> None:
    body = json.dumps(_options(account, f"{backend.url}/api/v1/whoami"))
    answer = _post(preview, body, Origin=preview.url, **{"Sec-Fetch-Site": "same-origin"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["tenant"] == account.subdomain


@pytest.mark.parametrize(
    "headers",
    [
        {"Content-Type": "text/plain"},
        {"Content-Type": "text/plain;charset=UTF-8"},
        {"Content-Type": "application/x-www-form-urlencoded"},
        {"Content-Type": "multipart/form-data; boundary=x"},
        {"Origin": "https://attacker.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
    ],
    ids=lambda h: next(iter(h.values())),
)
def test_cross_site_posts_are_refused(
    preview: BackgroundServer,
    backend: BackgroundServer,
    account: DemoAccount,
    headers: dict[str, str],
) -> None:
    """A page on another site can post text/plain or a form without a CORS preflight."""
    body = json.dumps(_options(account, f"{backend.url}/api/v1/whoami"))
    answer = _post(preview, body, **headers)
    assert answer.status_code == 403, answer.text
    assert answer.json()["errors"][0]["code"] == "CrossSiteRequest"


def test_tokens_are_signed_for_no_other_host(
    preview: BackgroundServer, account: DemoAccount, thief: tuple[BackgroundServer, list[str]]
) -> None:
    server, seen = thief
    for secure in (True, False):
        options = _options(account, f"{server.url}/api/v1/whoami", secure=secure)
        answer = _post(preview, json.dumps(options))
        assert answer.status_code == 400, answer.text
        assert "domainWhitelist" in answer.json()["errors"][0]["title"]
    assert seen == []


def test_the_demo_zendesks_fault_controls_are_out_of_reach(
    preview: BackgroundServer, zendesk: BackgroundServer, account: DemoAccount
) -> None:
    """The demo Zendesk listens on the backend's host, on another port."""
    before = httpx.get(f"{zendesk.url}/_demo/faults").json()
    attack = _options(
        account, f"{zendesk.url}/_demo/faults", type="PUT", data={"rate_500": 1.0}, secure=False
    )
    answer = _post(preview, json.dumps(attack))
    assert answer.status_code == 400
    assert httpx.get(f"{zendesk.url}/_demo/faults").json() == before


@pytest.mark.parametrize(
    "path",
    [
        "/preview/proxy",
        "/healthz",
        "/api/../preview/proxy",
        "/api/%2e%2e/preview/proxy",
    ],
)
def test_only_the_backends_api_is_forwarded_to(
    preview: BackgroundServer, backend: BackgroundServer, account: DemoAccount, path: str
) -> None:
    answer = _post(preview, json.dumps(_options(account, backend.url + path)))
    assert answer.status_code == 400
    assert "only to the backend's /api/ paths" in answer.json()["errors"][0]["title"]


def test_credentials_in_the_url_are_refused(
    preview: BackgroundServer, backend: BackgroundServer, account: DemoAccount
) -> None:
    url = backend.url.replace("http://", "http://someone:pw@") + "/api/v1/whoami"
    answer = _post(preview, json.dumps(_options(account, url)))
    assert answer.status_code == 400


@pytest.mark.parametrize(
    "changes",
    [
        {"headers": [1]},
        {"jwt": 5},
        {"jwt": {"secret_key": "{{setting.shared_secret}}", "claims": [1]}},
        {"jwt": {"secret_key": "{{setting.shared_secret}}", "expiry": "1e400"}},
        {"jwt": {"secret_key": "{{setting.shared_secret}}", "expiry": 10**6}},
        {"type": "TRACE"},
        {"url": 5},
        {"url": "http://[::1"},
        {"url": "http://127.0.0.1:notaport/api/v1/whoami"},
    ],
    ids=str,
)
def test_malformed_options_are_400s(
    preview: BackgroundServer, backend: BackgroundServer, account: DemoAccount, changes: Any
) -> None:
    options = {**_options(account, f"{backend.url}/api/v1/whoami"), **changes}
    answer = _post(preview, json.dumps(options))
    assert answer.status_code == 400, answer.text
    assert answer.json()["errors"][0]["code"] == "InvalidRequest"


@pytest.mark.parametrize("body", ["", "{", "[]", '"x"', "\udcff"], ids=repr)
def test_bodies_that_are_not_an_options_object_are_400s(
    preview: BackgroundServer, body: str
) -> None:
    answer = _post(preview, body.encode("utf-8", "surrogateescape").decode("latin-1"))
    assert answer.status_code == 400


@pytest.mark.parametrize(
    "path", ["%00", "a%00b", "main.js%00.png", "x" * 5000, "%2e%2e/manifest.json"], ids=str
)
def test_hostile_asset_paths_are_404s(preview: BackgroundServer, path: str) -> None:
    answer = httpx.get(f"{preview.url}/preview/app/assets/{path}")
    assert answer.status_code == 404
    assert answer.json()["detail"].startswith("no asset")
