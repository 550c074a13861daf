"""A Zendesk ticket view and nav bar page without an account, for `customer-health demo` only
(never packaged).

It serves the real zendesk_app/assets/ in a sidebar iframe (/preview) and in the nav bar's pane
(/preview/portfolio), with Zendesk's SDK swapped for a stand-in (preview/zaf-standin.js) that
asks the page for ticket data, and a signing proxy that does what Zendesk's proxy does for
`client.request({secure: true, jwt: …})`.
"""

from __future__ import annotations

import asyncio
import html
import json
import re
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final
from urllib.parse import unquote, urlsplit

import httpx
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from jose import jwt

from backend.app_package.source import app_source_folder

PREVIEW_FILES: Final = Path(__file__).resolve().parent / "preview"
APP_DIR: Final = app_source_folder()
ZAF_SDK_URL: Final = "https://static.zdassets.com/zendesk_app_framework_sdk/2.0/zaf_sdk.min.js"
STANDIN_URL: Final = "/preview/zaf-standin.js"
_PLACEHOLDER: Final = re.compile(r"\{\{\s*setting\.(\w+)\s*\}\}")
_JWT_TOKEN: Final = re.compile(r"\{\{\s*jwt\.token\s*\}\}")
_MEDIA_TYPES: Final = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".png": "image/png",
    ".svg": "image/svg+xml",
}
PROXY_TIMEOUT_SECONDS: Final = 30.0
PROXY_METHODS: Final = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})
# Headers the caller may not set: the proxy's HTTP client writes these itself.
_FIXED_HEADERS: Final = frozenset({"host", "content-length", "transfer-encoding", "connection"})
DEMO_AGENT: Final = {"id": 1001, "name": "Demo Agent", "email": "agent@example.com"}
ROLES: Final = ("admin", "agent")
# Labelling the ticket list asks the backend about every organization: a few at a time, and
# never waiting long (a cold one is labelled "computing" and asked again by the page later).
LABEL_CONCURRENCY: Final = 4
LABEL_TIMEOUT_SECONDS: Final = 3.0


class ProxyRefused(Exception):
    """A request Zendesk's proxy would not forward; answered as 400 with Zendesk-style errors."""


class CrossSiteRequest(Exception):
    """A proxy call that did not come from the preview page itself (answered 403)."""


def _secure_scopes() -> dict[str, tuple[str, ...]]:
    """Secure parameters of the real manifest and where their values may be substituted."""
    manifest = json.loads((APP_DIR / "manifest.json").read_text(encoding="utf-8"))
    return {
        p["name"]: tuple(p.get("scopes") or ())
        for p in manifest.get("parameters", [])
        if isinstance(p, dict) and p.get("secure") is True
    }


