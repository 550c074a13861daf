"""The Zendesk Support API endpoints the product uses, with Zendesk's JSON envelopes."""

from __future__ import annotations

import time
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from typing import Annotated, Any, Final
from urllib.parse import urlencode

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import JSONResponse

from backend.demo.dataset import INSTALLATION_ID
from backend.demo.errors import InvalidRequest, NotAuthenticated, RecordNotFound
from backend.demo.pagination import (
    InvalidPagination,
    cursor_envelope,
    cursor_page,
    cursor_size,
    decode_cursor,
    encode_cursor,
    offset_page,
)
from backend.demo.state import TICKET_SORTS, DemoZendesk
from backend.demo.ticket_changes import InvalidTicket
from backend.demo.tickets import TIME_LAST_UPDATE_FIELD_ID, TIME_SPENT_FIELD_ID, TicketRecord, iso

INCREMENTAL_PAGE: Final = 1000


def get_demo(request: Request) -> DemoZendesk:
    demo: DemoZendesk = request.app.state.demo
    return demo


DemoDep = Annotated[DemoZendesk, Depends(get_demo)]


async def require_auth(request: Request, demo: DemoDep) -> None:
    """Every /api/v2 call needs a Bearer token (static or issued) or Basic email/token."""
    if not demo.authenticator.accepts(request.headers.get("authorization")):
        raise NotAuthenticated


router = APIRouter(prefix="/api/v2", dependencies=[Depends(require_auth)])


def _base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _query(request: Request) -> dict[str, str]:
    return dict(request.query_params)


def _includes(request: Request) -> set[str]:
    return {part.strip() for part in request.query_params.get("include", "").split(",") if part}


def _ticket_list(
    demo: DemoZendesk, records: Sequence[TicketRecord], request: Request
) -> dict[str, Any]:
    """Tickets plus, with include=metric_sets, their metric sets in the app's chosen shape."""
    base = _base_url(request)
    tickets = [demo.account.ticket_json(r, base) for r in records]
    if "metric_sets" not in _includes(request):
        return {"tickets": tickets}
    metric_sets = [demo.account.metric_set(r, base) for r in records]
    if demo.metric_sets_style == "embedded":
        for ticket, metric_set in zip(tickets, metric_sets, strict=True):
            ticket["metric_set"] = metric_set
        return {"tickets": tickets}
    return {"tickets": tickets, "metric_sets": [m for m in metric_sets if m is not None]}


def _organization_id(demo: DemoZendesk, organization_id: int) -> int:
    if organization_id not in demo.account.organization_ids:
        raise RecordNotFound
    return organization_id


# --- users -------------------------------------------------------------------------------------


@router.get("/users/me")
async def current_user(demo: DemoDep) -> dict[str, Any]:
    return {"user": demo.account.admin}


@router.get("/users/{user_id}")
async def show_user(user_id: int, demo: DemoDep) -> dict[str, Any]:
    for user in demo.account.users:
        if user["id"] == user_id:
            return {"user": user}
    raise RecordNotFound


# --- organizations -----------------------------------------------------------------------------


@router.get("/organizations")
async def list_organizations(request: Request, demo: DemoDep) -> dict[str, Any]:
    base = _base_url(request)
    ids = sorted(demo.account.organization_ids)
    query = _query(request)
    url = f"{base}/api/v2/organizations.json"
    size = cursor_size(query)
    if size is None:
        chosen, envelope = offset_page(ids, url, query)
    else:
        after, before = query.get("page[after]"), query.get("page[before]")
        page = cursor_page(ids, [(i,) for i in ids], "id", size, after, before)
        chosen, envelope = page.items, cursor_envelope(page, url, query, size)
    return {"organizations": [demo.account.organization(i, base) for i in chosen], **envelope}


@router.get("/organizations/{organization_id}")
async def show_organization(organization_id: int, request: Request, demo: DemoDep) -> Any:
    _organization_id(demo, organization_id)
    return {"organization": demo.account.organization(organization_id, _base_url(request))}


