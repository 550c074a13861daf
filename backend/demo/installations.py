"""The account's app installations, Customer Health's and other apps', as the Apps API has them.

`GET /api/v2/apps/installations` lists every app of the account, so a backend must pick its
own (by `app_id`) and must not mistake another app's settings for its own: the demo has a
time-tracking app with its own settings, and an app that also has a `backend_url` setting but
none of Customer Health's. Secure settings are stored but never handed back by the API.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from backend.demo.ticket_json import iso
from backend.demo.tickets import DAY, TIME_LAST_UPDATE_FIELD_ID, TIME_SPENT_FIELD_ID

APP_ID: Final = 990_001  # Customer Health (a private app of the account)
TIME_TRACKING_APP_ID: Final = 990_101
ORDER_LOOKUP_APP_ID: Final = 990_102
INSTALLATION_ID: Final = 1001  # Customer Health's installation
TIME_TRACKING_INSTALLATION_ID: Final = 1002
ORDER_LOOKUP_INSTALLATION_ID: Final = 1003


class InvalidInstallation(ValueError):
    """An install or update request Zendesk would refuse; the message names the field."""


@dataclass(frozen=True, slots=True)
class App:
    id: int
    name: str
    secure_settings: tuple[str, ...]  # parameters marked `secure` in the app's manifest


APPS: Final = {
    app.id: app
    for app in (
        App(APP_ID, "Customer Health", ("shared_secret",)),
        App(TIME_TRACKING_APP_ID, "Time Tracking", ()),
        App(ORDER_LOOKUP_APP_ID, "Order Lookup", ("api_token",)),
    )
}


def customer_health_settings() -> dict[str, str]:
    """The demo installation's settings; Zendesk hands settings back as strings."""
    return {
        "name": "Customer Health",
        "title": "Customer Health",
        "backend_url": "http://127.0.0.1:8000",
        "window_days": "90",
        "green_threshold": "70",
        "red_threshold": "40",
        "weight_balance": "2",
        "weight_feedback": "2",
        "weight_touchpoints": "1",
        "weight_sla": "3",
        "balance_good": "70",
        "balance_bad": "0",
        "feedback_good": "95",
        "feedback_bad": "70",
        "touchpoints_good": "80",
        "touchpoints_bad": "40",
        "sla_good": "95",
        "sla_bad": "75",
        "sla_first_reply_targets": "urgent:60,high:240,normal:480,low:1440",
        "sla_resolution_targets": "urgent:480,high:1440,normal:2880,low:5760",
        "revenue_field": "annual_revenue",
        "hourly_cost": "60",
        "time_spent_field_id": str(TIME_SPENT_FIELD_ID),
        "minutes_per_ticket": "10",
        "minutes_per_reply": "5",
        "goal_score": "70",
        "min_sample": "3",
        "onboarding_days": "90",
        "recommendations": "",
    }


def _other_apps_settings() -> dict[int, dict[str, str]]:
    return {
        TIME_TRACKING_APP_ID: {
            "name": "Time Tracking",
            "title": "Time Tracking",
            "total_time_field_id": str(TIME_SPENT_FIELD_ID),
            "time_field_id": str(TIME_LAST_UPDATE_FIELD_ID),
            "display_timer": "true",
            "enable_pause_resume": "true",
            "simple_submission": "false",
        },
        ORDER_LOOKUP_APP_ID: {
            "name": "Order Lookup",
            "title": "Order Lookup",
            "backend_url": "https://orders.acme-demo.example/api",
            "timeout_seconds": "10",
        },
    }