def substitute_settings(
    text: str, scope: str, settings: Mapping[str, object], secure: Mapping[str, tuple[str, ...]]
) -> str:
    """Fills {{setting.X}}; a secure setting only where its scopes allow it, as Zendesk does."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in secure and scope not in secure[name]:
            raise ProxyRefused(f"secure setting '{name}' may not be used in the {scope}")
        if name not in settings:
            raise ProxyRefused(f"unknown setting '{name}'")
        return str(settings[name])

    return _PLACEHOLDER.sub(value, text)


def tamper_signature(token: str) -> str:
    """The token with the first signature character changed, so verification must fail."""
    head, payload, signature = token.split(".")
    first = "B" if signature[0] == "A" else "A"
    return f"{head}.{payload}.{first}{signature[1:]}"


def sign_jwt(options: object, substitute: Any, now: int) -> str:
    options = _object(options, "jwt")
    if options.get("algorithm", "HS256") != "HS256":
        raise ProxyRefused("jwt.algorithm must be HS256")
    secret = substitute(str(options.get("secret_key", "")), "jwt_secret_key")
    if not secret:
        raise ProxyRefused("jwt.secret_key is empty")
    claims = {
        key: substitute(value, "jwt_claim") if isinstance(value, str) else value
        for key, value in _object(options.get("claims"), "jwt.claims").items()
    }
    expiry = options.get("expiry", 3600)
    if isinstance(expiry, bool) or not isinstance(expiry, int) or not 0 < expiry <= 86_400:
        raise ProxyRefused("jwt.expiry must be a whole number of seconds up to 86400")
    claims.update({"iat": now, "exp": now + expiry})
    token: str = jwt.encode(claims, secret, algorithm="HS256")
    return token


def create_preview_router(
    *,
    backend_url: str,
    zendesk_url: str,
    zendesk_token: str,
    shared_secret: str,
    subdomain: str,
    installation_id: int,
    settings: dict[str, Any],
    transport: httpx.AsyncBaseTransport | None = None,
    label_organizations: bool = True,
) -> APIRouter:
    """The /preview routes; `transport` lets tests route the proxy's calls in-process.

    `label_organizations=False` leaves the ticket list without colours, so a test that times
    one organization's cold fetch is not competing with the list asking about all of them.
    """
    backend = backend_url.rstrip("/")
    public_settings: dict[str, Any] = {**settings, "backend_url": backend}
    proxy_settings: dict[str, Any] = {**public_settings, "shared_secret": shared_secret}
    secure = _secure_scopes()
    for name in secure:
        public_settings.pop(name, None)  # secure values never reach the browser
    router = APIRouter(prefix="/preview", tags=["preview"])

    def client() -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=transport, timeout=PROXY_TIMEOUT_SECONDS)

    def render_page(
        template: str, *, locale: str, tamper: bool, organization: int | None, role: str
    ) -> HTMLResponse:
        language = "de" if locale.lower().startswith("de") else "en"
        role = role if role in ROLES else "admin"
        config = {
            "settings": public_settings,
            "subdomain": subdomain,
            "installationId": installation_id,
            "locale": locale,
            "tamper": tamper,
            "organizationId": organization,
            "agent": {**DEMO_AGENT, "role": role},
            "labels": label_organizations,
            "text": _list_words(language),
        }
        links = _view_links(language, role)
        views = (
            f'<a href="/preview?locale={language}&amp;role={role}">Tickets</a> '
            f'<a href="/preview/portfolio?locale={language}&amp;role={role}">Portfolio</a>'
        )
        note = '<span class="warning">JWT signature tampered (?tamper=1)</span>' if tamper else ""
        text = (PREVIEW_FILES / template).read_text(encoding="utf-8")
        # "</" cannot end the JSON script block early once "<" is escaped.
        payload = json.dumps(config).replace("<", "\\u003c")
        text = (
            text.replace("__CONFIG__", payload)
            .replace("__LOCALE_LINKS__", links)
            .replace("__VIEW_LINKS__", views)
            .replace("__TAMPER_NOTE__", note)
            .replace('<html lang="en">', f'<html lang="{html.escape(language)}">')
        )
        return HTMLResponse(text)

    @router.get("", response_class=HTMLResponse)
    async def page(
        locale: str = "en",
        tamper: bool = False,
        organization: int | None = None,
        role: str = "admin",
    ) -> HTMLResponse:
        """A ticket view with the app in its sidebar (ticket_sidebar)."""
        return render_page(
            "page.html", locale=locale, tamper=tamper, organization=organization, role=role
        )

    @router.get("/portfolio", response_class=HTMLResponse)
    async def portfolio_page(
        locale: str = "en", tamper: bool = False, role: str = "admin"
    ) -> HTMLResponse:
        """The app's portfolio page, as Zendesk shows it from its nav bar (nav_bar)."""
        return render_page(
            "portfolio.html", locale=locale, tamper=tamper, organization=None, role=role
        )

    @router.get("/host.js")
    async def host_script() -> FileResponse:
        return FileResponse(PREVIEW_FILES / "preview-host.js", media_type=_MEDIA_TYPES[".js"])

    @router.get("/zaf-standin.js")
    async def standin_script() -> FileResponse:
        return FileResponse(PREVIEW_FILES / "zaf-standin.js", media_type=_MEDIA_TYPES[".js"])

    @router.get("/app/assets/{path:path}")
    async def app_asset(path: str) -> Response:
        assets = (APP_DIR / "assets").resolve()
        try:
            file = (assets / path).resolve()
            found = file.is_relative_to(assets) and file.is_file()
        except (ValueError, OSError):  # a NUL byte, a name longer than the OS allows
            found = False
        if not found:
            raise HTTPException(status_code=404, detail=f"no asset {path[:200]!r}")
        media_type = _MEDIA_TYPES.get(file.suffix, "application/octet-stream")
        if file.suffix == ".html":
            # The real file stays as shipped; only the preview swaps the SDK for the stand-in.
            text = file.read_text(encoding="utf-8").replace(ZAF_SDK_URL, STANDIN_URL)
            return HTMLResponse(text, headers={"Cache-Control": "no-store"})
        return FileResponse(file, media_type=media_type, headers={"Cache-Control": "no-store"})

    @router.get("/organizations")
    async def organizations() -> JSONResponse:
        """The demo Zendesk's organizations for the ticket list (the token stays server-side)."""
        headers = {"Authorization": f"Bearer {zendesk_token}"}
        base = zendesk_url.rstrip("/")
        async with client() as http:
            try:
                answer = await http.get(f"{base}/_demo/organizations", headers=headers)
                if answer.status_code == 404:
                    answer = await http.get(
                        f"{base}/api/v2/organizations", params={"page[size]": 100}, headers=headers
                    )
                answer.raise_for_status()
            except httpx.HTTPError as error:
                return JSONResponse({"detail": f"demo Zendesk: {error}"}, status_code=502)
        # Names only: what the demo generator *meant* an organization to look like can
        # contradict its card, so the list's labels come from the backend (/preview/labels).
        organizations = [
            {"id": org["id"], "name": org.get("name", f"Organization {org['id']}")}
            for org in answer.json().get("organizations", [])
        ]
        return JSONResponse({"organizations": organizations})

    @router.get("/labels")
    async def labels(ids: str = "") -> JSONResponse:
        """Each organization's colour and score as the backend answers them right now."""
        wanted = [int(part) for part in ids.split(",") if part.strip().isdigit()][:200]
        if not backend:
            return JSONResponse({"labels": {str(i): {"status": "unknown"} for i in wanted}})
        now = int(time.time())
        claims = {
            "iss": subdomain,
            "aud": "customer-health",
            "iat": now,
            "exp": now + 300,
            "installation_id": installation_id,
            "sub": str(DEMO_AGENT["id"]),
        }
        token = jwt.encode(claims, shared_secret, algorithm="HS256")
        gate = asyncio.Semaphore(LABEL_CONCURRENCY)
        async with client() as http:

            async def label(organization_id: int) -> dict[str, Any]:
                async with gate:
                    return await _label(http, backend, token, organization_id)

            found = await asyncio.gather(*(label(i) for i in wanted))
        return JSONResponse({"labels": dict(zip(map(str, wanted), found, strict=True))})

    @router.post("/proxy")
    async def proxy(request: Request, tamper: bool = False) -> Response:
        """What Zendesk's proxy does: settings, JWT, forward, relay status and body.

        Only for the preview page itself, and only to the backend's API: it signs with the
        shared secret, so any other caller or target would be handed that power."""
        try:
            _refuse_cross_site(request)
        except CrossSiteRequest as error:
            return JSONResponse(
                {"errors": [{"code": "CrossSiteRequest", "title": str(error)}]}, status_code=403
            )
        try:
            options = await request.json()
            if not isinstance(options, dict):
                raise ProxyRefused("the request options must be an object")
            outgoing = _prepare(options, proxy_settings, secure, backend, tamper)
        except (ProxyRefused, ValueError) as error:
            return JSONResponse(
                {"errors": [{"code": "InvalidRequest", "title": str(error)}]}, status_code=400
            )
        async with client() as http:
            try:
                answer = await http.request(**outgoing)
            except httpx.HTTPError as error:
                return JSONResponse(
                    {"errors": [{"code": "ConnectionNotFound", "title": str(error) or "failed"}]},
                    status_code=502,
                )
        return Response(
            content=answer.content,
            status_code=answer.status_code,
            media_type=answer.headers.get("content-type"),
        )

    return router


