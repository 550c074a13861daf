"""What happens around every demo API call: `.json` paths, the request log, budgets, faults."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from typing import Final

from fastapi import Request, Response
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from backend.demo.ratelimits import Usage, account_headers, endpoint_header
from backend.demo.state import DemoZendesk

_TICKET_LIST: Final = re.compile(r"^/api/v2/(organizations/\d+/)?tickets$")
_HTML_429: Final = b"<html><body><h1>429 Too Many Requests</h1></body></html>"


class StripJsonSuffix:
    """Zendesk serves `/path` and `/path.json` alike; route both to the same handler."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].endswith(".json"):
            scope = dict(scope)
            scope["path"] = scope["path"][: -len(".json")]
            scope["raw_path"] = scope["path"].encode()
        await self.app(scope, receive, send)


def _endpoint_budget(demo: DemoZendesk, path: str) -> tuple[str, Usage] | None:
    if _TICKET_LIST.match(path):
        return "Zendesk-RateLimit-tickets-index", demo.tickets_index_budget.take()
    if path.startswith("/api/v2/incremental/"):
        return "Zendesk-RateLimit-incremental-exports", demo.incremental_budget.take()
    return None


def _rate_limited(retry_after: int) -> Response:
    body = {"error": "APIRateLimitExceeded", "description": "Number of allowed API requests"}
    body["description"] += " per minute exceeded"
    return JSONResponse(body, status_code=429, headers={"Retry-After": str(retry_after)})


def _fault_response(demo: DemoZendesk, fault: str) -> Response:
    config = demo.faults.config
    if fault == "429":
        headers = {"Retry-After": str(config.retry_after)}
        if demo.faults.coin():  # real Zendesk sometimes answers 429 with an HTML page
            return Response(_HTML_429, 429, headers, media_type="text/html; charset=utf-8")
        return JSONResponse(
            {"error": "APIRateLimitExceeded", "description": "Rate limited"}, 429, headers
        )
    if fault == "503":
        headers = {"Retry-After": str(config.retry_after)} if demo.faults.coin() else {}
        body = {"error": "ServiceUnavailable", "description": "Please try again later"}
        return JSONResponse(body, 503, headers)
    return JSONResponse({"error": "InternalServerError", "description": "Oops"}, 500)


async def _truncated(response: Response) -> Response:
    body = b""
    async for chunk in response.body_iterator:  # type: ignore[attr-defined]
        body += chunk if isinstance(chunk, bytes) else chunk.encode()
    headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
    return Response(body[: max(1, len(body) // 2)], response.status_code, headers)


async def _answer(
    request: Request, call_next: Callable[[Request], Awaitable[Response]], demo: DemoZendesk
) -> Response:
    fault = demo.faults.draw()
    if fault in ("429", "500", "503"):
        return _fault_response(demo, fault)
    if fault == "slow":
        await asyncio.sleep(demo.faults.config.slow_seconds)
    response = await call_next(request)
    if fault == "malformed":
        return await _truncated(response)
    return response


async def zendesk_edge(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    """Log the call, count it against the budgets, maybe inject a fault, add rate headers."""
    demo: DemoZendesk = request.app.state.demo
    path = request.url.path
    if path.startswith("/_demo") or not path.startswith(("/api/", "/oauth/")):
        return await call_next(request)
    if not path.startswith("/api/v2"):
        response = await call_next(request)
        demo.log.record(request.method, path, request.url.query, response.status_code)
        return response
    usage = demo.account_budget.take()
    endpoint = _endpoint_budget(demo, path)
    headers = account_headers(usage)
    if endpoint is not None:
        headers[endpoint[0]] = endpoint_header(endpoint[1])
    over = [u for u in (usage, endpoint[1] if endpoint else None) if u and u.exceeded]
    if over:
        response = _rate_limited(max(u.resets for u in over))
    else:
        response = await _answer(request, call_next, demo)
    response.headers.update(headers)
    demo.log.record(request.method, path, request.url.query, response.status_code)
    return response