@router.get("/organizations/{organization_id}/tickets")
async def organization_tickets(organization_id: int, request: Request, demo: DemoDep) -> Any:
    _organization_id(demo, organization_id)
    query = _query(request)
    sort = query.get("sort", "id")
    if sort not in TICKET_SORTS:
        raise InvalidPagination(f"sort must be one of {', '.join(TICKET_SORTS)}")
    view = demo.sorted_tickets(organization_id, sort)
    url = f"{_base_url(request)}/api/v2/organizations/{organization_id}/tickets.json"
    size = cursor_size(query)
    if size is None:
        records, envelope = offset_page(view.records, url, query)
    else:
        after, before = query.get("page[after]"), query.get("page[before]")
        page = cursor_page(view.records, view.keys, sort, size, after, before)
        records, envelope = page.items, cursor_envelope(page, url, query, size)
    return {**_ticket_list(demo, records, request), **envelope}


@router.get("/organizations/{organization_id}/tickets/count")
async def organization_ticket_count(organization_id: int, demo: DemoDep) -> Any:
    _organization_id(demo, organization_id)
    count = demo.account.ticket_count(organization_id)
    return {"count": {"value": count, "refreshed_at": iso(demo.account.anchor)}}


@router.get("/organization_fields")
async def organization_fields(request: Request) -> dict[str, Any]:
    base = _base_url(request)
    fields = [
        (360000010, "annual_revenue", "decimal", "Annual revenue"),
        (360000011, "csm", "text", "Customer success manager"),
    ]
    return {
        "organization_fields": [
            {
                "url": f"{base}/api/v2/organization_fields/{field_id}.json",
                "id": field_id,
                "key": key,
                "type": kind,
                "title": title,
                "raw_title": title,
                "active": True,
                "position": position,
            }
            for position, (field_id, key, kind, title) in enumerate(fields)
        ],
        "next_page": None,
        "previous_page": None,
        "count": len(fields),
    }


@router.get("/ticket_fields")
async def ticket_fields(request: Request) -> dict[str, Any]:
    base = _base_url(request)
    fields = [
        (TIME_SPENT_FIELD_ID, "Total time spent (sec)"),
        (TIME_LAST_UPDATE_FIELD_ID, "Time spent last update (sec)"),
    ]
    return {
        "ticket_fields": [
            {
                "url": f"{base}/api/v2/ticket_fields/{field_id}.json",
                "id": field_id,
                "type": "integer",
                "title": title,
                "raw_title": title,
                "active": True,
                "visible_in_portal": False,
            }
            for field_id, title in fields
        ],
        "next_page": None,
        "previous_page": None,
        "count": len(fields),
    }


# --- tickets -----------------------------------------------------------------------------------


def _record(demo: DemoZendesk, ticket_id: int) -> TicketRecord:
    record = demo.account.ticket_record(ticket_id)
    if record is None:
        raise RecordNotFound
    return record


def _with_audit(demo: DemoZendesk, record: TicketRecord, base: str) -> dict[str, Any]:
    audit = {
        "id": record.updated_at * 1000 + record.id % 1000,
        "ticket_id": record.id,
        "created_at": iso(record.updated_at),
        "author_id": demo.account.admin["id"],
        "events": [],
    }
    return {"ticket": demo.account.ticket_json(record, base), "audit": audit}


@router.get("/tickets/{ticket_id}")
async def show_ticket(ticket_id: int, request: Request, demo: DemoDep) -> Any:
    record = _record(demo, ticket_id)
    body = _ticket_list(demo, [record], request)
    result: dict[str, Any] = {"ticket": body["tickets"][0]}
    if "metric_sets" in body:
        result["metric_sets"] = body["metric_sets"]
    return result


@router.get("/tickets/{ticket_id}/metrics")
async def ticket_metrics(ticket_id: int, request: Request, demo: DemoDep) -> Any:
    metric_set = demo.account.metric_set(_record(demo, ticket_id), _base_url(request))
    if metric_set is None:
        raise RecordNotFound
    return {"ticket_metric": metric_set}


