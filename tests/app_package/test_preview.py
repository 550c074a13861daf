"""The preview router: the page, the real assets with the SDK swapped, and the signing proxy,
checked against a small FastAPI app standing in for the backend and the demo Zendesk."""

from __future__ import annotations

import json
from typing import Annotated, Any

import httpx
import pytest
from fastapi import FastAPI, Header, Request
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient
from jose import JWTError, jwt

from backend.demo.preview import ZAF_SDK_URL, create_preview_router

from .conftest import APP_SOURCE

SECRET = "preview-test-secret-0123456789abcdef"
BACKEND = "https://backend.test"
ZENDESK = "https://zendesk.test"


def _echo_app() -> FastAPI:
    app = FastAPI()

    @app.get("/api/v1/organizations/{organization_id}/health")
    async def health(
        organization_id: int, request: Request, authorization: Annotated[str, Header()] = ""
    ) -> JSONResponse:
        token = authorization.removeprefix("Bearer ")
        try:
            claims = jwt.decode(token, SECRET, algorithms=["HS256"], audience="customer-health")
        except JWTError as error:
            return JSONResponse({"detail": f"invalid token: {error}"}, status_code=401)
        return JSONResponse(
            {
                "organization_id": organization_id,
                "claims": claims,
                "query": dict(request.query_params),
            }
        )

    @app.post("/api/v1/echo-post")
    async def echo_post(
        request: Request, authorization: Annotated[str, Header()] = ""
    ) -> JSONResponse:
        token = authorization.removeprefix("Bearer ")
        claims = jwt.decode(token, SECRET, algorithms=["HS256"], audience="customer-health")
        return JSONResponse({"claims": claims, "body": await request.json()})

    @app.get("/api/v1/down")
    async def down() -> JSONResponse:
        return JSONResponse({"detail": "Zendesk unavailable"}, status_code=503)

    @app.get("/_demo/organizations")
    async def organizations(authorization: Annotated[str, Header()] = "") -> dict[str, Any]:
        assert authorization == "Bearer demo-token"
        return {
            "organizations": [
                {"id": 1, "name": "Acme", "profile": {"tier": "gold", "phase": "adoption"}},
                {"id": 2, "name": "Globex"},
            ]
        }

    return app


@pytest.fixture
def preview() -> TestClient:
    app = FastAPI()
    app.include_router(
        create_preview_router(
            backend_url=BACKEND + "/",
            zendesk_url=ZENDESK,
            zendesk_token="demo-token",
            shared_secret=SECRET,
            subdomain="demo",
            installation_id=9001,
            settings={"window_days": "90", "shared_secret": "must not leak"},
            transport=httpx.ASGITransport(app=_echo_app()),
        )
    )
    return TestClient(app)


def _health_options(**changes: Any) -> dict[str, Any]:
    options: dict[str, Any] = {
        "url": f"{BACKEND}/api/v1/organizations/42/health?locale=de",
        "type": "GET",
        "secure": True,
        "cors": False,
        "headers": {"Authorization": "Bearer {{jwt.token}}"},
        "jwt": {
            "algorithm": "HS256",
            "secret_key": "{{setting.shared_secret}}",
            "expiry": 3600,
            "claims": {
                "iss": "demo",
                "aud": "customer-health",
                "installation_id": 9001,
                "sub": "1001",
            },
        },
        "dataType": "json",
    }
    options.update(changes)
    return options


def test_the_proxy_signs_with_the_secure_secret_and_forwards(preview: TestClient) -> None:
    answer = preview.post("/preview/proxy", json=_health_options())
    assert answer.status_code == 200
    body = answer.json()
    assert body["organization_id"] == 42
    assert body["query"] == {"locale": "de"}
    claims = body["claims"]
    assert {k: claims[k] for k in ("iss", "aud", "installation_id", "sub")} == {
        "iss": "demo",
        "aud": "customer-health",
        "installation_id": 9001,
        "sub": "1001",
    }
    assert claims["exp"] - claims["iat"] == 3600


def test_a_tampered_signature_is_refused_by_the_backend(preview: TestClient) -> None:
    answer = preview.post("/preview/proxy?tamper=1", json=_health_options())
    assert answer.status_code == 401
    assert answer.json()["detail"].startswith("invalid token")


