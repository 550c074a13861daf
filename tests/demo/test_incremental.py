"""The incremental exports over HTTP: the cursor ticket export and the time-based organization
export, their options, the rate-limit bucket they share, and the most recent minute."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from backend.demo import DemoAccount, RateLimits, generate_account
from backend.demo.incremental import time_page
from backend.demo.pagination import encode_cursor

from .conftest import BEARER, NOW, ROOMY

TICKETS = "/api/v2/incremental/tickets/cursor.json"
ORGANIZATIONS = "/api/v2/incremental/organizations.json"


@pytest.fixture
def live_account() -> DemoAccount:
    """A small account the test may change."""
    return generate_account(now=NOW, organizations=4, scale=0.05)


@pytest.fixture
def client(serve: Callable[..., str], live_account: DemoAccount) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=serve(live_account, rate_limits=ROOMY), headers=BEARER) as c:
        yield c


def _walk(client: httpx.Client, url: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Every ticket from `url` to the end of the stream, and the last page."""
    tickets: list[dict[str, Any]] = []
    while True:
        body = client.get(url).json()
        tickets.extend(body["tickets"])
        if body["end_of_stream"]:
            return tickets, body
        url = body["after_url"]


def _visible_ticket(account: DemoAccount, position: int = -1) -> int:
    org_id = next(i for i in account.organization_ids if account.listed_ticket_count(i))
    return account.listed_ticket_records(org_id)[position].id


# --- tickets ---------------------------------------------------------------------------------


def test_per_page_and_generated_timestamp(client: httpx.Client, live_account: DemoAccount) -> None:
    body = client.get(f"{TICKETS}?start_time=0&per_page=7&include=metric_sets").json()
    assert len(body["tickets"]) == 7 and body["end_of_stream"] is False
    assert "per_page=7" in body["after_url"] and "include=metric_sets" in body["after_url"]
    tickets, last = _walk(client, body["after_url"])
    tickets = body["tickets"] + tickets
    assert len(tickets) == sum(live_account.ticket_count(i) for i in live_account.organization_ids)
    assert len({t["id"] for t in tickets}) == len(tickets)
    stamps = [t["generated_timestamp"] for t in tickets]
    assert stamps == sorted(stamps)
    for ticket in tickets[:20]:
        record = live_account.ticket_record(ticket["id"])
        assert record is not None and ticket["generated_timestamp"] == record.updated_at
    assert last["before_cursor"] is None and last["before_url"] is None


@pytest.mark.parametrize(
    "query",
    [
        "start_time=0&per_page=0",
        "start_time=0&per_page=1001",
        "start_time=0&per_page=many",
        "start_time=yesterday",
        "start_time=0&exclude_deleted=maybe",
        "cursor=not-a-cursor",
        f"cursor={encode_cursor('export', (5, 0, 999_999_999_999))}",  # no such ticket
        f"cursor={encode_cursor('export', (5, 0, 42))}",
        f"cursor={encode_cursor('export', (5, -1, 10_000_001))}",
        f"cursor={encode_cursor('export', (5, 10_000_001))}",
        f"cursor={encode_cursor('organizations', (5, 0, 10_000_001))}",
        "",
    ],
)
def test_bad_export_parameters_are_400(client: httpx.Client, query: str) -> None:
    response = client.get(f"{TICKETS}?{query}")
    assert response.status_code == 400
    assert response.json()["description"]


def test_a_deleted_ticket_is_gone_but_exported_as_deleted(
    client: httpx.Client, live_account: DemoAccount
) -> None:
    ticket_id = _visible_ticket(live_account)
    org_id = live_account.ticket_record(ticket_id).organization_id  # type: ignore[union-attr]
    count_url = f"/api/v2/organizations/{org_id}/tickets/count"
    before = client.get(count_url).json()["count"]["value"]
    _, end = _walk(client, f"{TICKETS}?start_time=0")

    assert client.delete(f"/api/v2/tickets/{ticket_id}.json").status_code == 204
    assert client.get(f"/api/v2/tickets/{ticket_id}").status_code == 404
    assert client.get(f"/api/v2/tickets/{ticket_id}/metrics").status_code == 404
    assert client.delete(f"/api/v2/tickets/{ticket_id}").status_code == 404
    listed = client.get(f"/api/v2/organizations/{org_id}/tickets?per_page=100").json()
    assert ticket_id not in {t["id"] for t in listed["tickets"]}
    assert client.get(count_url).json()["count"]["value"] == before - 1

    news, _ = _walk(client, end["after_url"])
    assert [(t["id"], t["status"]) for t in news] == [(ticket_id, "deleted")]
    assert news[0]["generated_timestamp"] >= int(time.time()) - 5
    excluded, _ = _walk(client, end["after_url"] + "&exclude_deleted=true")
    assert excluded == []
    everything, _ = _walk(client, f"{TICKETS}?start_time=0&exclude_deleted=true")
    assert ticket_id not in {t["id"] for t in everything}


