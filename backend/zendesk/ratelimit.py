"""Zendesk's rate-limit headers, and the request budget this app keeps within an account's limit.

Other apps share an account's per-minute limit, so we spend only a fraction of it, learned from
the headers. The budget is a moving window: at most `requests_per_minute` requests in any 60
seconds, which is also the sustained rate. Two priorities share it. Interactive work (a sidebar
waiting for settings or a cold organization) may use the whole window at once and goes first;
background work (the account sync) is paced one request per 60 / rate seconds, so a window is
never filled by a burst and an interactive request finds room within one interval. Where the
window lives is a `WindowStore`: this process (SQLite deployments) or PostgreSQL, shared by
every process of a deployment (`backend.store.coordination`).
"""

from __future__ import annotations

import logging
import math
import re
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from enum import Enum
from typing import Final, Protocol

import anyio

from backend.observability.metrics import record_rate_wait

log = logging.getLogger(__name__)

DEFAULT_LIMIT_PER_MINUTE: Final = 200  # the smallest paid Support plan (Team)
DEFAULT_FRACTION: Final = 0.2
# The incremental exports have their own, much smaller bucket (10/min; 30 with High Volume).
INCREMENTAL_LIMIT_PER_MINUTE: Final = 10
EXPORT_BUCKET_HEADER: Final = "incremental-exports"
LOW_REMAINING_FRACTION: Final = 0.1
WINDOW_SECONDS: Final = 60.0
# The window is counted half a second longer than Zendesk's minute: a request reaches Zendesk
# a little after it took its slot, and that delay must never let one of Zendesk's minutes see
# more than the share. The sustained rate is 60 / 60.5 of the share (99 %).
COUNTED_SECONDS: Final = WINDOW_SECONDS + 0.5

_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)?)")
_BUCKET_PREFIX = "zendesk-ratelimit-"


class Priority(Enum):
    """Who waits for a request: an agent's sidebar (interactive) or nobody (background)."""

    INTERACTIVE = "interactive"
    BACKGROUND = "background"


_priority: ContextVar[Priority] = ContextVar("zendesk_priority", default=Priority.BACKGROUND)


@contextmanager
def priority(level: Priority) -> Iterator[None]:
    """Zendesk calls made in this context (and tasks it starts) wait at `level`."""
    token = _priority.set(level)
    try:
        yield
    finally:
        _priority.reset(token)


def current_priority() -> Priority:
    return _priority.get()


@dataclass(frozen=True, slots=True)
class RateLimitInfo:
    """One rate-limit bucket as Zendesk reported it; None where a header was missing."""

    limit: int | None
    remaining: int | None
    reset_seconds: float | None

    @property
    def nearly_exhausted(self) -> bool:
        if self.limit is None or self.remaining is None or self.limit <= 0:
            return False
        return self.remaining <= max(1, self.limit * LOW_REMAINING_FRACTION)


def parse_rate_limit(headers: Mapping[str, str]) -> RateLimitInfo | None:
    """The account-wide limit from any of Zendesk's header spellings, in any case.

    Falls back to an endpoint bucket (`zendesk-ratelimit-*`) when no account header is present.
    """
    lowered = {key.lower(): value for key, value in headers.items()}
    limit = _first_number(lowered, "x-rate-limit", "ratelimit-limit", "rate-limit")
    remaining = _first_number(
        lowered, "x-rate-limit-remaining", "ratelimit-remaining", "rate-limit-remaining"
    )
    reset = _first_number(lowered, "ratelimit-reset", "rate-limit-reset", "x-rate-limit-reset")
    if limit is not None or remaining is not None:
        return RateLimitInfo(_int(limit), _int(remaining), reset)
    buckets = parse_endpoint_limits(lowered)
    return min(buckets.values(), key=_headroom) if buckets else None


