"""ZendeskClient against respx: pagination, sideloads, early stop, and the other resources."""

from __future__ import annotations

import contextlib
import logging
from datetime import timedelta
from typing import Any

import httpx
import pytest
import respx

from backend.zendesk.client import base_url_for
from backend.zendesk.errors import ZendeskError, ZendeskNotFound, ZendeskUnavailable

from .conftest import BASE, NOW, make_client, metric_set, page, ticket

pytestmark = pytest.mark.anyio

TICKETS = "/api/v2/organizations/42/tickets"
LONG_AGO = NOW - timedelta(days=365)


def by_cursor(pages: dict[str | None, dict[str, Any]]) -> Any:
    """A side effect answering each request with the page for its `page[after]` cursor."""

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=pages[request.url.params.get("page[after]")])

    return answer


async def test_follows_the_cursor_until_has_more_is_false() -> None:
    pages = {
        None: page([ticket(1), ticket(2)], has_more=True, after="c1"),
        "c1": page([ticket(3)], has_more=True, after="c2"),
        "c2": page([ticket(4)], has_more=False, after="c3"),  # links.next still present
    }
    with respx.mock(base_url=BASE) as mock:
        route = mock.get(TICKETS).mock(side_effect=by_cursor(pages))
        async with make_client() as client:
            tickets = await client.fetch_organization_tickets(42, updated_since=LONG_AGO)
    assert [t.id for t in tickets] == [1, 2, 3, 4]
    assert route.call_count == 3
    first = route.calls[0].request.url.params
    assert first["page[size]"] == "100"
    assert first["sort"] == "-updated_at"
    assert first["include"] == "metric_sets"
    assert client.stats.requests == 3
    assert client.stats.by_kind["tickets_page"] == 3


async def test_cursor_taken_from_links_next_when_meta_lacks_it() -> None:
    first = page([ticket(1)], has_more=True, after="c1")
    del first["meta"]["after_cursor"]
    pages = {None: first, "c1": page([ticket(2)], has_more=False)}
    with respx.mock(base_url=BASE) as mock:
        mock.get(TICKETS).mock(side_effect=by_cursor(pages))
        async with make_client() as client:
            tickets = await client.fetch_organization_tickets(42, updated_since=LONG_AGO)
    assert [t.id for t in tickets] == [1, 2]


async def test_has_more_without_a_cursor_or_with_a_repeated_one_is_an_error() -> None:
    stuck = page([ticket(1)], has_more=True, after="same")
    with respx.mock(base_url=BASE) as mock:
        mock.get(TICKETS).respond(json=stuck)
        async with make_client() as client:
            with pytest.raises(ZendeskUnavailable, match="same cursor"):
                await client.fetch_organization_tickets(42, updated_since=LONG_AGO)
    lost = {"tickets": [ticket(1)], "meta": {"has_more": True}}
    with respx.mock(base_url=BASE) as mock:
        mock.get(TICKETS).respond(json=lost)
        async with make_client() as client:
            with pytest.raises(ZendeskUnavailable, match="no cursor"):
                await client.fetch_organization_tickets(42, updated_since=LONG_AGO)


async def test_top_level_metric_sets_are_joined_on_ticket_id() -> None:
    body = page(
        [ticket(1), ticket(2), ticket(3)],
        has_more=False,
        metric_sets=[metric_set(2, replies=5), metric_set(1, replies=1), {"ticket_id": None}],
    )
    with respx.mock(base_url=BASE) as mock:
        mock.get(TICKETS).respond(json=body)
        async with make_client() as client:
            tickets = await client.fetch_organization_tickets(42, updated_since=LONG_AGO)
    replies = {t.id: (t.has_metrics, t.replies) for t in tickets}
    assert replies == {1: (True, 1), 2: (True, 5), 3: (False, None)}


async def test_embedded_metric_set_inside_each_ticket() -> None:
    body = page([ticket(1, metric_set=metric_set(1, replies=3)), ticket(2)], has_more=False)
    with respx.mock(base_url=BASE) as mock:
        mock.get(TICKETS).respond(json=body)
        async with make_client() as client:
            tickets = await client.fetch_organization_tickets(42, updated_since=LONG_AGO)
    assert [(t.has_metrics, t.replies) for t in tickets] == [(True, 3), (False, None)]


