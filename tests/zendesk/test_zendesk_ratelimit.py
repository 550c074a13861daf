"""Rate-limit headers in every spelling, and the account-wide request budget."""

from __future__ import annotations

import anyio
import pytest

from backend.zendesk.ratelimit import (
    Priority,
    RateBudget,
    RateLimitInfo,
    budget_for,
    parse_endpoint_limits,
    parse_rate_limit,
    parse_retry_after,
)

from .conftest import SleepRecorder


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Rate-Limit": "700", "X-Rate-Limit-Remaining": "699"},
        {"x-rate-limit": "700", "x-rate-limit-remaining": "699"},
        {"RateLimit-Limit": "700", "RateLimit-Remaining": "699", "RateLimit-Reset": "41"},
        {"ratelimit-limit": "700", "ratelimit-remaining": "699", "ratelimit-reset": "41"},
        {"Rate-Limit": "700", "Rate-Limit-Remaining": "699", "Rate-Limit-Reset": "41"},
        {"Zendesk-RateLimit-tickets-index": "total=700; remaining=699; resets=41"},
        {"zendesk-ratelimit-tickets-index": "TOTAL=700;remaining=699 ; resets=41"},
    ],
)
def test_every_header_form_in_any_case(headers: dict[str, str]) -> None:
    info = parse_rate_limit(headers)
    assert info is not None
    assert (info.limit, info.remaining) == (700, 699)
    if any("reset" in key.lower() for key in headers):
        assert info.reset_seconds == 41


def test_account_headers_win_over_endpoint_buckets() -> None:
    headers = {
        "X-Rate-Limit": "400",
        "X-Rate-Limit-Remaining": "390",
        "zendesk-ratelimit-tickets-index": "total=100; remaining=5; resets=3",
    }
    assert parse_rate_limit(headers) == RateLimitInfo(400, 390, None)
    assert parse_endpoint_limits(headers) == {"tickets-index": RateLimitInfo(100, 5, 3.0)}


def test_the_tightest_endpoint_bucket_is_reported() -> None:
    headers = {
        "zendesk-ratelimit-tickets-index": "total=100; remaining=50; resets=3",
        "zendesk-ratelimit-incremental-exports": "total=10; remaining=1; resets=30",
    }
    assert parse_rate_limit(headers) == RateLimitInfo(10, 1, 30.0)


def test_no_or_junk_headers() -> None:
    assert parse_rate_limit({}) is None
    assert parse_rate_limit({"X-Rate-Limit": "lots"}) is None
    assert parse_rate_limit({"zendesk-ratelimit-x": "nonsense"}) is None
    # IETF draft form: the leading number counts.
    assert parse_rate_limit({"RateLimit-Limit": "100, 100;w=60"}) == RateLimitInfo(100, None, None)


def test_retry_after_forms() -> None:
    assert parse_retry_after("93") == 93
    assert parse_retry_after("0.5") == 0.5
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past


def test_budget_learns_the_limit_and_starts_conservative() -> None:
    budget = RateBudget()
    assert budget.requests_per_minute == 200 * 0.2
    budget.observe(RateLimitInfo(700, 690, None))
    assert budget.limit_per_minute == 700
    assert budget.requests_per_minute == 140


def test_budget_learns_the_export_limit_from_its_bucket_header() -> None:
    budget = RateBudget()
    headers = {"zendesk-ratelimit-incremental-exports": "total=30; remaining=29; resets=50"}
    budget.observe(None, parse_endpoint_limits(headers)["incremental-exports"])
    assert budget.incremental_per_minute == 30


def fake_budget(sleeps: SleepRecorder, **options: object) -> RateBudget:
    return RateBudget(sleep=sleeps, clock=sleeps.clock, **options)  # type: ignore[arg-type]


async def sent_within(
    budget: RateBudget, sleeps: SleepRecorder, seconds: float, **kw: object
) -> int:
    """How many requests one sequential worker gets through in `seconds` of fake time."""
    start, sent = sleeps.now, 0
    while True:
        await budget.acquire(**kw)  # type: ignore[arg-type]
        if sleeps.now - start >= seconds:
            return sent
        sent += 1


