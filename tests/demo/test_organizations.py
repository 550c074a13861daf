"""Organizations changing at runtime over HTTP: create, update, delete, and their tickets."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from backend.demo import DemoAccount, RateLimits, generate_account

from .conftest import BEARER, NOW


@pytest.fixture
def org_account() -> DemoAccount:
    return generate_account(now=NOW, organizations=3, scale=0.1)


@pytest.fixture
def client(serve: Callable[..., str], org_account: DemoAccount) -> Iterator[httpx.Client]:
    url = serve(org_account, rate_limits=RateLimits(incremental_exports=1000))
    with httpx.Client(base_url=url, headers=BEARER) as client:
        yield client


def _listed_ids(client: httpx.Client) -> list[int]:
    body = client.get("/api/v2/organizations?per_page=100").json()
    return [o["id"] for o in body["organizations"]]


def _exported(client: httpx.Client, start_time: int = 0) -> dict[int, dict[str, Any]]:
    body = client.get(f"/api/v2/incremental/organizations?start_time={start_time}").json()
    assert body["end_of_stream"] is True
    return {o["id"]: o for o in body["organizations"]}


def test_create_an_organization_and_a_ticket_for_it(client: httpx.Client) -> None:
    payload = {
        "organization": {
            "name": "Nova Robotics",
            "tags": ["Key Account", "beta"],
            "organization_fields": {"annual_revenue": "125000.50", "health_goal": 80},
        }
    }
    response = client.post("/api/v2/organizations.json", json=payload)
    assert response.status_code == 201
    org = response.json()["organization"]
    assert org["name"] == "Nova Robotics"
    assert org["tags"] == ["key_account", "beta"]  # Zendesk's tags: lower case, no spaces
    assert org["organization_fields"] == {
        "annual_revenue": "125000.50",
        "csm": None,
        "churned_on": None,
        "health_goal": 80,
    }
    assert org["created_at"] == org["updated_at"] and org["deleted_at"] is None
    assert org["id"] in _listed_ids(client)
    assert client.get(f"/api/v2/organizations/{org['id']}").json()["organization"] == org

    ticket = client.post(
        "/api/v2/tickets", json={"ticket": {"organization_id": org["id"], "status": "open"}}
    )
    assert ticket.status_code == 201
    listed = client.get(f"/api/v2/organizations/{org['id']}/tickets").json()["tickets"]
    assert [t["id"] for t in listed] == [ticket.json()["ticket"]["id"]]
    count = client.get(f"/api/v2/organizations/{org['id']}/tickets/count").json()["count"]
    assert count["value"] == 1
    assert org["id"] in _exported(client)


def test_update_an_organization(client: httpx.Client, org_account: DemoAccount) -> None:
    org_id = org_account.organization_ids[0]
    before = client.get(f"/api/v2/organizations/{org_id}").json()["organization"]
    time.sleep(1)  # updated_at has whole seconds
    payload = {
        "organization": {
            "name": "Renamed Ltd",
            "tags": ["customer", "churned"],
            "organization_fields": {"churned_on": "2026-10-01", "csm": None},
        }
    }
    updated = client.put(f"/api/v2/organizations/{org_id}.json", json=payload).json()
    org = updated["organization"]
    assert org["name"] == "Renamed Ltd" and org["tags"] == ["customer", "churned"]
    fields = org["organization_fields"]
    assert fields["churned_on"] == "2026-10-01T00:00:00+00:00"
    assert fields["csm"] is None  # null clears a field
    assert fields["annual_revenue"] == before["organization_fields"]["annual_revenue"]  # kept
    assert org["updated_at"] > before["updated_at"]
    assert client.get(f"/api/v2/organizations/{org_id}").json()["organization"] == org
    unknown = client.put("/api/v2/organizations/42", json={"organization": {"name": "x"}})
    assert unknown.status_code == 404


def test_delete_an_organization(client: httpx.Client, org_account: DemoAccount) -> None:
    org_id = org_account.organization_ids[1]
    mark = int(time.time())
    deleted = client.delete(f"/api/v2/organizations/{org_id}")
    assert deleted.status_code == 204 and deleted.content == b""
    assert org_id not in _listed_ids(client)
    assert client.get(f"/api/v2/organizations/{org_id}").status_code == 404
    assert client.get(f"/api/v2/organizations/{org_id}/tickets").status_code == 404
    assert client.get(f"/api/v2/organizations/{org_id}/tickets/count").status_code == 404
    assert client.delete(f"/api/v2/organizations/{org_id}").status_code == 404
    ticket = client.post("/api/v2/tickets", json={"ticket": {"organization_id": org_id}})
    assert ticket.status_code == 422

    exported = _exported(client, mark)
    assert list(exported) == [org_id]
    assert exported[org_id]["deleted_at"] is not None
    assert exported[org_id]["updated_at"] == exported[org_id]["deleted_at"]


@pytest.mark.parametrize(
    ("organization", "message"),
    [
        ({}, "name: required"),
        ({"name": "  "}, "name: required"),
        ({"name": "ACME INDUSTRIES"}, "name: has already been taken"),
        ({"name": "New", "tags": "vip"}, "tags: expected a list of words"),
        ({"name": "New", "organization_fields": {"arr": 1}}, "organization_fields.arr: no such"),
        ({"name": "New", "organization_fields": {"annual_revenue": "lots"}}, "not a number"),
        ({"name": "New", "organization_fields": {"annual_revenue": "NaN"}}, "not a number"),
        ({"name": "New", "organization_fields": {"health_goal": 7.5}}, "not a whole number"),
        ({"name": "New", "organization_fields": {"churned_on": "soon"}}, "not a date"),
        ({"name": "New", "organization_fields": []}, "organization_fields: expected an object"),
    ],
)
def test_a_bad_organization_is_422_naming_the_field(
    client: httpx.Client, org_account: DemoAccount, organization: dict[str, Any], message: str
) -> None:
    taken = org_account.organization(org_account.organization_ids[0])["name"]
    if organization.get("name") == "ACME INDUSTRIES":
        organization = {**organization, "name": taken.upper()}
    before = _listed_ids(client)
    response = client.post("/api/v2/organizations", json={"organization": organization})
    assert response.status_code == 422
    assert message in response.json()["details"]["base"][0]["description"]
    assert _listed_ids(client) == before


def test_a_body_without_the_organization_wrapper_is_400(client: httpx.Client) -> None:
    response = client.post("/api/v2/organizations", json={"name": "Flat"})
    assert response.status_code == 400
    assert "organization" in response.json()["description"]
