"""One ASGI layer around every HTTP request: its id, its latency metric and its log line."""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any, Final

from backend.observability.logs import request_id
from backend.observability.metrics import record_http_request

REQUEST_ID_HEADER: Final = "x-request-id"
_HEADER: Final = REQUEST_ID_HEADER.encode()
# A caller's (e.g. a load balancer's) id is kept when it is short and plain, so it cannot
# forge log structure; otherwise the backend makes one.
_PLAIN_ID: Final = re.compile(rb"[A-Za-z0-9._:-]{1,64}")
# Probes and scrapes come every few seconds; their lines are DEBUG.
_QUIET_ROUTES: Final = frozenset({"/healthz", "/readyz", "/metrics"})

access_log = logging.getLogger("backend.access")

Scope = dict[str, Any]


class ObserveRequests:
    """Sets the request id (also answered as X-Request-ID), then as the answer ends records
    the latency per route template and writes one log line. The query string is never
    logged: a caller could have put a token there."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        rid = _incoming_id(scope) or uuid.uuid4().hex
        # Not reset afterwards: each request runs in its own task, and the error handler
        # outside this layer logs an unexpected exception with the id still set.
        request_id.set(rid)
        status = 500
        recorded = False

        async def send_with_id(message: dict[str, Any]) -> None:
            nonlocal status, recorded
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), (_HEADER, rid.encode())]
            elif not message.get("more_body", False):
                # Recorded before the last byte leaves: whoever got the answer finds its line.
                recorded = True
                _record(scope, status, time.perf_counter() - started)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            if not recorded:  # the app failed before it finished an answer
                _record(scope, status, time.perf_counter() - started)


def _incoming_id(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == _HEADER:
            return value.decode() if _PLAIN_ID.fullmatch(value) else None
    return None


def _record(scope: Scope, status: int, seconds: float) -> None:
    # FastAPI marks its own routes; the docs pages and answers before routing are "other".
    route = getattr(scope.get("route"), "path", None) or "other"
    method = scope["method"]
    record_http_request(method, route, status, seconds)
    if status >= 500:
        level = logging.WARNING
    else:
        level = logging.DEBUG if route in _QUIET_ROUTES else logging.INFO
    if not access_log.isEnabledFor(level):
        return
    # raw_path stays percent-encoded: a decoded %0A could not start a fake log line.
    path = scope.get("raw_path", b"").decode("latin-1")[:200] or scope["path"][:200]
    state = scope.get("state") or {}
    access_log.log(
        level,
        "%s %s %d %.1f ms",
        method,
        path,
        status,
        seconds * 1000,
        extra={
            "method": method,
            "path": path,
            "route": route,
            "status": status,
            "duration_ms": round(seconds * 1000, 2),
            "client": (scope.get("client") or ("-",))[0],
            "tenant": state.get("tenant"),
        },
    )
