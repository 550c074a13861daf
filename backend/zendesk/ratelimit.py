"""Zendesk's rate-limit headers, and the request budget this app keeps within an account's limit.

Other apps share an account's per-minute limit, so we spend only a fraction of it, learned from
the headers. The budget is shared by every client of one account in this process; a later step
shares it across processes through the database (the `budget_for` registry is that seam).
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Final

import anyio
from aiolimiter import AsyncLimiter

log = logging.getLogger(__name__)

DEFAULT_LIMIT_PER_MINUTE: Final = 200  # the smallest paid Support plan (Team)
DEFAULT_FRACTION: Final = 0.2
# The incremental exports have their own, much smaller bucket (10/min on standard plans).
INCREMENTAL_LIMIT_PER_MINUTE: Final = 10
LOW_REMAINING_FRACTION: Final = 0.1

_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)?)")
_BUCKET_PREFIX = "zendesk-ratelimit-"


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


class RateBudget:
    """Paces one account's requests to `fraction` of its per-minute limit, and backs off
    when the account (all apps together) is close to its limit or answered 429."""

    def __init__(
        self,
        *,
        fraction: float = DEFAULT_FRACTION,
        limit_per_minute: int = DEFAULT_LIMIT_PER_MINUTE,
        max_pause: float = 30.0,
        incremental_per_minute: float = INCREMENTAL_LIMIT_PER_MINUTE,
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
    ) -> None:
        if not 0 < fraction <= 1:
            raise ValueError("fraction must be in (0, 1]")
        self.fraction = fraction
        self.limit_per_minute = limit_per_minute
        self.max_pause = max_pause
        self.incremental_per_minute = incremental_per_minute
        self._sleep = sleep
        self._paused_until = 0.0
        self._last_info: RateLimitInfo | None = None
        self._limiters: dict[str, AsyncLimiter] = {}
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def requests_per_minute(self) -> float:
        """This app's share of the account's limit."""
        return max(1.0, self.limit_per_minute * self.fraction)

    async def acquire(self, kind: str = "api") -> None:
        """Wait until one more request fits the budget (and any account-wide pause is over)."""
        await self._wait_for_pause()
        await self._limiter("api", self.requests_per_minute).acquire()
        if kind == "incremental":
            await self._limiter(kind, self.incremental_per_minute).acquire()
        await self._pace_when_low()

    def observe(self, info: RateLimitInfo | None) -> None:
        """Learn the account's limit and headroom from a response's headers."""
        if info is None:
            return
        self._last_info = info
        if info.limit is not None and info.limit > 0 and info.limit != self.limit_per_minute:
            log.info("Zendesk account limit is %d requests/minute", info.limit)
            self.limit_per_minute = info.limit
            self._limiters.pop("api", None)  # rebuilt at the new rate on next acquire
        if info.remaining == 0 and info.reset_seconds:
            self.pause(info.reset_seconds)

    def pause(self, seconds: float) -> None:
        """Hold every request of this account for `seconds` (after a 429, or at zero remaining)."""
        until = time.monotonic() + min(max(seconds, 0.0), self.max_pause)
        self._paused_until = max(self._paused_until, until)

    async def _wait_for_pause(self) -> None:
        delay = self._paused_until - time.monotonic()
        if delay > 0:
            await self._sleep(delay)

    async def _pace_when_low(self) -> None:
        # Near the account limit, spread what is left over the time until it resets, so this
        # app does not push every other app of the account into 429s.
        info = self._last_info
        if info is None or not info.nearly_exhausted or info.remaining is None:
            return
        reset = info.reset_seconds if info.reset_seconds is not None else 60.0
        delay = min(reset / max(info.remaining, 1), self.max_pause)
        if delay > 0:
            await self._sleep(delay)

    def _limiter(self, name: str, per_minute: float) -> AsyncLimiter:
        # aiolimiter binds to one event loop; the budget outlives loops (tests, CLI runs).
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self._limiters.clear()
            self._loop = loop
        limiter = self._limiters.get(name)
        if limiter is None:
            # A leaky bucket lets through at most capacity + drain·60 s in any minute. Half a
            # minute's share each way keeps every 60-second window within `per_minute` while
            # a cold fetch (≈50 pages for 5,000 tickets) still goes out in one burst.
            limiter = AsyncLimiter(max(1.0, per_minute / 2), 60.0)
            self._limiters[name] = limiter
        return limiter


_budgets: dict[str, RateBudget] = {}


def budget_for(base_url: str, *, fraction: float | None = None) -> RateBudget:
    """The one budget of an account in this process, keyed by its base URL.

    A fraction given here (from configuration) applies to the shared budget; None keeps it.
    """
    key = base_url.rstrip("/").lower()
    budget = _budgets.get(key)
    if budget is None:
        budget = _budgets[key] = RateBudget(fraction=fraction or DEFAULT_FRACTION)
    elif fraction is not None and 0 < fraction <= 1:
        budget.fraction = fraction
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