async def test_stops_at_the_first_page_reaching_before_updated_since() -> None:
    since = NOW - timedelta(minutes=150)
    pages = {
        None: page([ticket(1, 0), ticket(2, 100)], has_more=True, after="c1"),
        "c1": page([ticket(3, 140), ticket(4, 150), ticket(5, 200)], has_more=True, after="c2"),
        "c2": page([ticket(6, 300)], has_more=False),
    }
    with respx.mock(base_url=BASE) as mock:
        route = mock.get(TICKETS).mock(side_effect=by_cursor(pages))
        async with make_client() as client:
            tickets = await client.fetch_organization_tickets(42, updated_since=since)
    # Ticket 4 was updated exactly at the mark: kept (a same-second update must not be lost).
    assert [t.id for t in tickets] == [1, 2, 3, 4]
    assert route.call_count == 2


async def test_a_server_ignoring_the_sort_is_read_to_the_end() -> None:
    since = NOW - timedelta(minutes=150)
    pages = {  # id order, as a server that ignores sort=-updated_at would answer
        None: page([ticket(1, 300), ticket(2, 10)], has_more=True, after="c1"),
        "c1": page([ticket(3, 500), ticket(4, 20)], has_more=True, after="c2"),
        "c2": page([ticket(5, 5)], has_more=False),
    }
    with respx.mock(base_url=BASE) as mock:
        route = mock.get(TICKETS).mock(side_effect=by_cursor(pages))
        async with make_client() as client:
            tickets = await client.fetch_organization_tickets(42, updated_since=since)
    assert sorted(t.id for t in tickets) == [2, 4, 5]
    assert route.call_count == 3


async def test_warm_refresh_with_nothing_new_costs_one_call() -> None:
    pages = {None: page([ticket(1, 5), ticket(2, 10)], has_more=True, after="c1")}
    with respx.mock(base_url=BASE) as mock:
        route = mock.get(TICKETS).mock(side_effect=by_cursor(pages))
        async with make_client() as client:
            tickets = await client.fetch_organization_tickets(42, updated_since=NOW)
    assert tickets == []
    assert route.call_count == 1


async def test_naive_updated_since_is_read_as_utc() -> None:
    pages = {None: page([ticket(1, 5)], has_more=False)}
    with respx.mock(base_url=BASE) as mock:
        mock.get(TICKETS).mock(side_effect=by_cursor(pages))
        async with make_client() as client:
            tickets = await client.fetch_organization_tickets(
                42, updated_since=(NOW - timedelta(minutes=10)).replace(tzinfo=None)
            )
    assert [t.id for t in tickets] == [1]


async def test_on_page_reports_progress_sync_and_async() -> None:
    pages = {
        None: page([ticket(1), ticket(2)], has_more=True, after="c1"),
        "c1": page([ticket(3)], has_more=False),
    }
    seen: list[int] = []
    seen_async: list[int] = []

    async def report(fetched: int, _oldest: object) -> None:
        seen_async.append(fetched)

    with respx.mock(base_url=BASE) as mock:
        mock.get(TICKETS).mock(side_effect=by_cursor(pages))
        async with make_client() as client:
            await client.fetch_organization_tickets(
                42, updated_since=LONG_AGO, on_page=lambda n, _oldest: seen.append(n)
            )
            await client.fetch_organization_tickets(42, updated_since=LONG_AGO, on_page=report)
    assert seen == seen_async == [2, 3]


async def test_numeric_custom_fields_are_kept(caplog: pytest.LogCaptureFixture) -> None:
    body = page([ticket(1, custom_fields=[{"id": 77, "value": "600"}])], has_more=False)
    with respx.mock(base_url=BASE) as mock:
        mock.get(TICKETS).respond(json=body)
        async with make_client() as client:
            tickets = await client.fetch_organization_tickets(42, updated_since=LONG_AGO)
    assert tickets[0].custom_fields == {77: 600}