def test_the_backend_status_and_body_are_relayed(preview: TestClient) -> None:
    answer = preview.post("/preview/proxy", json=_health_options(url=f"{BACKEND}/api/v1/down"))
    assert answer.status_code == 503
    assert answer.json() == {"detail": "Zendesk unavailable"}


def test_a_secure_setting_is_not_substituted_outside_its_scopes(preview: TestClient) -> None:
    options = _health_options(headers={"X-Secret": "{{setting.shared_secret}}"})
    answer = preview.post("/preview/proxy", json=options)
    assert answer.status_code == 400
    assert "may not be used in the header" in answer.json()["errors"][0]["title"]


def test_secure_requests_go_only_to_the_whitelisted_backend(preview: TestClient) -> None:
    answer = preview.post("/preview/proxy", json=_health_options(url="https://evil.test/x"))
    assert answer.status_code == 400
    assert "domainWhitelist" in answer.json()["errors"][0]["title"]


def test_an_unreachable_backend_answers_502_without_detail(preview: TestClient) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    app = FastAPI()
    app.include_router(
        create_preview_router(
            backend_url=BACKEND,
            zendesk_url=ZENDESK,
            zendesk_token="t",
            shared_secret=SECRET,
            subdomain="demo",
            installation_id=1,
            settings={},
            transport=httpx.MockTransport(refuse),
        )
    )
    answer = TestClient(app).post("/preview/proxy", json=_health_options())
    assert answer.status_code == 502
    assert "detail" not in answer.json()
    assert answer.json()["errors"][0]["code"] == "ConnectionNotFound"


def test_iframe_html_is_served_with_the_standin_and_the_real_file_is_unchanged(
    preview: TestClient,
) -> None:
    served = preview.get("/preview/app/assets/iframe.html").text
    assert '<script src="/preview/zaf-standin.js"></script>' in served
    assert ZAF_SDK_URL not in served
    assert ZAF_SDK_URL in (APP_SOURCE / "assets/iframe.html").read_text(encoding="utf-8")
    module = preview.get("/preview/app/assets/main.js")
    assert module.headers["content-type"].startswith("text/javascript")
    assert preview.get("/preview/zaf-standin.js").text.count("window.ZAFClient") == 1


def test_assets_outside_the_app_are_not_served(preview: TestClient) -> None:
    assert preview.get("/preview/app/assets/../manifest.json").status_code == 404
    assert preview.get("/preview/app/assets/%2e%2e/tests/api.test.mjs").status_code == 404
    assert preview.get("/preview/app/assets/missing.js").status_code == 404


def test_the_page_carries_settings_locale_and_tamper_but_never_the_secret(
    preview: TestClient,
) -> None:
    page = preview.get("/preview?locale=de&tamper=1").text
    assert SECRET not in page and "must not leak" not in page
    start = page.index('id="preview-config">') + len('id="preview-config">')
    config = json.loads(page[start : page.index("</script>", start)])
    assert config["settings"] == {"window_days": "90", "backend_url": BACKEND}
    assert (config["locale"], config["tamper"], config["installationId"]) == ("de", True, 9001)
    assert '<html lang="de">' in page
    assert '<iframe id="sidebar-frame"' in page


def test_the_portfolio_page_plays_the_nav_bar_without_the_secret(preview: TestClient) -> None:
    page = preview.get("/preview/portfolio?locale=de").text
    assert SECRET not in page and "must not leak" not in page
    assert '<iframe id="portfolio-frame" data-zaf-location="nav_bar"' in page
    assert '<html lang="de">' in page
    start = page.index('id="preview-config">') + len('id="preview-config">')
    config = json.loads(page[start : page.index("</script>", start)])
    assert config["settings"] == {"window_days": "90", "backend_url": BACKEND}
    # Both views link to each other, in the page's language and for the same role.
    assert '<a href="/preview/portfolio?locale=de&amp;role=admin">Portfolio</a>' in page
    tickets = preview.get("/preview?locale=de&role=agent").text
    assert '<a href="/preview?locale=de&amp;role=agent">Tickets</a>' in tickets
    # The detail's drill-down routes to a ticket: the page has where to say so.
    assert '<span id="opened-ticket" class="opened" role="status" hidden></span>' in page


