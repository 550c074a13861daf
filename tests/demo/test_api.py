"""The demo's Zendesk API over real HTTP: envelopes, pagination, sideloads, auth, settings."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from backend.demo import DemoAccount, DemoCredentials, RateLimits, generate_account

from .conftest import BEARER


def biggest_organization(account: DemoAccount) -> int:
    return max(account.organization_ids, key=account.ticket_count)


def small_organization(account: DemoAccount) -> int:
    """An organization listing a few hundred tickets (several pages, quick to walk)."""
    return next(i for i in account.organization_ids if 150 <= account.listed_ticket_count(i) <= 600)


def walk(client: httpx.Client, url: str) -> list[dict[str, Any]]:
    """Follow links.next while meta.has_more, as a correct client does; returns every page."""
    pages = []
    while True:
        response = client.get(url)
        assert response.status_code == 200, response.text
        pages.append(response.json())
        if not pages[-1]["meta"]["has_more"]:
            return pages
        url = pages[-1]["links"]["next"]


# --- envelopes -----------------------------------------------------------------------------------


def test_users_me_is_the_admin(api: httpx.Client) -> None:
    user = api.get("/api/v2/users/me.json").json()["user"]
    assert user["role"] == "admin"
    assert user["email"] == "admin@acme-demo.example"


def test_path_and_path_json_answer_the_same(api: httpx.Client, account: DemoAccount) -> None:
    org_id = account.organization_ids[0]
    plain = api.get(f"/api/v2/organizations/{org_id}").json()
    suffixed = api.get(f"/api/v2/organizations/{org_id}.json").json()
    assert plain == suffixed
    organization = plain["organization"]
    assert organization["id"] == org_id
    assert set(organization["organization_fields"]) >= {"csm"}


def test_unknown_organization_is_404_record_not_found(api: httpx.Client) -> None:
    response = api.get("/api/v2/organizations/42.json")
    assert response.status_code == 404
    assert response.json() == {"error": "RecordNotFound", "description": "Not found"}
    assert api.get("/api/v2/organizations/42/tickets.json").status_code == 404


def test_ticket_count_envelope(api: httpx.Client, account: DemoAccount) -> None:
    org_id = small_organization(account)
    count = api.get(f"/api/v2/organizations/{org_id}/tickets/count.json").json()["count"]
    # Archived tickets are left out, as from the list the count is the total of.
    assert count["value"] == account.listed_ticket_count(org_id) < account.ticket_count(org_id)
    assert count["refreshed_at"].endswith("Z")


def test_organization_fields_and_ticket_fields(api: httpx.Client) -> None:
    fields = api.get("/api/v2/organization_fields").json()["organization_fields"]
    assert {f["key"]: f["type"] for f in fields} == {
        "annual_revenue": "decimal",
        "csm": "text",
        "churned_on": "date",
        "health_goal": "integer",
    }
    titles = {f["id"]: f["title"] for f in api.get("/api/v2/ticket_fields").json()["ticket_fields"]}
    assert titles[360000001] == "Total time spent (sec)"


# --- cursor pagination ---------------------------------------------------------------------------


def test_organizations_paginate_to_the_end_with_the_last_page_links_quirk(
    api: httpx.Client, account: DemoAccount
) -> None:
    pages = walk(api, f"{api.base_url}/api/v2/organizations.json?page[size]=25")
    ids = [org["id"] for page in pages for org in page["organizations"]]
    assert ids == sorted(account.organization_ids)
    assert len(pages) == 3
    last = pages[-1]
    assert last["meta"]["has_more"] is False
    assert last["links"]["next"] is not None  # real Zendesk keeps a next link on the last page
    assert "count" not in last
    following = api.get(last["links"]["next"]).json()
    assert following["organizations"] == []
    assert following["meta"] == {"has_more": False, "after_cursor": None, "before_cursor": None}


def test_page_before_goes_back(api: httpx.Client) -> None:
    first = api.get("/api/v2/organizations.json?page[size]=10").json()
    second = api.get(first["links"]["next"]).json()
    back = api.get(second["links"]["prev"]).json()
    assert [o["id"] for o in back["organizations"]] == [o["id"] for o in first["organizations"]]


def test_page_size_above_100_is_400(api: httpx.Client, account: DemoAccount) -> None:
    response = api.get("/api/v2/organizations.json?page[size]=101")
    assert response.status_code == 400
    assert response.json()["error"] == "InvalidPaginationParameter"
    org_id = account.organization_ids[0]
    assert api.get(f"/api/v2/organizations/{org_id}/tickets?page[size]=500").status_code == 400


def test_offset_pagination_without_page_size(api: httpx.Client) -> None:
    body = api.get("/api/v2/organizations.json?per_page=50").json()
    assert len(body["organizations"]) == 50
    assert body["count"] == 60
    assert body["previous_page"] is None
    rest = api.get(body["next_page"]).json()
    assert len(rest["organizations"]) == 10
    assert rest["next_page"] is None


@pytest.mark.parametrize("sort", ["-updated_at", "updated_at", "id", "-id"])
def test_organization_tickets_walk_in_sort_order(
    api: httpx.Client, account: DemoAccount, sort: str
) -> None:
    org_id = small_organization(account)
    url = f"{api.base_url}/api/v2/organizations/{org_id}/tickets.json?page[size]=100&sort={sort}"
    tickets = [t for page in walk(api, url) for t in page["tickets"]]
    assert len(tickets) == account.listed_ticket_count(org_id)
    assert len({t["id"] for t in tickets}) == len(tickets)
    field = "id" if sort.endswith("id") else "updated_at"
    values = [(t[field], t["id"]) for t in tickets]
    assert values == sorted(values, reverse=sort.startswith("-"))


def test_unknown_sort_is_400(api: httpx.Client, account: DemoAccount) -> None:
    org_id = account.organization_ids[0]
    assert api.get(f"/api/v2/organizations/{org_id}/tickets?sort=subject").status_code == 400


def test_tickets_look_like_zendesk_tickets(api: httpx.Client, account: DemoAccount) -> None:
    org_id = biggest_organization(account)
    url = f"/api/v2/organizations/{org_id}/tickets.json?page[size]=100&sort=id"
    tickets = api.get(url).json()["tickets"]
    statuses = {t["status"] for t in tickets}
    assert "closed" in statuses
    for ticket in tickets:
        assert ticket["organization_id"] == org_id
        time_field = next(f for f in ticket["custom_fields"] if f["id"] == 360000001)
        assert time_field["value"] is None or isinstance(time_field["value"], str)
        rating = ticket["satisfaction_rating"]
        assert rating is None or rating["score"] in ("offered", "unoffered", "good", "bad")


# --- metric sets ---------------------------------------------------------------------------------


def test_include_metric_sets_top_level(api: httpx.Client, account: DemoAccount) -> None:
    org_id = small_organization(account)
    url = f"/api/v2/organizations/{org_id}/tickets.json?page[size]=100&include=metric_sets"
    body = api.get(url).json()
    ticket_ids = {t["id"] for t in body["tickets"]}
    metric_ids = {m["ticket_id"] for m in body["metric_sets"]}
    assert metric_ids <= ticket_ids
    assert len(metric_ids) >= 0.9 * len(ticket_ids)
    assert all("metric_set" not in t for t in body["tickets"])
    metric = body["metric_sets"][0]
    assert set(metric["reply_time_in_minutes"]) == {"business", "calendar"}


def test_without_include_there_are_no_metric_sets(api: httpx.Client, account: DemoAccount) -> None:
    org_id = small_organization(account)
    body = api.get(f"/api/v2/organizations/{org_id}/tickets.json?page[size]=5").json()
    assert "metric_sets" not in body


def test_include_metric_sets_embedded(serve: Callable[..., str], account: DemoAccount) -> None:
    url = serve(account, metric_sets_style="embedded")
    org_id = small_organization(account)
    query = "page[size]=100&include=metric_sets"
    body = httpx.get(f"{url}/api/v2/organizations/{org_id}/tickets?{query}", headers=BEARER).json()
    assert "metric_sets" not in body
    embedded = [t["metric_set"] for t in body["tickets"]]
    pairs = zip(embedded, body["tickets"], strict=True)
    assert all(m is None or m["ticket_id"] == t["id"] for m, t in pairs)
    assert sum(m is not None for m in embedded) >= 0.9 * len(embedded) > 0


def test_unsolved_tickets_have_null_resolution_times(account: DemoAccount) -> None:
    org_id = biggest_organization(account)
    unsolved = [r for r in account.ticket_records(org_id) if r.status not in ("solved", "closed")]
    assert unsolved
    for record in unsolved:
        metric = account.metric_set(record)
        if metric is not None:
            assert metric["full_resolution_time_in_minutes"] == {
                "business": None,
                "calendar": None,
            }
            assert metric["solved_at"] is None


def test_ticket_metrics_endpoint(api: httpx.Client, account: DemoAccount) -> None:
    listed = account.listed_ticket_records(account.organization_ids[0])
    record = next(r for r in listed if r.metrics)
    body = api.get(f"/api/v2/tickets/{record.id}/metrics.json").json()
    assert body["ticket_metric"]["ticket_id"] == record.id


# --- auth ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong"},
        {
            "Authorization": "Basic "
            + base64.b64encode(b"admin@acme-demo.example/token:no").decode()
        },
        {"Authorization": "Basic !!!"},
    ],
)
def test_missing_or_wrong_auth_is_401(shared_url: str, headers: dict[str, str]) -> None:
    response = httpx.get(f"{shared_url}/api/v2/users/me.json", headers=headers)
    assert response.status_code == 401
    assert response.json() == {"error": "Couldn't authenticate you"}


def test_basic_api_token_auth(shared_url: str) -> None:
    credentials = DemoCredentials()
    auth = httpx.BasicAuth(f"{credentials.email}/token", credentials.api_token)
    assert httpx.get(f"{shared_url}/api/v2/users/me", auth=auth).status_code == 200


def test_client_credentials_token_works_until_it_expires(shared_url: str) -> None:
    credentials = DemoCredentials()
    grant = {
        "grant_type": "client_credentials",
        "client_id": credentials.client_id,
        "client_secret": credentials.client_secret,
        "scope": "read",
        "expires_in": 1,
    }
    response = httpx.post(f"{shared_url}/oauth/tokens", json=grant)
    assert response.status_code == 200
    token = response.json()
    assert token["token_type"] == "bearer"
    assert token["expires_in"] == 1
    assert token["scope"] == "read"
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    assert httpx.get(f"{shared_url}/api/v2/users/me", headers=headers).status_code == 200
    time.sleep(1.1)
    assert httpx.get(f"{shared_url}/api/v2/users/me", headers=headers).status_code == 401


def test_client_credentials_default_lifetime_and_bad_client(shared_url: str) -> None:
    credentials = DemoCredentials()
    grant = {
        "grant_type": "client_credentials",
        "client_id": credentials.client_id,
        "client_secret": credentials.client_secret,
    }
    token = httpx.post(f"{shared_url}/oauth/tokens", json=grant).json()
    assert token["expires_in"] == credentials.token_lifetime
    wrong = httpx.post(f"{shared_url}/oauth/tokens", json={**grant, "client_secret": "x"})
    assert wrong.status_code == 401
    assert wrong.json()["error"] == "invalid_client"
    password = httpx.post(f"{shared_url}/oauth/tokens", json={**grant, "grant_type": "password"})
    assert password.status_code == 400


# --- installation --------------------------------------------------------------------------------


def test_installation_is_unwrapped_with_string_settings(api: httpx.Client) -> None:
    installation = api.get("/api/v2/apps/installations/1001.json").json()
    assert installation["id"] == 1001
    assert "installation" not in installation
    settings = installation["settings"]
    assert all(isinstance(value, str) for value in settings.values())
    assert settings["window_days"] == "90"
    assert settings["time_spent_field_id"] == "360000001"
    assert "shared_secret" not in settings
    assert api.get("/api/v2/apps/installations/7.json").status_code == 404


def test_put_installation_updates_settings(serve: Callable[..., str]) -> None:
    account = generate_account(organizations=3)
    url = serve(account)
    with httpx.Client(base_url=url, headers=BEARER) as client:
        payload = {"settings": {"window_days": "abc", "weight_sla": 5, "shared_secret": "rotated"}}
        updated = client.put("/api/v2/apps/installations/1001.json", json=payload).json()
        assert updated["settings"]["window_days"] == "abc"
        again = client.get("/api/v2/apps/installations/1001").json()
        assert again["settings"]["window_days"] == "abc"
        assert again["settings"]["weight_sla"] == 5
        assert "shared_secret" not in again["settings"]
    assert account.shared_secret == "rotated"


# --- incremental export --------------------------------------------------------------------------


def test_incremental_export_reaches_end_of_stream(
    serve: Callable[..., str], fresh_account: DemoAccount
) -> None:
    url = serve(fresh_account, rate_limits=RateLimits(incremental_exports=1000))
    total = sum(fresh_account.ticket_count(i) for i in fresh_account.organization_ids)
    seen: list[dict[str, Any]] = []
    next_url = f"{url}/api/v2/incremental/tickets/cursor.json?start_time=0&include=metric_sets"
    with httpx.Client(headers=BEARER, timeout=30) as client:
        while True:
            body = client.get(next_url).json()
            seen.extend(body["tickets"])
            assert len(body["tickets"]) <= 1000
            assert {m["ticket_id"] for m in body["metric_sets"]} <= {
                t["id"] for t in body["tickets"]
            }
            assert body["before_cursor"] is None
            if body["end_of_stream"]:
                break
            next_url = body["after_url"]
        assert len(seen) == total
        stamps = [(t["generated_timestamp"], t["id"]) for t in seen]
        assert stamps == sorted(stamps)
        # Resuming from the last cursor later yields nothing new, and still a cursor.
        resumed = client.get(body["after_url"]).json()
        assert resumed["tickets"] == []
        assert resumed["end_of_stream"] is True
        assert resumed["after_cursor"]


def test_incremental_export_start_time_filters(api: httpx.Client, account: DemoAccount) -> None:
    start = account.anchor - 3 * 86400
    body = api.get(f"/api/v2/incremental/tickets/cursor?start_time={start}").json()
    assert body["tickets"]
    assert all(t["generated_timestamp"] >= start for t in body["tickets"])
    assert api.get("/api/v2/incremental/tickets/cursor").status_code == 400


# --- creating and updating tickets (warm refresh) ------------------------------------------------


def test_create_and_update_tickets_over_http(
    serve: Callable[..., str], fresh_account: DemoAccount
) -> None:
    url = serve(fresh_account)
    org_id = next(i for i in fresh_account.organization_ids if fresh_account.ticket_count(i))
    before = fresh_account.listed_ticket_count(org_id)
    with httpx.Client(base_url=url, headers=BEARER) as client:
        created = client.post(
            "/api/v2/tickets.json",
            json={
                "ticket": {
                    "organization_id": org_id,
                    "subject": "Printer on fire",
                    "status": "solved",
                    "priority": "urgent",
                    "satisfaction_rating": {"score": "bad", "comment": "slow"},
                    "custom_fields": [{"id": 360000001, "value": "900"}],
                    "metric_set": {
                        "replies": 3,
                        "reply_time_in_minutes": {"business": 90, "calendar": 120},
                        "full_resolution_time_in_minutes": {"business": 600, "calendar": 900},
                    },
                }
            },
        )
        assert created.status_code == 201
        ticket = created.json()["ticket"]
        assert ticket["organization_id"] == org_id
        assert ticket["satisfaction_rating"]["score"] == "bad"
        count = client.get(f"/api/v2/organizations/{org_id}/tickets/count").json()["count"]
        assert count["value"] == before + 1
        newest = client.get(
            f"/api/v2/organizations/{org_id}/tickets?page[size]=1&sort=-updated_at"
            "&include=metric_sets"
        ).json()
        assert newest["tickets"][0]["id"] == ticket["id"]
        assert newest["metric_sets"][0]["replies"] == 3

        old = client.get(f"/api/v2/organizations/{org_id}/tickets?page[size]=1&sort=id").json()
        old_ticket = old["tickets"][0]
        updated = client.put(
            f"/api/v2/tickets/{old_ticket['id']}.json", json={"ticket": {"status": "open"}}
        ).json()["ticket"]
        assert updated["status"] == "open"
        assert updated["updated_at"] > old_ticket["updated_at"]
        top = client.get(f"/api/v2/organizations/{org_id}/tickets?page[size]=2&sort=-updated_at")
        # Both changed within this second or two: the newest two, in either order.
        assert {t["id"] for t in top.json()["tickets"]} == {old_ticket["id"], ticket["id"]}

        assert client.put("/api/v2/tickets/1.json", json={"ticket": {}}).status_code == 404
        invalid = client.post("/api/v2/tickets", json={"ticket": {"organization_id": 42}})
        assert invalid.status_code == 422
        bad_status = client.put(
            f"/api/v2/tickets/{ticket['id']}", json={"ticket": {"status": "gone"}}
        )
        assert bad_status.status_code == 422