async def test_a_malformed_ticket_is_skipped_with_a_log_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    body = page([ticket(1), ticket(2, created_at="garbage"), "junk", ticket(3)], has_more=False)
    with respx.mock(base_url=BASE) as mock:
        mock.get(TICKETS).respond(json=body)
        async with make_client() as client:
            with caplog.at_level(logging.WARNING, logger="backend.zendesk"):
                tickets = await client.fetch_organization_tickets(42, updated_since=LONG_AGO)
    assert [t.id for t in tickets] == [1, 3]
    assert "created_at" in caplog.text
    assert "not an object" in caplog.text


async def test_duplicates_across_pages_are_kept_once() -> None:
    pages = {
        None: page([ticket(1), ticket(2)], has_more=True, after="c1"),
        "c1": page([ticket(2), ticket(3)], has_more=False),
    }
    with respx.mock(base_url=BASE) as mock:
        mock.get(TICKETS).mock(side_effect=by_cursor(pages))
        async with make_client() as client:
            tickets = await client.fetch_organization_tickets(42, updated_since=LONG_AGO)
    assert [t.id for t in tickets] == [1, 2, 3]


async def test_get_organization() -> None:
    body = {"organization": {"id": 42, "name": "Acme", "organization_fields": {"tier": "gold"}}}
    with respx.mock(base_url=BASE) as mock:
        mock.get("/api/v2/organizations/42").respond(json=body)
        async with make_client() as client:
            org = await client.get_organization(42)
    assert (org.id, org.name, org.fields["tier"]) == (42, "Acme", "gold")
    assert client.stats.by_kind["organization"] == 1


async def test_missing_organization_is_not_found_naming_it() -> None:
    with respx.mock(base_url=BASE) as mock:
        mock.get("/api/v2/organizations/42").respond(
            404, json={"error": "RecordNotFound", "description": "Not found"}
        )
        async with make_client() as client:
            with pytest.raises(ZendeskNotFound, match="organization 42") as caught:
                await client.get_organization(42)
    assert caught.value.resource == "organization 42"


async def test_count_organization_tickets() -> None:
    body = {"count": {"value": 102, "refreshed_at": "2020-04-06T02:18:17Z"}}
    with respx.mock(base_url=BASE) as mock:
        mock.get(f"{TICKETS}/count").respond(json=body)
        async with make_client() as client:
            assert await client.count_organization_tickets(42) == 102


async def test_installations_are_listed_with_every_app() -> None:
    body = {
        "installations": [
            {"id": 9, "app_id": 1, "settings": {"window_days": "60"}, "enabled": True},
            {"id": 10, "app_id": 2, "settings": {"token_field": "x"}},
            "junk",
        ]
    }
    with respx.mock(base_url=BASE) as mock:
        mock.get("/api/v2/apps/installations").respond(json=body)
        async with make_client() as client:
            listed = await client.list_installations()
    assert [i["id"] for i in listed] == [9, 10]


async def test_organization_export_page_separates_deleted_ones() -> None:
    body = {
        "organizations": [
            {"id": 1, "name": "Kept", "tags": ["VIP", " churned "], "organization_fields": {}},
            {"id": 2, "name": "Gone", "deleted_at": "2026-11-01T00:00:00Z"},
            {"id": "x"},
        ],
        "end_time": 1700000000,
        "next_page": "https://example.zendesk.com/api/v2/incremental/organizations?start_time=1",
        "end_of_stream": True,
    }
    with respx.mock(base_url=BASE) as mock:
        route = mock.get("/api/v2/incremental/organizations").respond(json=body)
        async with make_client() as client:
            result = await client.incremental_organizations(5)
    assert route.calls.last.request.url.params["start_time"] == "5"
    assert [o.id for o in result.organizations] == [1]
    assert result.organizations[0].tags == ("vip", "churned")
    assert result.deleted == [2]
    assert (result.end_time, result.end_of_stream) == (1700000000, True)


async def test_me() -> None:
    with respx.mock(base_url=BASE) as mock:
        mock.get("/api/v2/users/me").respond(json={"user": {"id": 1, "role": "admin"}})
        async with make_client() as client:
            assert (await client.me())["role"] == "admin"