def test_a_change_within_the_cursor_second_is_not_missed(
    client: httpx.Client, live_account: DemoAccount
) -> None:
    """A cursor at a change made this second still sees a later change to a lower id."""
    high, low = _visible_ticket(live_account, -1), _visible_ticket(live_account, 0)
    assert low < high
    for _ in range(5):  # until both changes fall into the same second
        first = client.put(f"/api/v2/tickets/{high}", json={"ticket": {"priority": "high"}})
        _, end = _walk(client, f"{TICKETS}?start_time=0")
        second = client.put(f"/api/v2/tickets/{low}", json={"ticket": {"priority": "low"}})
        news, _ = _walk(client, end["after_url"])
        assert [t["id"] for t in news] == [low]
        if first.json()["ticket"]["updated_at"] == second.json()["ticket"]["updated_at"]:
            return
    pytest.fail("could not make two changes within one second")


def test_resuming_an_exhausted_cursor_keeps_the_cursor(client: httpx.Client) -> None:
    _, end = _walk(client, f"{TICKETS}?start_time=0")
    again = client.get(end["after_url"]).json()
    assert again["tickets"] == [] and again["end_of_stream"] is True
    assert again["after_cursor"] == end["after_cursor"]
    recent = client.get(f"{TICKETS}?start_time={int(time.time()) - 1}").json()
    assert recent["tickets"] == [] and recent["after_cursor"]
    future = client.get(f"{TICKETS}?start_time={int(time.time()) + 60}")
    assert future.status_code == 400
    assert future.json()["description"].endswith("must not be in the future")


def test_the_most_recent_changes_wait_for_the_lag(
    serve: Callable[..., str], live_account: DemoAccount
) -> None:
    url = serve(live_account, rate_limits=ROOMY, export_lag_seconds=2)
    ticket_id = _visible_ticket(live_account)
    with httpx.Client(base_url=url, headers=BEARER) as client:
        _, end = _walk(client, f"{TICKETS}?start_time=0")
        client.put(f"/api/v2/tickets/{ticket_id}", json={"ticket": {"status": "pending"}})
        hidden, _ = _walk(client, end["after_url"])
        assert hidden == []
        time.sleep(3)
        shown, _ = _walk(client, end["after_url"])
        assert [(t["id"], t["status"]) for t in shown] == [(ticket_id, "pending")]


def test_zendesks_minute_refuses_a_start_time_inside_it(
    serve: Callable[..., str], live_account: DemoAccount
) -> None:
    url = serve(live_account, rate_limits=ROOMY, export_lag_seconds=60)
    now = int(time.time())
    with httpx.Client(base_url=url, headers=BEARER) as client:
        for path in (TICKETS, ORGANIZATIONS):
            refused = client.get(f"{path}?start_time={now - 30}")
            assert refused.status_code == 400
            assert "60 seconds" in refused.json()["description"]
            assert client.get(f"{path}?start_time={now - 120}").status_code == 200
        ticket_id = _visible_ticket(live_account)
        client.put(f"/api/v2/tickets/{ticket_id}", json={"ticket": {"status": "pending"}})
        tickets, _ = _walk(client, f"{TICKETS}?start_time=0")
        assert ticket_id not in {t["id"] for t in tickets}
        assert (
            len(tickets)
            == sum(live_account.ticket_count(i) for i in live_account.organization_ids) - 1
        )


