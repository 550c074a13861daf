"""What every demo route needs: the demo's state, authentication, and request helpers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from backend.demo.errors import InvalidRequest, NotAuthenticated
from backend.demo.state import DemoZendesk


def get_demo(request: Request) -> DemoZendesk:
    demo: DemoZendesk = request.app.state.demo
    return demo


DemoDep = Annotated[DemoZendesk, Depends(get_demo)]


async def require_auth(request: Request, demo: DemoDep) -> None:
    """Every /api/v2 call needs a Bearer token (static or issued) or Basic email/token."""
    if not demo.authenticator.accepts(request.headers.get("authorization")):
        raise NotAuthenticated


def base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def query(request: Request) -> dict[str, str]:
    return dict(request.query_params)


def includes(request: Request) -> set[str]:
    return {part.strip() for part in request.query_params.get("include", "").split(",") if part}


def int_param(params: dict[str, str], name: str, default: int | None = None) -> int | None:
    """An integer query parameter; InvalidRequest (400) naming it when it is not one."""
    raw = params.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise InvalidRequest(f"{name} must be an integer") from None


def bool_param(params: dict[str, str], name: str) -> bool:
    raw = params.get(name, "false").lower()
    if raw not in ("true", "false"):
        raise InvalidRequest(f"{name} must be true or false")
    return raw == "true"
