"""Every answer carries the security headers; requests beyond the size limits are refused
before the app reads them; only Zendesk's origins get CORS unless configured otherwise."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator

import httpx
import pytest

from backend.api.main import create_app
from backend.api.request_limits import MAX_BODY_BYTES, MAX_HEADER_BYTES, MAX_URL_BYTES
from backend.config import AppConfig
from backend.demo import BackgroundServer, DemoAccount

from .support import bearer, sign

API_POLICY = "default-src 'none'; frame-ancestors 'none'"


def _assert_security_headers(response: httpx.Response) -> None:
    assert response.headers["x-content-type-options"] == "nosniff", response.url
    assert response.headers["referrer-policy"] == "no-referrer", response.url
    assert response.headers["content-security-policy"], response.url


@pytest.mark.parametrize(
    ("method", "path", "headers", "body", "status"),
    [
        ("GET", "/healthz", {}, None, 200),
        ("GET", "/api/v1/whoami", {}, None, 401),
        ("GET", "/api/v1/organizations/x/health", {}, None, 401),
        ("GET", "/no/such/page", {}, None, 404),
        ("POST", "/healthz", {}, None, 405),
        ("GET", "/metrics", {}, None, 404),
        ("POST", "/api/v1/whoami", {}, b"x" * (MAX_BODY_BYTES + 1), 413),
        ("GET", "/api/v1/whoami", {"X-Pad": "x" * MAX_HEADER_BYTES}, None, 431),
        ("GET", "/healthz?" + "q" * MAX_URL_BYTES, {}, None, 414),
    ],
    ids=lambda v: str(v)[:30],
)
def test_every_json_answer_has_the_headers_and_a_policy_allowing_nothing(
    backend: BackgroundServer,
    method: str,
    path: str,
    headers: dict[str, str],
    body: bytes | None,
    status: int,
) -> None:
    response = httpx.request(method, backend.url + path, headers=headers, content=body)
    assert response.status_code == status, response.text
    _assert_security_headers(response)
    assert response.headers["content-security-policy"] == API_POLICY
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])


def _script_hash(page: str) -> str:
    """The one inline script of a page, hashed as CSP does (independent of the middleware)."""
    scripts = re.findall(r"<script>(.*?)</script>", page, flags=re.S)
    assert len(scripts) == 1
    return base64.b64encode(hashlib.sha256(scripts[0].encode()).digest()).decode()


def test_the_docs_page_may_run_exactly_its_own_inline_script(backend: BackgroundServer) -> None:
    response = httpx.get(f"{backend.url}/docs")
    _assert_security_headers(response)
    directives = response.headers["content-security-policy"].split(";")
    policy = {d.split()[0]: " ".join(d.split()[1:]) for d in directives}
    sources = policy["script-src"].split()
    assert f"'sha256-{_script_hash(response.text)}'" in sources
    assert "'unsafe-inline'" not in sources and "'unsafe-eval'" not in sources
    assert policy["object-src"] == "'none'" and policy["base-uri"] == "'none'"


def test_a_caller_request_id_is_kept_when_plain_and_replaced_otherwise(
    backend: BackgroundServer,
) -> None:
    plain = httpx.get(f"{backend.url}/healthz", headers={"X-Request-ID": "lb-1234.abc"})
    assert plain.headers["x-request-id"] == "lb-1234.abc"
    forged = httpx.get(f"{backend.url}/healthz", headers={"X-Request-ID": 'x" level=ERROR'})
    assert re.fullmatch(r"[0-9a-f]{32}", forged.headers["x-request-id"])


def test_a_chunked_body_over_the_limit_is_a_413(backend: BackgroundServer) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(MAX_BODY_BYTES // 1000 + 2):
            yield b"x" * 1000

    response = httpx.post(f"{backend.url}/api/v1/whoami", content=chunks())
    assert response.status_code == 413
    assert response.json() == {
        "detail": f"request body larger than {MAX_BODY_BYTES} bytes",
        "code": "body_too_large",
    }


def test_limits_leave_normal_requests_alone(
    backend: BackgroundServer, account: DemoAccount
) -> None:
    token = sign(account.shared_secret, iss=account.subdomain)
    assert len(token) < 1000
    near_limit = {"X-Pad": "x" * (MAX_HEADER_BYTES - 2000)}
    response = httpx.get(f"{backend.url}/api/v1/whoami", headers={**bearer(token), **near_limit})
    assert response.status_code == 200


def test_header_and_url_refusals_name_the_limit(backend: BackgroundServer) -> None:
    big = httpx.get(f"{backend.url}/healthz", headers={"X-Pad": "x" * MAX_HEADER_BYTES})
    assert big.json() == {
        "detail": f"request headers larger than {MAX_HEADER_BYTES} bytes",
        "code": "headers_too_large",
    }
    long = httpx.get(f"{backend.url}/healthz?" + "q" * MAX_URL_BYTES)
    assert long.json()["code"] == "url_too_long"


def _preflight(server: BackgroundServer, origin: str) -> httpx.Response:
    return httpx.options(
        f"{server.url}/api/v1/whoami",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization",
        },
    )


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        ("https://acme.zendesk.com", True),
        ("https://1234.apps.zdusercontent.com", True),
        ("http://localhost:4567", False),
        ("https://acme.zendesk.com.attacker.example", False),
        ("http://acme.zendesk.com", False),
    ],
)
def test_by_default_only_zendesk_origins_get_cors(
    backend: BackgroundServer, origin: str, allowed: bool
) -> None:
    response = _preflight(backend, origin)
    assert (response.headers.get("access-control-allow-origin") == origin) is allowed
    _assert_security_headers(response)


@pytest.fixture
def development_backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackgroundServer]:
    config = AppConfig(
        app_shared_secret="development-shared-secret-0123456789",
        zendesk_subdomain="dev",
        zendesk_oauth_token="unused",
        database_url=f"sqlite:///{tmp_path_factory.mktemp('dev') / 'dev.db'}",
        cors_extra_origins="http://localhost:4567",
    )
    with BackgroundServer(create_app(config)) as server:
        yield server


def test_zcli_origin_is_allowed_when_configured(development_backend: BackgroundServer) -> None:
    allowed = _preflight(development_backend, "http://localhost:4567")
    assert allowed.headers["access-control-allow-origin"] == "http://localhost:4567"
    other = _preflight(development_backend, "http://localhost:4568")
    assert "access-control-allow-origin" not in other.headers


def test_an_unexpected_error_is_a_500_with_the_same_headers(
    tmp_path_factory: pytest.TempPathFactory, caplog: pytest.LogCaptureFixture
) -> None:
    """Starlette writes this answer outside every middleware; it must not lose the headers."""
    config = AppConfig(
        app_shared_secret="development-shared-secret-0123456789",
        zendesk_subdomain="dev",
        zendesk_oauth_token="unused",
        database_url=f"sqlite:///{tmp_path_factory.mktemp('boom') / 'boom.db'}",
    )
    app = create_app(config)

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("a bug")

    with BackgroundServer(app) as server:
        response = httpx.get(f"{server.url}/boom", headers={"X-Request-ID": "boom-1"})
    assert response.status_code == 500
    assert response.json()["detail"] == "internal error; the backend log has the details"
    assert "a bug" not in response.text
    _assert_security_headers(response)
    assert response.headers["content-security-policy"] == API_POLICY
    assert response.headers["x-request-id"] == "boom-1"
    (failure,) = [r for r in caplog.records if r.getMessage().startswith("unexpected error")]
    assert getattr(failure, "request_id", None) == "boom-1"