@pytest.mark.parametrize(("limit", "total"), [(None, 10), (30, 30)])
def test_the_export_bucket_and_its_header(
    serve: Callable[..., str], live_account: DemoAccount, limit: int | None, total: int
) -> None:
    """10 export requests a minute, 30 with High Volume; both exports draw on one bucket."""
    limits = RateLimits() if limit is None else RateLimits(incremental_exports=limit)
    with httpx.Client(base_url=serve(live_account, rate_limits=limits), headers=BEARER) as c:
        headers = [
            c.get(path).headers["zendesk-ratelimit-incremental-exports"]
            for path in (f"{TICKETS}?start_time=0&per_page=1", f"{ORGANIZATIONS}?start_time=0")
        ]
        assert headers[0].startswith(f"total={total}; remaining={total - 1}; resets=")
        assert headers[1].startswith(f"total={total}; remaining={total - 2}; resets=")
        for _ in range(total - 2):
            assert c.get(f"{ORGANIZATIONS}?start_time=0").status_code == 200
        limited = c.get(f"{TICKETS}?start_time=0")
        assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
        assert c.get("/api/v2/users/me").status_code == 200  # the account budget is apart


# --- organizations ---------------------------------------------------------------------------


def test_the_organization_export_pages_by_time(
    small_api: httpx.Client, small_account: DemoAccount
) -> None:
    seen: dict[int, dict[str, Any]] = {}
    url = f"{ORGANIZATIONS}?start_time=0&per_page=3"
    pages = 0
    while True:
        body = small_api.get(url).json()
        pages += 1
        assert body["count"] == len(body["organizations"]) >= 3 or body["end_of_stream"]
        times = [o["updated_at"] for o in body["organizations"]]
        assert times == sorted(times)
        seen.update((o["id"], o) for o in body["organizations"])
        if body["end_of_stream"]:
            break
        assert f"start_time={body['end_time']}" in body["next_page"]
        url = body["next_page"]
    assert sorted(seen) == sorted(small_account.organization_ids)
    assert pages == 4  # 8 organizations, 3 a page, each page repeating the one before's last
    assert all(o["deleted_at"] is None for o in seen.values())
    assert small_api.get(f"{ORGANIZATIONS}?per_page=3").status_code == 400
    assert small_api.get(f"{ORGANIZATIONS}?start_time=0&per_page=1001").status_code == 400


def test_a_second_is_never_split_across_organization_pages(client: httpx.Client) -> None:
    start = int(time.time())
    for _ in range(5):  # until three organizations share their second
        ids = [
            client.post("/api/v2/organizations", json={"organization": {"name": f"Org {n}"}})
            for n in range(start % 1000 * 3, start % 1000 * 3 + 3)
        ]
        created = [r.json()["organization"] for r in ids]
        if len({o["updated_at"] for o in created}) == 1:
            break
        start += 1
    else:
        pytest.fail("could not create three organizations within one second")
    body = client.get(f"{ORGANIZATIONS}?start_time={start - 1}&per_page=1").json()
    assert {o["id"] for o in created} <= {o["id"] for o in body["organizations"]}
    assert body["count"] >= 3


def test_time_pages_follow_zendesk_and_always_progress() -> None:
    times = [3, 5, 5, 7, 9, 9, 9, 12]
    # A page never splits a second, so it may hold more than per_page items.
    first = time_page(times, 0, 2, until=100)
    assert (first.start, first.end, first.end_time, first.end_of_stream) == (0, 3, 5, False)
    # The next page starts at end_time: that second again (clients dedupe), then onwards.
    second = time_page(times, first.end_time, 3, until=100)
    assert (second.start, second.end, second.end_time) == (1, 4, 7)
    # A page that is one second only ends a second later, or the next page would be the same.
    third = time_page(times, 9, 2, until=100)
    assert (third.start, third.end, third.end_time, third.end_of_stream) == (4, 7, 10, False)
    last = time_page(times, 10, 5, until=100)
    assert (last.start, last.end, last.end_time, last.end_of_stream) == (7, 8, 12, True)
    held_back = time_page(times, 0, 10, until=9)
    assert (held_back.end, held_back.end_time, held_back.end_of_stream) == (7, 9, True)
    empty = time_page(times, 13, 10, until=100)
    assert (empty.start, empty.end, empty.end_time, empty.end_of_stream) == (8, 8, 13, True)
