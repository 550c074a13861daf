"""Security headers on every answer, and a Content-Security-Policy fitted to each HTML page.

JSON answers get a policy that allows nothing. An HTML page (the API docs, served from the
package; the demo's preview) may run its own files and exactly the inline scripts it was sent
with: their SHA-256
hashes are computed from the page itself, so a page can change without the policy going
stale, and a script injected into it would not run.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Mapping
from html.parser import HTMLParser
from typing import Any, Final

ALWAYS: Final = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
)
API_POLICY: Final = "default-src 'none'; frame-ancestors 'none'"
PAGE_POLICY: Final[Mapping[str, tuple[str, ...]]] = {
    "default-src": ("'self'",),
    "script-src": ("'self'",),
    # The app sets bar widths with style attributes; styles cannot run code.
    "style-src": ("'self'", "'unsafe-inline'"),
    "img-src": ("'self'", "data:"),
    "font-src": ("'self'",),
    "connect-src": ("'self'",),
    "worker-src": ("'self'", "blob:"),  # ReDoc runs its search in a worker made from a blob
    "object-src": ("'none'",),
    "base-uri": ("'none'",),
    "form-action": ("'self'",),
    "frame-ancestors": ("'self'",),  # the preview frames the app's own iframe.html
}
_MAX_PAGE_BYTES: Final = 2 * 1024 * 1024  # larger HTML is sent with no inline script allowed


class SecurityHeaders:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start: dict[str, Any] | None = None
        page: list[bytes] = []
        size = 0

        async def send_with_headers(message: dict[str, Any]) -> None:
            nonlocal start, size
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                if not _is_html(headers):
                    message["headers"] = _with_policy(headers, API_POLICY)
                    await send(message)
                    return
                start = message  # held until the page is complete: its hashes go in it
                return
            if start is not None and message["type"] != "http.response.body":
                # e.g. a file sent by the server itself (pathsend): no page to hash
                headers = list(start.get("headers", ()))
                start["headers"] = _with_policy(headers, page_policy([]))
                await send(start)
                start = None
            if start is None:
                await send(message)
                return
            page.append(message.get("body", b""))
            size += len(page[-1])
            if message.get("more_body", False) and size <= _MAX_PAGE_BYTES:
                return
            body = b"".join(page)
            hashes = inline_script_hashes(body) if size <= _MAX_PAGE_BYTES else []
            headers = list(start.get("headers", ()))
            start["headers"] = _with_policy(headers, page_policy(hashes))
            await send(start)
            start = None
            await send({**message, "body": body})

        await self.app(scope, receive, send_with_headers)


def page_policy(script_hashes: Iterable[str]) -> str:
    directives = {name: list(sources) for name, sources in PAGE_POLICY.items()}
    directives["script-src"] += [f"'sha256-{h}'" for h in script_hashes]
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


def inline_script_hashes(html: bytes) -> list[str]:
    """Base64 SHA-256 of each inline <script>'s text, as CSP Level 2 hashes them."""
    parser = _InlineScripts()
    parser.feed(html.decode("utf-8", "replace"))
    parser.close()
    return parser.hashes


class _InlineScripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)  # script text is hashed exactly as sent
        self.hashes: list[str] = []
        self._text: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script" and all(name != "src" for name, _ in attrs):
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._text is not None:
            digest = hashlib.sha256("".join(self._text).encode()).digest()
            self.hashes.append(base64.b64encode(digest).decode())
            self._text = None


def _is_html(headers: list[tuple[bytes, bytes]]) -> bool:
    return any(k.lower() == b"content-type" and v.startswith(b"text/html") for k, v in headers)


def _with_policy(headers: list[tuple[bytes, bytes]], policy: str) -> list[tuple[bytes, bytes]]:
    present = {k.lower() for k, _ in headers}
    extra = [(k, v) for k, v in ALWAYS if k not in present]
    if b"content-security-policy" not in present:
        extra.append((b"content-security-policy", policy.encode()))
    return headers + extra