def test_the_portfolio_asset_is_served_with_the_standin(preview: TestClient) -> None:
    served = preview.get("/preview/app/assets/portfolio.html").text
    assert '<script src="/preview/zaf-standin.js"></script>' in served
    assert ZAF_SDK_URL not in served
    assert '<script type="module" src="portfolio-main.js">' in served


def test_the_proxy_forwards_a_signed_post_with_its_json_body(preview: TestClient) -> None:
    body = {"settings": {"weight_sla": "1", "green_threshold": "71.2"}}
    options = _health_options(
        url=f"{BACKEND}/api/v1/echo-post",
        type="POST",
        contentType="application/json",
        data=json.dumps(body),
    )
    answer = preview.post("/preview/proxy", json=options)
    assert answer.status_code == 200
    assert answer.json()["body"] == body
    assert answer.json()["claims"]["installation_id"] == 9001


def test_organizations_come_from_the_demo_zendesk(preview: TestClient) -> None:
    """Names only: the demo's intended profile ("gold · adoption") is not a measured colour."""
    answer = preview.get("/preview/organizations").json()
    assert answer == {"organizations": [{"id": 1, "name": "Acme"}, {"id": 2, "name": "Globex"}]}


# --- the ticket list's labels: the backend's own answers ---------------------------------


def _scoring_backend() -> FastAPI:
    """Answers like the real backend: 200 with a colour, 202 while computing, or an error."""
    app = FastAPI()

    @app.get("/api/v1/organizations/{organization_id}/health")
    async def health(
        organization_id: int, authorization: Annotated[str, Header()] = ""
    ) -> JSONResponse:
        claims = jwt.decode(
            authorization.removeprefix("Bearer "),
            SECRET,
            algorithms=["HS256"],
            audience="customer-health",
        )
        assert (claims["iss"], claims["installation_id"]) == ("demo", 9001)
        if organization_id == 1:
            return JSONResponse({"colour": "red", "score": 30.5, "kpis": []})
        if organization_id == 2:
            return JSONResponse({"status": "computing"}, status_code=202)
        return JSONResponse({"detail": "Zendesk unavailable"}, status_code=503)

    return app


def _labelling_preview(backend_url: str) -> TestClient:
    app = FastAPI()
    app.include_router(
        create_preview_router(
            backend_url=backend_url,
            zendesk_url=ZENDESK,
            zendesk_token="demo-token",
            shared_secret=SECRET,
            subdomain="demo",
            installation_id=9001,
            settings={},
            transport=httpx.ASGITransport(app=_scoring_backend()),
        )
    )
    return TestClient(app)


def test_labels_are_the_backends_answers() -> None:
    labels = _labelling_preview(BACKEND).get("/preview/labels?ids=1,2,3").json()["labels"]
    assert labels == {
        "1": {"status": "ready", "colour": "red", "score": 30.5},
        "2": {"status": "computing"},
        "3": {"status": "unknown"},
    }


def test_labels_without_a_backend_are_unknown_and_bad_ids_are_ignored() -> None:
    answer = _labelling_preview("").get("/preview/labels?ids=7,abc,,8").json()
    assert answer == {"labels": {"7": {"status": "unknown"}, "8": {"status": "unknown"}}}


def test_the_page_has_language_and_role_links_and_the_role(preview: TestClient) -> None:
    page = preview.get("/preview?locale=de&role=agent").text
    assert 'data-locale="en" data-role="agent" href="?locale=en&amp;role=agent">English</a>' in page
    assert 'data-locale="de" data-role="admin" href="?locale=de&amp;role=admin">' in page
    start = page.index('id="preview-config">') + len('id="preview-config">')
    config = json.loads(page[start : page.index("</script>", start)])
    assert config["agent"]["role"] == "agent"
    assert config["text"]["colour_red"] == "Kritisch"
    unknown_role = preview.get("/preview?role=root").text
    assert '"role": "admin"' in unknown_role