@pytest.mark.anyio
async def test_background_work_sustains_exactly_the_configured_rate(
    sleeps: SleepRecorder,
) -> None:
    # 0.2 of 700 = 140 a minute: ten minutes of background work send 1,400 requests, but for
    # the half second a minute kept free for the way to Zendesk (60 / 60.5 of the share).
    budget = fake_budget(sleeps, fraction=0.2, limit_per_minute=700)
    sent = await sent_within(budget, sleeps, 600)
    assert 1400 * 60 / 60.5 - 2 <= sent <= 1400


@pytest.mark.anyio
async def test_interactive_work_may_use_the_window_at_once_but_never_more(
    sleeps: SleepRecorder,
) -> None:
    budget = fake_budget(sleeps, fraction=1.0, limit_per_minute=6)
    for _ in range(6):
        await budget.acquire(level=Priority.INTERACTIVE)
    assert sleeps.calls == []  # the whole minute's share at once
    await budget.acquire(level=Priority.INTERACTIVE)
    assert sum(sleeps.calls) == pytest.approx(60.5)  # the 7th waits for the window to slide


@pytest.mark.anyio
async def test_no_sixty_seconds_ever_hold_more_than_the_budget(sleeps: SleepRecorder) -> None:
    budget = fake_budget(sleeps, fraction=1.0, limit_per_minute=10)
    sent: list[float] = []
    for level in (
        [Priority.INTERACTIVE] * 5 + [Priority.BACKGROUND] * 20 + [Priority.INTERACTIVE] * 10
    ):
        await budget.acquire(level=level)
        sent.append(sleeps.now)
    assert max(sum(1 for t in sent if start <= t < start + 60.5) for start in sent) == 10


@pytest.mark.anyio
async def test_a_waiting_sidebar_goes_before_the_sync() -> None:
    # Real time, small numbers: 600 a minute, background paced one per 0.1 s.
    budget = RateBudget(fraction=1.0, limit_per_minute=600)
    order: list[str] = []

    async def worker(name: str, level: Priority, count: int) -> None:
        for _ in range(count):
            await budget.acquire(level=level)
            order.append(name)

    async with anyio.create_task_group() as group:
        group.start_soon(worker, "sync", Priority.BACKGROUND, 3)
        await anyio.sleep(0.01)
        group.start_soon(worker, "sidebar", Priority.INTERACTIVE, 3)
    # The sync's first request went out; the sidebar's three went before its next ones.
    assert order == ["sync", "sidebar", "sidebar", "sidebar", "sync", "sync"]


@pytest.mark.anyio
async def test_export_requests_also_respect_the_export_limit(sleeps: SleepRecorder) -> None:
    budget = fake_budget(sleeps, fraction=1.0, limit_per_minute=10_000, incremental_per_minute=10)
    assert 49 <= await sent_within(budget, sleeps, 300, kind="incremental") <= 50


@pytest.mark.anyio
async def test_budget_paces_when_remaining_is_low(sleeps: SleepRecorder) -> None:
    budget = fake_budget(sleeps, fraction=1.0, limit_per_minute=100_000)
    budget.observe(RateLimitInfo(100_000, 5000, 10.0))  # 5 % left for 10 s
    await budget.acquire()
    assert sleeps.calls == [pytest.approx(10 / 5000)]
    sleeps.calls.clear()
    await budget.acquire(level=Priority.INTERACTIVE)  # a sidebar is not slowed down
    assert sleeps.calls == []


@pytest.mark.anyio
async def test_budget_pauses_at_zero_remaining_and_after_429(sleeps: SleepRecorder) -> None:
    budget = fake_budget(sleeps, fraction=1.0, limit_per_minute=1000, max_pause=5)
    budget.observe(RateLimitInfo(1000, 0, 3.0))
    assert budget.paused_for() == pytest.approx(3.0)
    await budget.acquire()
    assert sum(sleeps.calls) == pytest.approx(3.0, abs=0.1)
    budget.pause(600)  # bounded by max_pause
    sleeps.calls.clear()
    await budget.acquire()
    assert sum(sleeps.calls) == pytest.approx(5.0, abs=0.1)


def test_one_budget_per_account() -> None:
    first = budget_for("https://budget-test.zendesk.com")
    assert budget_for("https://Budget-Test.zendesk.com/") is first
    assert budget_for("https://other-budget-test.zendesk.com") is not first
    assert first.fraction == 0.2
    assert budget_for("https://budget-test.zendesk.com", fraction=0.5).fraction == 0.5
    assert first.fraction == 0.5


def test_fraction_is_validated() -> None:
    with pytest.raises(ValueError, match="fraction"):
        RateBudget(fraction=0)
