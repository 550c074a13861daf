"""What the hardening costs, and whether refusals can be told apart by time.

Run with `.venv/bin/python benchmarks/hardening.py`. Two figures, each against a baseline
measured in the same run:
1. Refusal timing: `verify` of a token with an unknown issuer against one with a wrong
   signature for a registered tenant (median of many, interleaved). The ratio should be
   close to 1: both spend one HMAC, so a subdomain's registration does not show in timing.
2. Middleware overhead: the same trivial JSON endpoint called in-process through the ASGI
   interface, bare and behind the backend's layers (request id, latency metric and log line,
   security headers, size limits, CORS); the difference is the cost per request.
Times are this process's CPU time, so other load on the machine disturbs them less.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import statistics
import time
from typing import Any

from fastapi import FastAPI
from jose import jwt

from backend.api.middleware import install_middleware
from backend.api.signed_requests import InvalidToken, verify
from backend.config import AppConfig
from backend.observability.logs import configure_logging
from backend.tenants import Tenant

ROUNDS = 4000
SECRET = "benchmark-shared-secret-0123456789abcdef"
TENANT = Tenant("acme", "https://acme.zendesk.com", None, SECRET)


def _token(issuer: str, secret: str) -> str:
    now = int(time.time())
    claims = {"iss": issuer, "aud": "customer-health", "iat": now, "exp": now + 600}
    token: str = jwt.encode(claims, secret)
    return token


def _refusal_seconds(token: str) -> float:
    started = time.process_time()
    with contextlib.suppress(InvalidToken):
        verify(token, lambda name: TENANT if name == "acme" else None)
    return time.process_time() - started


def refusal_timing() -> None:
    unknown = _token("nobody-here", SECRET)
    forged = _token("acme", "not-the-secret-0123456789abcdefghijkl")
    unknown_times, forged_times = [], []
    for _ in range(ROUNDS):  # interleaved, so drift affects both alike
        unknown_times.append(_refusal_seconds(unknown))
        forged_times.append(_refusal_seconds(forged))
    a, b = statistics.median(unknown_times), statistics.median(forged_times)
    print(f"Refusal timing (verify, median of {ROUNDS} each)")
    print(f"  unknown issuer   {a * 1e6:7.1f} µs")
    print(f"  wrong signature  {b * 1e6:7.1f} µs")
    print(f"  ratio            {a / b:7.2f}  (1.00 = indistinguishable)")


def _trivial_app(with_middleware: bool) -> FastAPI:
    app = FastAPI()

    @app.get("/ping")
    async def ping() -> dict[str, str]:
        return {"status": "ok"}

    if with_middleware:
        install_middleware(app, AppConfig(database_url="sqlite://"))
    return app


async def _call(app: Any) -> None:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/ping",
        "raw_path": b"/ping",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"backend"), (b"authorization", b"Bearer " + b"x" * 300)],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    assert sent[0]["status"] == 200


def _per_request(app: Any) -> float:
    async def run() -> float:
        for _ in range(200):  # warm up: the middleware stack is built on the first call
            await _call(app)
        best = float("inf")
        for _ in range(5):
            started = time.process_time()
            for _ in range(ROUNDS):
                await _call(app)
            best = min(best, (time.process_time() - started) / ROUNDS)
        return best

    return asyncio.run(run())


def middleware_overhead() -> None:
    bare = _per_request(_trivial_app(False))
    print(f"Middleware (in-process ASGI calls of a trivial endpoint, best of 5 × {ROUNDS})")
    print(f"  bare endpoint                 {bare * 1e6:7.1f} µs per request")
    with open(os.devnull, "w") as sink:
        for label, level, log_format in (
            ("layers, request lines off", "WARNING", "text"),
            ("layers, text lines", "INFO", "text"),
            ("layers, JSON lines", "INFO", "json"),
        ):
            configure_logging(level, log_format, stream=sink)  # type: ignore[arg-type]
            seconds = _per_request(_trivial_app(True))
            extra = (seconds - bare) * 1e6
            print(f"  {label:<29} {seconds * 1e6:7.1f} µs (+{extra:.1f} µs, {seconds / bare:.2f}×)")


if __name__ == "__main__":
    refusal_timing()
    middleware_overhead()
