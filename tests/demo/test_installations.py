"""The account's app installations over HTTP: this app's and other apps', install, uninstall."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from backend.demo import DemoAccount, generate_account
from backend.demo.installations import (
    APP_ID,
    ORDER_LOOKUP_APP_ID,
    TIME_TRACKING_APP_ID,
    customer_health_settings,
)

from .conftest import BEARER, NOW

SCORING_PARAMETERS = set(customer_health_settings()) - {"name", "title", "backend_url"}


@pytest.fixture
def installations_account() -> DemoAccount:
    return generate_account(now=NOW, organizations=2)


@pytest.fixture
def client(serve: Callable[..., str], installations_account: DemoAccount) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=serve(installations_account), headers=BEARER) as client:
        yield client


def _by_app(installations: list[dict[str, Any]]) -> dict[int, list[dict[str, Any]]]:
    grouped: dict[int, list[dict[str, Any]]] = {}
    for installation in installations:
        grouped.setdefault(installation["app_id"], []).append(installation)
    return grouped


def test_the_list_holds_this_app_and_other_apps(client: httpx.Client) -> None:
    plain = client.get("/api/v2/apps/installations").json()
    assert plain == client.get("/api/v2/apps/installations.json").json()
    apps = _by_app(plain["installations"])
    assert set(apps) == {APP_ID, TIME_TRACKING_APP_ID, ORDER_LOOKUP_APP_ID}

    (own,) = apps[APP_ID]
    assert own["id"] == 1001 and own["product"] == "support" and own["enabled"] is True
    assert all(isinstance(value, str) for value in own["settings"].values())
    assert own["settings"]["window_days"] == "90"
    assert "shared_secret" not in own["settings"]
    names = {entry["name"] for entry in own["settings_objects"]}
    assert names == set(own["settings"]) and "shared_secret" not in names
    for key in ("created_at", "updated_at"):
        assert own[key].endswith("Z")

    (tracking,) = apps[TIME_TRACKING_APP_ID]
    assert tracking["settings"]["total_time_field_id"] == "360000001"
    (lookup,) = apps[ORDER_LOOKUP_APP_ID]
    assert lookup["settings"]["backend_url"].startswith("https://")
    assert not SCORING_PARAMETERS & set(lookup["settings"])  # none of ours
    assert "api_token" not in lookup["settings"]  # its secure setting


def test_every_installation_can_be_read_and_changed_alone(
    client: httpx.Client, installations_account: DemoAccount
) -> None:
    for installation in client.get("/api/v2/apps/installations").json()["installations"]:
        url = f"/api/v2/apps/installations/{installation['id']}.json"
        shown = client.get(url).json()
        assert shown == installation  # the object itself, not {"installation": …}
        changed = client.put(url, json={"settings": {"title": "Renamed"}}).json()
        assert changed["settings"] == {**installation["settings"], "title": "Renamed"}
        assert {"name": "title", "value": "Renamed"} in changed["settings_objects"]
        assert client.get(url).json()["settings"]["title"] == "Renamed"
    assert installations_account.installation["settings"]["title"] == "Renamed"
    assert client.get("/api/v2/apps/installations/7.json").status_code == 404


def test_install_a_second_installation_then_uninstall_both(
    client: httpx.Client, installations_account: DemoAccount
) -> None:
    payload = {
        "app_id": APP_ID,
        "settings": {"name": "Customer Health (EU)", "window_days": "365", "shared_secret": "x"},
    }
    created = client.post("/api/v2/apps/installations.json", json=payload)
    assert created.status_code == 200
    second = created.json()
    assert second["app_id"] == APP_ID and second["enabled"] is True
    assert second["settings"] == {"name": "Customer Health (EU)", "window_days": "365"}
    assert installations_account.installations.secure_setting(second["id"], "shared_secret") == "x"
    own = _by_app(client.get("/api/v2/apps/installations").json()["installations"])[APP_ID]
    assert sorted(i["id"] for i in own) == [1001, second["id"]]

    for installation_id in (1001, second["id"]):
        deleted = client.delete(f"/api/v2/apps/installations/{installation_id}")
        assert deleted.status_code == 204 and deleted.content == b""
        assert client.get(f"/api/v2/apps/installations/{installation_id}").status_code == 404
    apps = _by_app(client.get("/api/v2/apps/installations").json()["installations"])
    assert APP_ID not in apps and TIME_TRACKING_APP_ID in apps
    assert client.delete("/api/v2/apps/installations/1001").status_code == 404


def test_install_a_disabled_installation(client: httpx.Client) -> None:
    payload = {"app_id": str(TIME_TRACKING_APP_ID), "settings": {"name": "T"}, "enabled": False}
    created = client.post("/api/v2/apps/installations", json=payload).json()
    assert created["enabled"] is False and created["app_id"] == TIME_TRACKING_APP_ID
    enabled = client.put(f"/api/v2/apps/installations/{created['id']}", json={"enabled": True})
    assert enabled.json()["enabled"] is True


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"settings": {"name": "x"}}, "app_id"),
        ({"app_id": 4242, "settings": {"name": "x"}}, "app_id"),
        ({"app_id": True, "settings": {"name": "x"}}, "app_id"),
        ({"app_id": APP_ID}, "settings"),
        ({"app_id": APP_ID, "settings": {}}, "settings"),
        ({"app_id": APP_ID, "settings": ["name"]}, "settings"),
        ({"app_id": APP_ID, "settings": {"name": "x"}, "enabled": "yes"}, "enabled"),
    ],
)
def test_a_bad_install_is_422_naming_the_field(
    client: httpx.Client, payload: dict[str, Any], field: str
) -> None:
    response = client.post("/api/v2/apps/installations", json=payload)
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "RecordInvalid"
    assert body["details"]["base"][0]["description"].startswith(f"{field}:")
    assert len(client.get("/api/v2/apps/installations").json()["installations"]) == 3


def test_a_bad_update_is_422_and_changes_nothing(client: httpx.Client) -> None:
    url = "/api/v2/apps/installations/1001"
    before = client.get(url).json()
    assert client.put(url, json={"settings": "window_days=30"}).status_code == 422
    assert client.put(url, json={"enabled": 1}).status_code == 422
    assert client.get(url).json() == before