class Installations:
    """Every app installation of the account, by id; thread-safe."""

    def __init__(self, anchor: int, shared_secret: str, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._records: dict[int, dict[str, Any]] = {}
        self._secure: dict[int, dict[str, str]] = {}
        others = _other_apps_settings()
        tracking, lookup = TIME_TRACKING_APP_ID, ORDER_LOOKUP_APP_ID
        for installation_id, app_id, settings, age_days in (
            (INSTALLATION_ID, APP_ID, customer_health_settings(), 200),
            (TIME_TRACKING_INSTALLATION_ID, tracking, others[tracking], 700),
            (ORDER_LOOKUP_INSTALLATION_ID, lookup, others[lookup], 90),
        ):
            self._records[installation_id] = _record(
                installation_id, app_id, settings, True, anchor - age_days * DAY
            )
        self._secure[INSTALLATION_ID] = {"shared_secret": shared_secret}
        self._secure[ORDER_LOOKUP_INSTALLATION_ID] = {"api_token": "order-lookup-demo-token"}
        self._next_id = ORDER_LOOKUP_INSTALLATION_ID + 1

    def record(self, installation_id: int) -> dict[str, Any]:
        """The stored installation (changes show in it); KeyError when there is none."""
        with self._lock:
            return self._records[installation_id]

    def list_json(self) -> list[dict[str, Any]]:
        with self._lock:
            return [installation_json(r) for r in self._records.values()]

    def show_json(self, installation_id: int) -> dict[str, Any]:
        with self._lock:
            return installation_json(self._records[installation_id])

    def secure_setting(self, installation_id: int, name: str) -> str | None:
        with self._lock:
            return self._secure.get(installation_id, {}).get(name)

    def set_secure_setting(self, installation_id: int, name: str, value: str) -> None:
        with self._lock:
            self._secure.setdefault(installation_id, {})[name] = value

    def install(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        """Zendesk's "Install App": `{"app_id": n, "settings": {...}, "enabled"?: bool}`."""
        app = _app(payload.get("app_id"))
        settings = _settings(payload.get("settings"), required=True)
        enabled = _enabled(payload.get("enabled", True))
        with self._lock:
            installation_id = self._next_id
            self._next_id += 1
            public, secure = _split(app, settings)
            self._secure[installation_id] = secure
            record = _record(installation_id, app.id, public, enabled, int(self._clock()))
            self._records[installation_id] = record
            return installation_json(record)

    def update(self, installation_id: int, payload: Mapping[str, Any]) -> dict[str, Any]:
        """Merge `settings` (and `enabled`); KeyError when the installation does not exist."""
        settings = _settings(payload.get("settings", {}), required=False)
        with self._lock:
            record = self._records[installation_id]
            public, secure = _split(APPS[record["app_id"]], settings)
            if "enabled" in payload:
                record["enabled"] = _enabled(payload["enabled"])
            record["settings"].update(public)
            self._secure.setdefault(installation_id, {}).update(secure)
            record["updated_at"] = iso(int(self._clock()))
            return installation_json(record)

    def uninstall(self, installation_id: int) -> None:
        """KeyError when the installation does not exist."""
        with self._lock:
            del self._records[installation_id]
            self._secure.pop(installation_id, None)


def _record(
    installation_id: int, app_id: int, settings: dict[str, Any], enabled: bool, created: int
) -> dict[str, Any]:
    stamp = iso(created)
    return {
        "id": installation_id,
        "app_id": app_id,
        "product": "support",
        "settings": settings,
        "enabled": enabled,
        "paid": False,
        "collapsible": True,
        "group_restrictions": [],
        "role_restrictions": None,
        "recurring_payment": False,
        "plan_information": {"name": None},
        "has_unpaid_subscription": False,
        "has_incomplete_subscription": False,
        "pending_installation": False,
        "servable": True,
        "updated": datetime.fromtimestamp(created, UTC).strftime("%Y%m%d%H%M%S"),
        "created_at": stamp,
        "updated_at": stamp,
    }


def installation_json(record: Mapping[str, Any]) -> dict[str, Any]:
    """The installation as the Apps API shows it: `settings` and the same as `settings_objects`."""
    settings = dict(record["settings"])
    objects = [{"name": name, "value": value} for name, value in settings.items()]
    return {**record, "settings": settings, "settings_objects": objects}


def _app(raw: Any) -> App:
    try:
        app_id = int(raw)
    except (TypeError, ValueError):
        raise InvalidInstallation("app_id: required, a number") from None
    if isinstance(raw, bool) or app_id not in APPS:
        raise InvalidInstallation(f"app_id: no app {raw} in this account")
    return APPS[app_id]


def _settings(raw: Any, *, required: bool) -> dict[str, Any]:
    if not isinstance(raw, Mapping):
        raise InvalidInstallation("settings: expected an object")
    if required and not raw:
        raise InvalidInstallation("settings: at least one setting is required")
    return dict(raw)


def _enabled(raw: Any) -> bool:
    if not isinstance(raw, bool):
        raise InvalidInstallation("enabled: expected true or false")
    return raw


def _split(app: App, settings: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """(public settings, secure settings): the secure ones are never served back."""
    public = {k: v for k, v in settings.items() if k not in app.secure_settings}
    secure = {k: str(v) for k, v in settings.items() if k in app.secure_settings}
    return public, secure