async def _label(
    http: httpx.AsyncClient, backend: str, token: str, organization_id: int
) -> dict[str, Any]:
    """{"status": "ready", "colour", "score"}, "computing", or "unknown" (the backend failed)."""
    try:
        answer = await http.get(
            f"{backend}/api/v1/organizations/{organization_id}/health",
            headers={"Authorization": f"Bearer {token}"},
            timeout=LABEL_TIMEOUT_SECONDS,
        )
    except httpx.TimeoutException:
        return {"status": "computing"}
    except httpx.HTTPError:
        return {"status": "unknown"}
    if answer.status_code == 202:
        return {"status": "computing"}
    if answer.status_code != 200:
        return {"status": "unknown"}
    body = answer.json()
    return {"status": "ready", "colour": body.get("colour"), "score": body.get("score")}


def _list_words(language: str) -> dict[str, str]:
    """The list's words in the page's language: the app's own colour words, one place for both."""
    strings = json.loads((APP_DIR / "translations" / f"{language}.json").read_text("utf-8"))["ui"]
    german = language == "de"
    return {
        "noOrganization": strings["error_no_organization_title"],
        "computing": "wird berechnet…" if german else "computing…",
        # The sidebar's and the portfolio's drill-down both route to a ticket.
        "openedTicket": "Ticket #{id} von der App geöffnet (in Zendesk: ein neuer Tab)"
        if german
        else "Ticket #{id} opened by the app (in Zendesk: a new tab)",
        **{f"colour_{c}": strings[f"colour_{c}"] for c in ("green", "yellow", "red", "grey")},
    }


