"""Shared builders for the Zendesk client tests: tickets, pages, and a fast client."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from backend.zendesk.auth import BearerToken, ZendeskAuth
from backend.zendesk.client import ZendeskClient
from backend.zendesk.ratelimit import RateBudget

BASE = "https://acme.zendesk.com"
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
SECRET = "s3cr3t-oauth-token-value"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def ticket(ticket_id: int, updated_minutes_ago: float = 0, **extra: Any) -> dict[str, Any]:
    updated = NOW - timedelta(minutes=updated_minutes_ago)
    raw: dict[str, Any] = {
        "id": ticket_id,
        "created_at": iso(updated - timedelta(days=1)),
        "updated_at": iso(updated),
        "status": "solved",
        "priority": "normal",
        "satisfaction_rating": None,
        "custom_fields": [],
    }
    raw.update(extra)
    return raw


def metric_set(ticket_id: int, replies: int = 1) -> dict[str, Any]:
    return {
        "ticket_id": ticket_id,
        "replies": replies,
        "reply_time_in_minutes": {"business": 30, "calendar": 40},
        "full_resolution_time_in_minutes": {"business": 300, "calendar": 400},
    }


def page(
    tickets: list[dict[str, Any]],
    *,
    has_more: bool,
    after: str | None = None,
    metric_sets: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A cursor page as Zendesk sends it: links.next is present even on the last page."""
    body: dict[str, Any] = {
        "tickets": tickets,
        "meta": {"has_more": has_more, "after_cursor": after or "last", "before_cursor": "b"},
        "links": {"next": f"{BASE}/api/v2/x?page%5Bafter%5D={after or 'last'}", "prev": None},
    }
    if metric_sets is not None:
        body["metric_sets"] = metric_sets
    return body


class SleepRecorder:
    """An injectable sleep that records instead of waiting, so retry tests run instantly.

    It also keeps a clock that its sleeps move forward (`clock`): a budget given both sees
    time pass exactly as long as it slept."""

    def __init__(self) -> None:
        self.calls: list[float] = []
        self.now = 1_000_000.0

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


def fast_budget() -> RateBudget:
    """A budget too large to ever make a unit test wait (on a fake clock of its own, so its
    pacing never shows among the sleeps a test records)."""
    recorder = SleepRecorder()
    return RateBudget(
        fraction=1.0,
        limit_per_minute=1_000_000,
        incremental_per_minute=1_000_000,
        sleep=recorder,
        clock=recorder.clock,
    )


def make_client(
    auth: ZendeskAuth | None = None,
    *,
    sleep: SleepRecorder | None = None,
    base_url: str = BASE,
    **options: Any,
) -> ZendeskClient:
    options.setdefault("budget", fast_budget())
    options.setdefault("backoff_initial", 0.001)
    options.setdefault("backoff_max", 0.005)
    if sleep is not None:
        options["sleep"] = sleep
    return ZendeskClient(base_url, auth or BearerToken(SECRET), **options)
