"""Zendesk's incremental exports: tickets (cursor-based) and organizations (time-based).

Both count against the incremental-export budget (10 requests a minute, 30 with High
Volume). Zendesk never hands out the most recent minute; the demo holds back
`export_lag_seconds` (0 unless configured), and refuses a start_time inside that window.
"""

from __future__ import annotations

from typing import Any, Final
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from backend.demo.deps import DemoDep, base_url, bool_param, int_param, query
from backend.demo.errors import InvalidRequest
from backend.demo.incremental import before, time_page
from backend.demo.organizations import organization_json
from backend.demo.pagination import InvalidPagination, decode_cursor, encode_cursor
from backend.demo.state import DemoZendesk
from backend.demo.ticket_routes import ticket_list_json

router = APIRouter(prefix="/incremental")
MAX_PER_PAGE: Final = 1000


def _per_page(params: dict[str, str]) -> int:
    per_page = int_param(params, "per_page", MAX_PER_PAGE)
    assert per_page is not None
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise InvalidPagination(f"per_page must be between 1 and {MAX_PER_PAGE}")
    return per_page


def _start_time(demo: DemoZendesk, params: dict[str, str]) -> int | None:
    start_time = int_param(params, "start_time")
    if start_time is not None and start_time > demo.export_until():
        lag = demo.export_lag_seconds
        rule = f"be at least {lag} seconds in the past" if lag else "not be in the future"
        raise InvalidRequest(f"start_time is too recent: it must {rule}")
    return start_time


@router.get("/tickets/cursor")
async def ticket_export(request: Request, demo: DemoDep) -> Any:
    """Tickets in (updated_at, revision, id) order, archived and deleted ones included."""
    params = query(request)
    per_page = _per_page(params)
    exclude_deleted = bool_param(params, "exclude_deleted")
    start_time = _start_time(demo, params)
    cursor = params.get("cursor")
    if cursor:
        key = decode_cursor("export", cursor)
        if len(key) != 3 or min(key[1:]) < 0:
            raise InvalidPagination("invalid cursor")
        after = (key[0], key[1], key[2])
    elif start_time is not None:
        after = before(start_time)
    else:
        raise InvalidPagination("start_time or cursor is required")
    page = demo.account.export_page(
        after, per_page, demo.export_until(), exclude_deleted=exclude_deleted
    )
    after_cursor = encode_cursor("export", page.last_key)
    link: dict[str, str] = {"cursor": after_cursor}
    link |= {k: params[k] for k in ("per_page", "include", "exclude_deleted") if k in params}
    after_url = f"{base_url(request)}/api/v2/incremental/tickets/cursor.json?{urlencode(link)}"
    return JSONResponse(
        {
            **ticket_list_json(demo, page.records, request),
            "after_url": after_url,
            "after_cursor": after_cursor,
            "before_url": None,
            "before_cursor": None,
            "end_of_stream": page.end_of_stream,
        }
    )


@router.get("/organizations")
async def organization_export(request: Request, demo: DemoDep) -> Any:
    """Organizations changed since start_time, deleted ones with `deleted_at`."""
    params = query(request)
    per_page = _per_page(params)
    start_time = _start_time(demo, params)
    if start_time is None:
        raise InvalidRequest("start_time is required")
    organizations = demo.account.organizations_by_update()
    times = [org.updated_at for org in organizations]
    page = time_page(times, start_time, per_page, demo.export_until())
    base = base_url(request)
    chosen = [organization_json(org, base) for org in organizations[page.start : page.end]]
    link: dict[str, str | int] = {"start_time": page.end_time}
    link |= {k: params[k] for k in ("per_page",) if k in params}
    next_page = f"{base}/api/v2/incremental/organizations.json?{urlencode(link)}"
    return JSONResponse(
        {
            "organizations": chosen,
            "count": len(chosen),
            "end_time": page.end_time,
            "next_page": next_page,
            "end_of_stream": page.end_of_stream,
        }
    )
