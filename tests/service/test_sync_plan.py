"""Which fetch an organization needs on its own, the progress estimate of a cold fetch, and the
account sync's progress."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from backend.service.account_sync import pass_progress
from backend.service.sync import SyncPlan, estimate_window_total, plan_sync
from backend.store.repository import SyncState

NOW = datetime(2026, 11, 1, tzinfo=UTC)
HOUR = timedelta(hours=1)


def _plan(state: SyncState | None, window_days: int = 90) -> SyncPlan:
    return plan_sync(state, now=NOW, window_days=window_days, organization_refresh=HOUR)


def _warm_state(**changes: object) -> SyncState:
    values: dict[str, object] = {
        "covered_since": NOW - timedelta(days=100),
        "high_water_mark": NOW - timedelta(minutes=10),
        "last_success_at": NOW - timedelta(minutes=10),
        "organization_fetched_at": NOW - timedelta(minutes=10),
        **changes,
    }
    return SyncState(**values)  # type: ignore[arg-type]


def test_unknown_organization_is_cold_from_the_window_start() -> None:
    plan = _plan(None)
    assert plan.cold and plan.refresh_organization
    assert plan.updated_since == NOW - timedelta(days=90)


def test_known_organization_is_warm_from_the_high_water_mark() -> None:
    plan = _plan(_warm_state())
    assert not plan.cold and not plan.refresh_organization
    assert plan.updated_since == NOW - timedelta(minutes=10)


def test_a_wider_window_than_covered_needs_a_cold_fetch() -> None:
    assert _plan(_warm_state(), window_days=180).cold


def test_the_organization_is_refreshed_hourly() -> None:
    stale = _warm_state(organization_fetched_at=NOW - 2 * HOUR)
    assert _plan(stale).refresh_organization and not _plan(stale).cold


def test_estimate_extrapolates_from_the_share_of_the_window_read() -> None:
    since = NOW - timedelta(days=90)
    # 100 tickets covering the newest 9 days of 90: about 1,000 in the window.
    assert estimate_window_total(100, NOW - timedelta(days=9), NOW, since, 8000) == 1000
    # The all-time count caps it, and it never falls below what was read.
    assert estimate_window_total(100, NOW - timedelta(days=9), NOW, since, 500) == 500
    assert estimate_window_total(700, NOW - timedelta(days=95), NOW, since, 8000) == 700
    assert estimate_window_total(5, NOW, NOW, since, None) >= 5


def test_account_pass_progress_is_the_share_of_its_time_span_read() -> None:
    start = NOW - timedelta(days=730)
    assert pass_progress(start, None, NOW, 10) == (None, None)
    share, eta = pass_progress(start, start + timedelta(days=365), NOW, 60)
    assert share == 0.5 and eta == 60  # half read in 60 s: 60 s to go
    assert pass_progress(start, NOW, NOW, 60) == (1.0, 0.0)
    assert pass_progress(start, NOW + timedelta(days=1), NOW, 60) == (1.0, 0.0)