def parse_endpoint_limits(headers: Mapping[str, str]) -> dict[str, RateLimitInfo]:
    """`Zendesk-RateLimit-<bucket>: total=100; remaining=99; resets=41`, keyed by bucket name."""
    buckets: dict[str, RateLimitInfo] = {}
    for key, value in headers.items():
        name = key.lower()
        if not name.startswith(_BUCKET_PREFIX):
            continue
        parts: dict[str, float] = {}
        for item in value.split(";"):
            field, _, number = item.partition("=")
            parsed = _number(number)
            if parsed is not None:
                parts[field.strip().lower()] = parsed
        if parts:
            buckets[name.removeprefix(_BUCKET_PREFIX)] = RateLimitInfo(
                _int(parts.get("total")), _int(parts.get("remaining")), parts.get("resets")
            )
    return buckets


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After as seconds: a number (Zendesk's form) or an HTTP date."""
    if value is None:
        return None
    number = _number(value)
    if number is not None:
        return number
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class WindowStore(Protocol):
    """Where the requests of an account's last minute are counted (one process, or shared)."""

    async def try_acquire(
        self, account: str, bucket: str, limit: int, pace: float | None
    ) -> float | None:
        """Count one request and return None, or return how many seconds to wait first.

        `limit` requests fit in any COUNTED_SECONDS; with `pace`, also at most one request per
        `pace` seconds of those that pass a pace (background work).
        """
        ...

    def pause(self, account: str, seconds: float) -> None:
        """Hold the account's requests for `seconds` (a 429's Retry-After); takes effect in this
        process at once (a shared store tells the others in the background)."""
        ...

    def paused_for(self, account: str) -> float:
        """Seconds until a pause of the account ends, as far as this process knows."""
        ...

    def learn(self, account: str, bucket: str, limit: int) -> None:
        """What a response said a bucket allows a minute (this app's share of it): a shared
        store tells the other processes, so a process taking over the sync does not wait on a
        window counted against a smaller, assumed limit."""
        ...


class MemoryWindows:
    """The window of every account of this process; the default for one process."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._logs: dict[tuple[str, str], deque[float]] = {}
        self._paced: dict[tuple[str, str], float] = {}
        self._pauses: dict[str, float] = {}

    async def try_acquire(
        self, account: str, bucket: str, limit: int, pace: float | None
    ) -> float | None:
        key = (account, bucket)
        with self._lock:
            now = self._clock()
            log_ = self._logs.setdefault(key, deque())
            while log_ and log_[0] <= now - COUNTED_SECONDS:
                log_.popleft()
            retry_at = max(now, self._pauses.get(account, 0.0))
            if pace is not None:
                retry_at = max(retry_at, self._paced.get(key, 0.0))
            if len(log_) >= limit:
                retry_at = max(retry_at, log_[len(log_) - limit] + COUNTED_SECONDS)
            if retry_at > now:
                return retry_at - now
            log_.append(now)
            if pace is not None:
                self._paced[key] = now + pace
            return None

    def pause(self, account: str, seconds: float) -> None:
        with self._lock:
            until = self._clock() + seconds
            self._pauses[account] = max(self._pauses.get(account, 0.0), until)

    def paused_for(self, account: str) -> float:
        with self._lock:
            return max(0.0, self._pauses.get(account, 0.0) - self._clock())

    def learn(self, account: str, bucket: str, limit: int) -> None:
        pass  # in one process the budget itself holds what it learned


class RateBudget:
    """Keeps one account's requests within `fraction` of its per-minute limit (module doc)."""

    def __init__(
        self,
        *,
        fraction: float = DEFAULT_FRACTION,
        limit_per_minute: int = DEFAULT_LIMIT_PER_MINUTE,
        max_pause: float = 60.0,
        incremental_per_minute: int = INCREMENTAL_LIMIT_PER_MINUTE,
        account: str = "",
        store: WindowStore | None = None,
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not 0 < fraction <= 1:
            raise ValueError("fraction must be in (0, 1]")
        self.fraction = fraction
        self.limit_per_minute = limit_per_minute
        self.max_pause = max_pause
        self.incremental_per_minute = incremental_per_minute
        self.account = account
        self.store: WindowStore = store if store is not None else MemoryWindows(clock)
        self._sleep = sleep
        self._last_info: RateLimitInfo | None = None
        self._interactive_waiting = 0
        self.waits = 0  # requests that had to wait, and for how long in all
        self.waited_seconds = 0.0

    @property
    def requests_per_minute(self) -> int:
        """This app's share of the account's limit."""
        return max(1, math.floor(self.limit_per_minute * self.fraction))

    def paused_for(self) -> float:
        """Seconds until a 429's pause ends (0 when the account is not paused)."""
        return self.store.paused_for(self.account)

    async def acquire(self, kind: str = "api", level: Priority | None = None) -> float:
        """Wait until one more request fits the budget; returns the seconds waited.

        `level` defaults to the context's priority (`priority(...)`), background otherwise.
        """
        interactive = (level or current_priority()) is Priority.INTERACTIVE
        buckets = [("api", self.requests_per_minute)]
        if kind == "incremental":
            # The scarce export bucket first: holding an api slot while waiting for it would
            # waste that slot.
            buckets.insert(0, ("incremental", self.incremental_per_minute))
        waited = 0.0
        if interactive:
            self._interactive_waiting += 1
        try:
            for bucket, limit in buckets:
                waited += await self._take(bucket, limit, interactive)
            if not interactive:
                waited += await self._pace_when_low()
        finally:
            if interactive:
                self._interactive_waiting -= 1
        if waited > 0:
            self.waits += 1
            self.waited_seconds += waited
        record_rate_wait(waited, "interactive" if interactive else "background")
        return waited

    async def _take(self, bucket: str, limit: int, interactive: bool) -> float:
        pace = None if interactive else WINDOW_SECONDS / limit
        waited = 0.0
        while True:
            # In this process, a waiting sidebar goes before the sync's next page.
            if not interactive and self._interactive_waiting:
                delay: float | None = min(pace or 0.05, 0.05)
            else:
                delay = await self.store.try_acquire(self.account, bucket, limit, pace)
            if delay is None:
                return waited
            delay = max(0.001, delay)
            waited += delay
            await self._sleep(delay)

    def observe(self, info: RateLimitInfo | None, export: RateLimitInfo | None = None) -> None:
        """Learn the account's limit and headroom (and the export's) from a response."""
        learned = export.limit if export is not None else None
        if learned is not None and learned > 0 and learned != self.incremental_per_minute:
            log.info("Zendesk's incremental export allows %d requests/minute", learned)
            self.incremental_per_minute = learned
            self.store.learn(self.account, "incremental", learned)
        if info is None:
            return
        self._last_info = info
        if info.limit is not None and info.limit > 0 and info.limit != self.limit_per_minute:
            log.info("Zendesk account limit is %d requests/minute", info.limit)
            self.limit_per_minute = info.limit
            self.store.learn(self.account, "api", self.requests_per_minute)
        if info.remaining == 0 and info.reset_seconds:
            self.pause(info.reset_seconds)

    def pause(self, seconds: float) -> None:
        """Hold every request of this account for `seconds` (after a 429, or at zero remaining)."""
        self.store.pause(self.account, min(max(seconds, 0.0), self.max_pause))

    async def _pace_when_low(self) -> float:
        # Near the account limit, spread what is left over the time until it resets, so the
        # sync does not push every other app of the account into 429s.
        info = self._last_info
        if info is None or not info.nearly_exhausted or not info.remaining:
            return 0.0  # nothing learned, plenty left, or none left (a pause covers that)
        reset = info.reset_seconds if info.reset_seconds is not None else 60.0
        delay = min(reset / max(info.remaining, 1), self.max_pause)
        if delay > 0:
            await self._sleep(delay)
        return delay


_budgets: dict[str, RateBudget] = {}
_budgets_lock = threading.Lock()


def budget_for(
    base_url: str, *, fraction: float | None = None, store: WindowStore | None = None
) -> RateBudget:
    """The one budget of an account in this process, keyed by its base URL.

    A fraction given here (from configuration) applies to the shared budget; None keeps it. A
    store given here (PostgreSQL, shared by processes) replaces the process-local one.
    """
    key = base_url.rstrip("/").lower()
    with _budgets_lock:
        budget = _budgets.get(key)
        if budget is None:
            budget = _budgets[key] = RateBudget(
                fraction=fraction or DEFAULT_FRACTION, account=key, store=store
            )
    if fraction is not None and 0 < fraction <= 1:
        budget.fraction = fraction
    if store is not None:
        budget.store = store
    return budget


def _first_number(headers: Mapping[str, str], *names: str) -> float | None:
    for name in names:
        if name in headers:
            number = _number(headers[name])
            if number is not None:
                return number
    return None


def _number(text: str) -> float | None:
    # Tolerates the IETF draft form "100, 100;w=60" by reading the leading number.
    match = _NUMBER.match(text)
    if match is None:
        return None
    value = float(match.group(1))
    return value if math.isfinite(value) else None


def _int(value: float | None) -> int | None:
    return None if value is None else int(value)


def _headroom(info: RateLimitInfo) -> float:
    if info.limit and info.remaining is not None:
        return info.remaining / info.limit
    return 1.0