@router.post("/tickets", status_code=201)
async def create_ticket(
    request: Request, demo: DemoDep, payload: Annotated[dict[str, Any], Body()]
) -> Any:
    """Zendesk's Create Ticket, plus the demo extensions `metric_set` and `created_at`."""
    ticket = payload.get("ticket")
    if not isinstance(ticket, dict):
        raise InvalidRequest('body must be {"ticket": {...}}')
    try:
        record = demo.account.create_ticket(ticket)
    except KeyError:
        raise InvalidTicket("organization_id: unknown organization") from None
    return _with_audit(demo, record, _base_url(request))


@router.put("/tickets/{ticket_id}")
async def update_ticket(
    ticket_id: int, request: Request, demo: DemoDep, payload: Annotated[dict[str, Any], Body()]
) -> Any:
    ticket = payload.get("ticket")
    if not isinstance(ticket, dict):
        raise InvalidRequest('body must be {"ticket": {...}}')
    try:
        record = demo.account.update_ticket(ticket_id, ticket)
    except KeyError:
        raise RecordNotFound from None
    return _with_audit(demo, record, _base_url(request))


# --- incremental export ------------------------------------------------------------------------


@router.get("/incremental/tickets/cursor")
async def incremental_tickets(request: Request, demo: DemoDep) -> Any:
    """The cursor-based incremental ticket export, ordered by updated_at (then id)."""
    query = _query(request)
    try:
        per_page = int(query.get("per_page", INCREMENTAL_PAGE))
        start_time = int(query["start_time"]) if "start_time" in query else None
    except ValueError:
        raise InvalidRequest("per_page and start_time must be integers") from None
    if not 1 <= per_page <= INCREMENTAL_PAGE:
        raise InvalidPagination(f"per_page must be between 1 and {INCREMENTAL_PAGE}")
    index = demo.export_index()
    cursor = query.get("cursor")
    if cursor:
        start = bisect_right(index, decode_cursor("export", cursor))
    elif start_time is not None:
        start = bisect_left(index, (start_time, 0))
    else:
        raise InvalidPagination("start_time or cursor is required")
    keys = index[start : start + per_page]
    records = [_record(demo, ticket_id) for _, ticket_id in keys]
    if keys:
        after = encode_cursor("export", keys[-1])
    else:
        after = cursor or encode_cursor("export", ((start_time or 0) - 1, 0))
    include = {"include": query["include"]} if "include" in query else {}
    after_url = f"{_base_url(request)}/api/v2/incremental/tickets/cursor.json?" + urlencode(
        {"cursor": after, **include}
    )
    return {
        **_ticket_list(demo, records, request),
        "after_url": after_url,
        "after_cursor": after,
        "before_url": None,
        "before_cursor": None,
        "end_of_stream": start + per_page >= len(index),
    }


# --- app installation --------------------------------------------------------------------------


def _installation(demo: DemoZendesk, installation_id: int) -> dict[str, Any]:
    if installation_id != INSTALLATION_ID:
        raise RecordNotFound
    installation = dict(demo.account.installation)
    installation["settings"] = dict(installation["settings"])
    return installation


@router.get("/apps/installations/{installation_id}")
async def show_installation(installation_id: int, demo: DemoDep) -> JSONResponse:
    # Zendesk answers the installation object itself here, not wrapped in {"installation": …}.
    return JSONResponse(_installation(demo, installation_id))


@router.put("/apps/installations/{installation_id}")
async def update_installation(
    installation_id: int, demo: DemoDep, payload: Annotated[dict[str, Any], Body()]
) -> JSONResponse:
    _installation(demo, installation_id)
    settings = payload.get("settings", {})
    if not isinstance(settings, dict):
        raise InvalidRequest("settings must be an object")
    settings = dict(settings)
    # The secure setting is stored but, as in Zendesk, never handed back by the API.
    if "shared_secret" in settings:
        demo.account.shared_secret = str(settings.pop("shared_secret"))
    demo.account.installation["settings"].update(settings)
    demo.account.installation["updated_at"] = iso(int(time.time()))
    return JSONResponse(_installation(demo, installation_id))