def _view_links(language: str, role: str) -> str:
    """The other language and the other role; preview-host.js adds the selected organization."""
    other_language = "en" if language == "de" else "de"
    other_role = "agent" if role == "admin" else "admin"
    role_words = {
        ("en", "agent"): "View as agent",
        ("en", "admin"): "View as admin",
        ("de", "agent"): "Als Agent ansehen",
        ("de", "admin"): "Als Admin ansehen",
    }
    return (
        f'<a class="view-link" data-locale="{other_language}" data-role="{role}" '
        f'href="?locale={other_language}&amp;role={role}">'
        f"{'English' if other_language == 'en' else 'Deutsch'}</a> "
        f'<a class="view-link" data-locale="{language}" data-role="{other_role}" '
        f'href="?locale={language}&amp;role={other_role}">{role_words[(language, other_role)]}</a>'
    )


def _refuse_cross_site(request: Request) -> None:
    """Only the preview page's own script may call the proxy.

    A JSON content type cannot be sent cross-site without a CORS preflight (which fails), so a
    form or `text/plain` post from another site is refused; browsers' Origin and
    Sec-Fetch-Site must say same-origin when present."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise CrossSiteRequest("the proxy takes only application/json from the preview page")
    origin = request.headers.get("origin")
    own_origin = f"{request.url.scheme}://{request.url.netloc}"
    if origin is not None and origin != own_origin:
        raise CrossSiteRequest(f"cross-site request from {origin[:100]!r}")
    if request.headers.get("sec-fetch-site", "same-origin") != "same-origin":
        raise CrossSiteRequest("cross-site request (Sec-Fetch-Site)")


def _object(value: object, name: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ProxyRefused(f"{name} must be an object")
    return value


def _backend_api_url(url: str, backend: str) -> str:
    """`url` when it is on the backend's API, else ProxyRefused. Only there is signing safe:
    not other hosts, not the demo Zendesk's controls on another port of the same host, not
    the preview's own routes (the demo serves them from the backend's port)."""
    target, base = urlsplit(url), urlsplit(backend)
    try:
        same_origin = (target.scheme, target.hostname, target.port) == (
            base.scheme,
            base.hostname,
            base.port,
        )
    except ValueError:  # a port that is not a number
        same_origin = False
    if target.username is not None or target.password is not None or not same_origin:
        raise ProxyRefused(f"{target.hostname} is not in the app's domainWhitelist")
    path = unquote(target.path)
    if not path.startswith(f"{base.path.rstrip('/')}/api/") or ".." in path.split("/"):
        raise ProxyRefused("the preview forwards only to the backend's /api/ paths")
    return url


def _prepare(
    options: Mapping[str, Any],
    settings: Mapping[str, object],
    secure: Mapping[str, tuple[str, ...]],
    backend: str,
    tamper: bool,
) -> dict[str, Any]:
    def substitute(text: str, scope: str) -> str:
        return substitute_settings(text, scope, settings, secure)

    url = substitute(str(options.get("url", "")), "url")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ProxyRefused(f"invalid url {url[:200]!r}")
    url = _backend_api_url(url, backend)
    headers = {
        str(k): substitute(str(v), "header")
        for k, v in _object(options.get("headers"), "headers").items()
        if str(k).lower() not in _FIXED_HEADERS
    }
    if "jwt" in options:
        token = sign_jwt(options["jwt"], substitute, int(time.time()))
        token = tamper_signature(token) if tamper else token
        url = _JWT_TOKEN.sub(token, url)
        headers = {k: _JWT_TOKEN.sub(token, v) for k, v in headers.items()}
    method = str(options.get("type", "GET")).upper()
    if method not in PROXY_METHODS:
        raise ProxyRefused(f"type must be one of {', '.join(sorted(PROXY_METHODS))}")
    outgoing: dict[str, Any] = {"method": method, "url": url, "headers": headers}
    data = options.get("data")
    if data is not None and method not in ("GET", "HEAD"):
        outgoing["content"] = data if isinstance(data, str) else json.dumps(data)
        outgoing["headers"].setdefault(
            "Content-Type", str(options.get("contentType", "application/json"))
        )
    return outgoing
