"""Every layer around the routes, in one place and in order (outermost first):
request id + latency + log line, security headers, size limits, CORS."""

from __future__ import annotations

from typing import Final

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from backend.api.request_limits import RequestLimits
from backend.api.security_headers import ALWAYS, API_POLICY, SecurityHeaders
from backend.config import AppConfig
from backend.observability.logs import request_id
from backend.observability.requests import REQUEST_ID_HEADER, ObserveRequests

# Where ZAF runs the app's iframe: Zendesk itself and Zendesk-hosted app assets. zcli's local
# server (http://localhost:4567) only when CORS_EXTRA_ORIGINS names it: in production any
# page on the agent's machine could otherwise call the backend cross-origin.
ZAF_ORIGINS: Final = (
    r"https://([a-z0-9-]+\.)*zendesk\.com",
    r"https://[a-z0-9-]+\.apps\.zdusercontent\.com",
)


def install_middleware(app: FastAPI, config: AppConfig) -> None:
    extra = [o for o in config.cors_extra_origins.split(",") if o]
    app.add_middleware(
        CORSMiddleware,
        allow_origin_regex="|".join(ZAF_ORIGINS),
        allow_origins=extra,
        allow_methods=["GET"],
        allow_headers=["Authorization", "Content-Type"],
        max_age=600,
    )
    app.add_middleware(RequestLimits)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(ObserveRequests)  # added last: outermost, so it times everything


def headers_outside_the_layers() -> dict[str, str]:
    """What the layers would have added, for the one answer written outside them: Starlette
    sends the 500 of an unexpected exception from its outermost ServerErrorMiddleware."""
    headers = {name.decode(): value.decode() for name, value in ALWAYS}
    headers["content-security-policy"] = API_POLICY
    rid = request_id.get()
    if rid:
        headers[REQUEST_ID_HEADER] = rid
    return headers
