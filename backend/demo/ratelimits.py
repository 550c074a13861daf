"""Zendesk's per-minute request budgets, counted for real, with the headers Zendesk sends.

Zendesk counts requests per account per minute (700 on Enterprise) and separately for some
endpoint families (`tickets-index` for ticket lists, `incremental-exports`, 10 per minute);
a request over a budget is answered 429 with Retry-After until the minute is over.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RateLimits:
    """Requests per minute: the account's budget and the endpoint budgets Zendesk reports."""

    account: int = 700
    tickets_index: int = 20_000  # observed on paid accounts; sandboxes have 100
    incremental_exports: int = 10


@dataclass(frozen=True, slots=True)
class Usage:
    limit: int
    remaining: int
    resets: int  # seconds until the window starts over
    exceeded: bool


class MinuteBudget:
    """A fixed one-minute window counter (the window starts with the first request)."""

    def __init__(self, limit: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self._clock = clock
        self._lock = threading.Lock()
        self._window_start = clock()
        self._used = 0

    def _roll(self, now: float) -> None:
        if now - self._window_start >= 60:
            self._window_start = now
            self._used = 0

    def take(self) -> Usage:
        """Count one request; `exceeded` when it is over the budget (it still counts)."""
        with self._lock:
            now = self._clock()
            self._roll(now)
            self._used += 1
            return self._usage(now)

    def peek(self) -> Usage:
        with self._lock:
            now = self._clock()
            self._roll(now)
            return self._usage(now)

    def _usage(self, now: float) -> Usage:
        resets = max(1, math.ceil(60 - (now - self._window_start)))
        return Usage(self.limit, max(0, self.limit - self._used), resets, self._used > self.limit)

    def reset(self) -> None:
        with self._lock:
            self._window_start = self._clock()
            self._used = 0


def account_headers(usage: Usage) -> dict[str, str]:
    return {
        "X-Rate-Limit": str(usage.limit),
        "X-Rate-Limit-Remaining": str(usage.remaining),
        "ratelimit-limit": str(usage.limit),
        "ratelimit-remaining": str(usage.remaining),
        "ratelimit-reset": str(usage.resets),
    }


def endpoint_header(usage: Usage) -> str:
    return f"total={usage.limit}; remaining={usage.remaining}; resets={usage.resets}"
