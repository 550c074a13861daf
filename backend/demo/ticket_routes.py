"""Tickets: an organization's ticket list and count, show, metrics, create, update, delete.

Archived tickets (closed more than 120 days before the account's date) and deleted ones are
missing here, as in Zendesk; the incremental export still has them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Body, Request, Response
from fastapi.responses import JSONResponse

from backend.demo.deps import DemoDep, base_url, includes, query
from backend.demo.errors import InvalidRequest, RecordNotFound
from backend.demo.pagination import (
    InvalidPagination,
    cursor_envelope,
    cursor_page,
    cursor_size,
    offset_page,
)
from backend.demo.state import TICKET_SORTS, DemoZendesk
from backend.demo.ticket_changes import InvalidTicket
from backend.demo.ticket_json import iso
from backend.demo.tickets import TIME_LAST_UPDATE_FIELD_ID, TIME_SPENT_FIELD_ID, TicketRecord

router = APIRouter()


def ticket_list_json(
    demo: DemoZendesk, records: Sequence[TicketRecord], request: Request
) -> dict[str, Any]:
    """Tickets plus, with include=metric_sets, their metric sets in the app's chosen shape.

    Routes hand this to `JSONResponse` themselves: it is plain JSON already, and FastAPI's
    encoder would walk it again (three quarters of the time of a 1,000-ticket page).
    """
    base = base_url(request)
    tickets = [demo.account.ticket_json(r, base) for r in records]
    if "metric_sets" not in includes(request):
        return {"tickets": tickets}
    metric_sets = [demo.account.metric_set(r, base) for r in records]
    if demo.metric_sets_style == "embedded":
        for ticket, metric_set in zip(tickets, metric_sets, strict=True):
            ticket["metric_set"] = metric_set
        return {"tickets": tickets}
    return {"tickets": tickets, "metric_sets": [m for m in metric_sets if m is not None]}


def _live_organization(demo: DemoZendesk, organization_id: int) -> None:
    if organization_id not in demo.account.organization_ids:
        raise RecordNotFound


@router.get("/organizations/{organization_id}/tickets")
async def organization_tickets(organization_id: int, request: Request, demo: DemoDep) -> Any:
    _live_organization(demo, organization_id)
    params = query(request)
    sort = params.get("sort", "id")
    if sort not in TICKET_SORTS:
        raise InvalidPagination(f"sort must be one of {', '.join(TICKET_SORTS)}")
    view = demo.sorted_tickets(organization_id, sort)
    url = f"{base_url(request)}/api/v2/organizations/{organization_id}/tickets.json"
    size = cursor_size(params)
    if size is None:
        records, envelope = offset_page(view.records, url, params)
    else:
        after, before = params.get("page[after]"), params.get("page[before]")
        page = cursor_page(view.records, view.keys, sort, size, after, before)
        records, envelope = page.items, cursor_envelope(page, url, params, size)
    return JSONResponse({**ticket_list_json(demo, records, request), **envelope})


@router.get("/organizations/{organization_id}/tickets/count")
async def organization_ticket_count(organization_id: int, demo: DemoDep) -> Any:
    # Counts what the list hands out (archived tickets left out), so a client's progress over
    # the list reaches its total.
    _live_organization(demo, organization_id)
    count = demo.account.listed_ticket_count(organization_id)
    return {"count": {"value": count, "refreshed_at": iso(demo.account.anchor)}}


@router.get("/ticket_fields")
async def ticket_fields(request: Request) -> dict[str, Any]:
    base = base_url(request)
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


def _visible(demo: DemoZendesk, ticket_id: int) -> TicketRecord:
    record = demo.account.visible_ticket_record(ticket_id)
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


def _ticket_payload(payload: dict[str, Any]) -> dict[str, Any]:
    ticket = payload.get("ticket")
    if not isinstance(ticket, dict):
        raise InvalidRequest('body must be {"ticket": {...}}')
    return ticket


@router.get("/tickets/{ticket_id}")
async def show_ticket(ticket_id: int, request: Request, demo: DemoDep) -> Any:
    body = ticket_list_json(demo, [_visible(demo, ticket_id)], request)
    result: dict[str, Any] = {"ticket": body["tickets"][0]}
    if "metric_sets" in body:
        result["metric_sets"] = body["metric_sets"]
    return result


@router.get("/tickets/{ticket_id}/metrics")
async def ticket_metrics(ticket_id: int, request: Request, demo: DemoDep) -> Any:
    metric_set = demo.account.metric_set(_visible(demo, ticket_id), base_url(request))
    if metric_set is None:
        raise RecordNotFound
    return {"ticket_metric": metric_set}


@router.post("/tickets", status_code=201)
async def create_ticket(
    request: Request, demo: DemoDep, payload: Annotated[dict[str, Any], Body()]
) -> Any:
    """Zendesk's Create Ticket, plus the demo extensions `metric_set` and `created_at`."""
    try:
        record = demo.account.create_ticket(_ticket_payload(payload))
    except KeyError:
        raise InvalidTicket("organization_id: unknown organization") from None
    return _with_audit(demo, record, base_url(request))


@router.put("/tickets/{ticket_id}")
async def update_ticket(
    ticket_id: int, request: Request, demo: DemoDep, payload: Annotated[dict[str, Any], Body()]
) -> Any:
    try:
        record = demo.account.update_ticket(ticket_id, _ticket_payload(payload))
    except KeyError:
        raise RecordNotFound from None
    return _with_audit(demo, record, base_url(request))


@router.delete("/tickets/{ticket_id}", status_code=204)
async def delete_ticket(ticket_id: int, demo: DemoDep) -> Response:
    try:
        demo.account.delete_ticket(ticket_id)
    except KeyError:
        raise RecordNotFound from None
    return Response(status_code=204)
