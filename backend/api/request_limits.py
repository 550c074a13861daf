"""Request size limits, answered before the app reads anything: 414, 431 and 413.

The signed token alone may be 8 KiB (signed_requests.MAX_TOKEN_BYTES); the largest body the
API takes is a settings preview of a few KiB. uvicorn's HTTP parser enforces no limits of
its own on these, so without this layer one request could make the backend hold megabytes.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Final

log = logging.getLogger(__name__)

MAX_URL_BYTES: Final = 8 * 1024
MAX_HEADER_BYTES: Final = 16 * 1024  # all header names and values together
MAX_BODY_BYTES: Final = 64 * 1024


class RequestLimits:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = _head_refusal(scope)
        if refusal is not None:
            await _refuse(send, *refusal)
            return
        declared = _content_length(scope["headers"])
        if declared is not None:
            if declared > MAX_BODY_BYTES:
                await _refuse(send, *_BODY_TOO_LARGE)
                return
            await self.app(scope, receive, send)
            return
        # No Content-Length (chunked, or no body): read up to the limit first, then replay.
        messages, too_large = await _read_body(receive)
        if too_large:
            await _refuse(send, *_BODY_TOO_LARGE)
            return
        await self.app(scope, _replay(messages, receive), send)


Refusal = tuple[int, str, str]
_BODY_TOO_LARGE: Final[Refusal] = (
    413,
    "body_too_large",
    f"request body larger than {MAX_BODY_BYTES} bytes",
)


def _head_refusal(scope: dict[str, Any]) -> Refusal | None:
    url_bytes = len(scope.get("raw_path") or b"") + len(scope.get("query_string") or b"")
    if url_bytes > MAX_URL_BYTES:
        return 414, "url_too_long", f"request URL longer than {MAX_URL_BYTES} bytes"
    header_bytes = sum(len(name) + len(value) for name, value in scope["headers"])
    if header_bytes > MAX_HEADER_BYTES:
        return 431, "headers_too_large", f"request headers larger than {MAX_HEADER_BYTES} bytes"
    return None


def _content_length(headers: list[tuple[bytes, bytes]]) -> int | None:
    for name, value in headers:
        if name == b"content-length":
            return int(value) if value.isdigit() else None  # uvicorn refuses others itself
    return None


async def _read_body(receive: Any) -> tuple[list[dict[str, Any]], bool]:
    messages: list[dict[str, Any]] = []
    size = 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return messages, False
        size += len(message.get("body", b""))
        if size > MAX_BODY_BYTES:
            return messages, True
        if not message.get("more_body", False):
            return messages, False


def _replay(messages: list[dict[str, Any]], receive: Any) -> Any:
    pending = list(messages)

    async def replayed() -> dict[str, Any]:
        return pending.pop(0) if pending else await receive()

    return replayed


async def _refuse(send: Any, status: int, code: str, detail: str) -> None:
    log.warning("refused with %d: %s", status, detail)
    body = json.dumps({"detail": detail, "code": code}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
