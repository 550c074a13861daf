"""Reading one page of a Zendesk list: its tickets with their metric sets, and its cursor."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

from backend.scoring import TicketFacts
from backend.zendesk.errors import MalformedTicket, ZendeskUnavailable
from backend.zendesk.parse import as_int, parse_ticket

log = logging.getLogger(__name__)

JsonObject = dict[str, Any]


def metric_sets_by_ticket(body: JsonObject) -> dict[int, dict[str, object]]:
    # The top-level sideload shape; the embedded `ticket.metric_set` is read by parse_ticket.
    sets = body.get("metric_sets")
    joined: dict[int, dict[str, object]] = {}
    if isinstance(sets, list):
        for metric_set in sets:
            if isinstance(metric_set, dict):
                ticket_id = as_int(metric_set.get("ticket_id"))
                if ticket_id is not None:
                    joined[ticket_id] = metric_set
    return joined


def parse_or_skip(raw: object, metric_sets: Mapping[int, dict[str, object]]) -> TicketFacts | None:
    if not isinstance(raw, dict):
        log.warning("Skipping a ticket that is not an object")
        return None
    ticket_id = as_int(raw.get("id"))
    metric_set = metric_sets.get(ticket_id) if ticket_id is not None else None
    try:
        return parse_ticket(raw, metric_set)
    except MalformedTicket as error:
        log.warning("Skipping a ticket: %s", error)
        return None


def has_more(body: JsonObject) -> bool:
    # Loop on meta.has_more only: Zendesk's last page still carries a links.next URL.
    meta = body.get("meta")
    return isinstance(meta, dict) and meta.get("has_more") is True


def next_cursor(body: JsonObject, path: str, seen: set[str]) -> str:
    meta = body.get("meta")
    cursor = meta.get("after_cursor") if isinstance(meta, dict) else None
    if not isinstance(cursor, str) or not cursor:
        cursor = cursor_from_next_link(body)
    if cursor is None:
        raise ZendeskUnavailable(f"GET {path} said has_more but sent no cursor")
    if cursor in seen:
        raise ZendeskUnavailable(f"GET {path} sent the same cursor twice")
    seen.add(cursor)
    return cursor


def cursor_from_next_link(body: JsonObject) -> str | None:
    # Only the cursor is taken from links.next, never its host: credentials stay on base_url.
    links = body.get("links")
    url = links.get("next") if isinstance(links, dict) else None
    if not isinstance(url, str):
        return None
    values = parse_qs(urlsplit(url).query).get("page[after]")
    return values[0] if values else None