async def test_iter_organizations_follows_the_cursor() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        after = request.url.params.get("page[after]")
        if after is None:
            return httpx.Response(
                200,
                json={
                    "organizations": [{"id": 1, "name": "A"}, {"name": "no id"}],
                    "meta": {"has_more": True, "after_cursor": "o1"},
                },
            )
        return httpx.Response(
            200,
            json={
                "organizations": [{"id": 2, "name": "B"}],
                "meta": {"has_more": False, "after_cursor": "o2"},
                "links": {"next": f"{BASE}/api/v2/organizations?page%5Bafter%5D=o2"},
            },
        )

    with respx.mock(base_url=BASE) as mock:
        route = mock.get("/api/v2/organizations").mock(side_effect=answer)
        async with make_client() as client:
            names = [org.name async for org in client.iter_organizations()]
    assert names == ["A", "B"]
    assert route.call_count == 2
    assert route.calls[0].request.url.params["page[size]"] == "100"


async def test_incremental_tickets_page() -> None:
    body = {
        "tickets": [
            {**ticket(1), "organization_id": 42},
            {**ticket(2), "organization_id": None},
            {"id": None},
        ],
        "metric_sets": [metric_set(1, replies=2)],
        "after_cursor": "next-cursor",
        "end_of_stream": False,
    }
    with respx.mock(base_url=BASE) as mock:
        route = mock.get("/api/v2/incremental/tickets/cursor").respond(json=body)
        async with make_client() as client:
            first = await client.incremental_tickets(start_time=1_700_000_000)
            await client.incremental_tickets(cursor="next-cursor")
    assert [(org, t.id, t.replies) for org, t in first.tickets] == [(42, 1, 2), (None, 2, None)]
    assert (first.after_cursor, first.end_of_stream) == ("next-cursor", False)
    params = [call.request.url.params for call in route.calls]
    assert params[0]["start_time"] == "1700000000"
    assert params[0]["include"] == "metric_sets"
    assert params[1]["cursor"] == "next-cursor" and "start_time" not in params[1]
    assert client.stats.by_kind["incremental"] == 2


async def test_incremental_tickets_needs_a_start() -> None:
    async with make_client() as client:
        with pytest.raises(ValueError, match="start_time"):
            await client.incremental_tickets()


def test_base_url_for() -> None:
    assert base_url_for("acme") == "https://acme.zendesk.com"
    assert base_url_for(" Acme ", None) == "https://acme.zendesk.com"
    assert base_url_for("acme", "http://127.0.0.1:8123/") == "http://127.0.0.1:8123"
    for bad in ("", None, "acme.evil.com", "a/b"):
        with pytest.raises(ValueError, match="ZENDESK_SUBDOMAIN"):
            base_url_for(bad)
    with pytest.raises(ValueError, match="ZENDESK_URL"):
        base_url_for("acme", "ftp://x")


GARBAGE_BODIES: list[Any] = [
    b"<html>Bad gateway</html>",
    b"{truncated",
    b"",
    b"null",
    b"[]",
    b"[1, 2]",
    b'"text"',
    b"42",
    b'{"tickets": "many"}',
    b'{"tickets": null}',
    b'{"tickets": [1, null, "x", {"id": "abc"}, {"id": 5}], "meta": "x"}',
    b'{"tickets": [], "meta": {"has_more": "yes"}, "metric_sets": {"a": 1}}',
    b'{"organization": [], "count": {"value": "lots"}, "settings": 3}',
    b'{"organization": {"id": "x"}, "count": null, "installation": 4, "user": []}',
    b'{"organizations": [null, {"id": 1}], "meta": {"has_more": true}}',
]


@pytest.mark.parametrize("body", GARBAGE_BODIES)
async def test_garbage_never_escapes_as_anything_but_a_zendesk_error(body: bytes) -> None:
    calls = [
        lambda c: c.fetch_organization_tickets(42, updated_since=LONG_AGO),
        lambda c: c.get_organization(42),
        lambda c: c.count_organization_tickets(42),
        lambda c: c.list_installations(),
        lambda c: c.incremental_organizations(1),
        lambda c: c.me(),
        lambda c: c.incremental_tickets(start_time=1),
        lambda c: _drain(c.iter_organizations()),
    ]
    with respx.mock(base_url=BASE) as mock:
        mock.route().respond(200, content=body, headers={"Content-Type": "application/json"})
        async with make_client(max_attempts=2) as client:
            for call in calls:
                with contextlib.suppress(ZendeskError):
                    await call(client)


async def _drain(iterator: Any) -> list[Any]:
    return [item async for item in iterator]
