"""Zendesk's two pagination styles over a sorted list: cursor (`page[size]`) and offset.

Cursor pages carry `meta {has_more, after_cursor, before_cursor}` and `links {next, prev}`;
like the real API, the last page still has a `links.next` URL while `has_more` is false, so a
client must loop on `has_more`. Offset pages carry `next_page`, `previous_page` and `count`.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Generic, TypeVar
from urllib.parse import urlencode

T = TypeVar("T")
Key = tuple[int, ...]
MAX_PAGE_SIZE: Final = 100
MAX_OFFSET_RECORDS: Final = 10_000  # since 2023 Zendesk refuses offset pages past 10,000 records


class InvalidPagination(ValueError):
    """A pagination parameter Zendesk would refuse with 400; the message says which."""


@dataclass(frozen=True, slots=True)
class CursorPage(Generic[T]):
    items: list[T]
    has_more: bool
    after_cursor: str | None
    before_cursor: str | None


def encode_cursor(order: str, key: Key) -> str:
    raw = json.dumps({"o": order, "v": list(key)}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode()


def decode_cursor(order: str, cursor: str) -> Key:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        if data["o"] != order:
            raise InvalidPagination("cursor was made for another sort order")
        return tuple(int(v) for v in data["v"])
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise InvalidPagination("invalid cursor") from None


def _int_param(query: Mapping[str, str], name: str) -> int | None:
    raw = query.get(name)
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError:
        raise InvalidPagination(f"{name} must be an integer") from None


def cursor_size(query: Mapping[str, str]) -> int | None:
    """page[size] when the request asks for cursor pagination, else None (offset style)."""
    size = _int_param(query, "page[size]")
    if size is None and ("page[after]" in query or "page[before]" in query):
        size = MAX_PAGE_SIZE
    if size is not None and not 1 <= size <= MAX_PAGE_SIZE:
        raise InvalidPagination(f"page[size] must be between 1 and {MAX_PAGE_SIZE}")
    return size


def cursor_page(
    items: Sequence[T],
    keys: Sequence[Key],
    order: str,
    size: int,
    after: str | None = None,
    before: str | None = None,
) -> CursorPage[T]:
    """One page of `items` (ascending by `keys`) after or before a cursor."""
    if after and before:
        raise InvalidPagination("page[after] and page[before] cannot be combined")
    if before:
        end = bisect.bisect_left(keys, decode_cursor(order, before))
        start = max(0, end - size)
        has_more = start > 0
    else:
        start = bisect.bisect_right(keys, decode_cursor(order, after)) if after else 0
        end = min(len(items), start + size)
        has_more = end < len(items)
    if start >= end:
        return CursorPage([], False, None, None)
    return CursorPage(
        list(items[start:end]),
        has_more,
        encode_cursor(order, keys[end - 1]),
        encode_cursor(order, keys[start]),
    )


def cursor_envelope(
    page: CursorPage[Any], url: str, params: Mapping[str, str], size: int
) -> dict[str, Any]:
    """meta and links; links stay present on the last page, as real Zendesk sends them."""
    others = {k: v for k, v in params.items() if not k.startswith("page[")}

    def link(direction: str, cursor: str | None) -> str | None:
        if cursor is None:
            return None
        query = {**others, f"page[{direction}]": cursor, "page[size]": str(size)}
        return f"{url}?{urlencode(query)}"

    return {
        "meta": {
            "has_more": page.has_more,
            "after_cursor": page.after_cursor,
            "before_cursor": page.before_cursor,
        },
        "links": {
            "prev": link("before", page.before_cursor),
            "next": link("after", page.after_cursor),
        },
    }


def offset_page(
    items: Sequence[T], url: str, params: Mapping[str, str]
) -> tuple[list[T], dict[str, Any]]:
    """Offset pagination (`page`, `per_page` ≤ 100): the slice and next/previous/count."""
    page = _int_param(params, "page") or 1
    per_page = _int_param(params, "per_page") or MAX_PAGE_SIZE
    if page < 1 or not 1 <= per_page <= MAX_PAGE_SIZE:
        raise InvalidPagination(f"page must be ≥ 1 and per_page between 1 and {MAX_PAGE_SIZE}")
    if page * per_page > MAX_OFFSET_RECORDS:
        raise InvalidPagination("offset pagination is limited to the first 10,000 records")
    start = (page - 1) * per_page
    others = {k: v for k, v in params.items() if k not in ("page", "per_page")}

    def link(number: int) -> str:
        return f"{url}?{urlencode({**others, 'page': number, 'per_page': per_page})}"

    has_next = start + per_page < len(items)
    envelope = {
        "next_page": link(page + 1) if has_next else None,
        "previous_page": link(page - 1) if page > 1 else None,
        "count": len(items),
    }
    return list(items[start : start + per_page]), envelope
