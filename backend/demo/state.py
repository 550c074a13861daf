"""Everything one running demo Zendesk holds: the account, its credentials, budgets, faults, log."""

from __future__ import annotations

import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, Literal

from backend.demo.auth import Authenticator, DemoCredentials, TokenIssuer
from backend.demo.dataset import DemoAccount
from backend.demo.faults import FaultConfig, FaultInjector
from backend.demo.pagination import Key
from backend.demo.ratelimits import MinuteBudget, RateLimits
from backend.demo.tickets import TicketRecord

MetricSetsStyle = Literal["top_level", "embedded"]
LOG_LIMIT: Final = 100_000
VIEW_BUDGET: Final = 200_000  # ticket records kept in cached sorted views
TICKET_SORTS: Final = ("id", "-id", "updated_at", "-updated_at")


def ticket_key(record: TicketRecord, sort: str) -> Key:
    """Sort key for a ticket order; descending orders negate, so keys always ascend."""
    if sort.lstrip("-") == "updated_at":
        key: Key = (record.updated_at, record.id)
    else:
        key = (record.id,)
    return tuple(-v for v in key) if sort.startswith("-") else key


@dataclass(frozen=True, slots=True)
class SortedView:
    records: list[TicketRecord]
    keys: list[Key]


class RequestLog:
    """The API requests since start or reset, so tests can assert how many calls a client made."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: deque[dict[str, Any]] = deque(maxlen=LOG_LIMIT)
        self._counts: Counter[str] = Counter()
        self._total = 0

    def record(self, method: str, path: str, query: str, status: int) -> None:
        entry = {"method": method, "path": path, "query": query, "status": status}
        entry["time"] = time.time()
        with self._lock:
            self._entries.append(entry)
            self._counts[f"{method} {path}"] += 1
            self._total += 1

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "total": self._total,
                "counts": dict(self._counts),
                "requests": list(self._entries),
            }

    def reset(self) -> None:
        with self._lock:
            self._entries.clear()
            self._counts.clear()
            self._total = 0


class DemoZendesk:
    """The state behind one demo app; routes reach it through `request.app.state.demo`."""

    def __init__(
        self,
        account: DemoAccount,
        credentials: DemoCredentials,
        faults: FaultConfig | None,
        rate_limits: RateLimits,
        metric_sets_style: MetricSetsStyle,
        export_lag_seconds: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if export_lag_seconds < 0:
            raise ValueError("export_lag_seconds must not be negative")
        self.account = account
        self.credentials = credentials
        self.issuer = TokenIssuer(credentials)
        self.authenticator = Authenticator(credentials, self.issuer)
        self.faults = FaultInjector(faults)
        self.rate_limits = rate_limits
        self.metric_sets_style: MetricSetsStyle = metric_sets_style
        self.export_lag_seconds = export_lag_seconds
        self.clock = clock
        self.log = RequestLog()
        self.account_budget = MinuteBudget(rate_limits.account)
        self.tickets_index_budget = MinuteBudget(rate_limits.tickets_index)
        self.incremental_budget = MinuteBudget(rate_limits.incremental_exports)
        self._views: dict[tuple[int, str, int], SortedView] = {}
        self._view_records = 0
        self._lock = threading.Lock()

    def reset_budgets(self) -> None:
        for budget in (self.account_budget, self.tickets_index_budget, self.incremental_budget):
            budget.reset()

    def export_until(self) -> int:
        """The newest updated_at an incremental export may hand out now."""
        return int(self.clock()) - self.export_lag_seconds

    def sorted_tickets(self, organization_id: int, sort: str) -> SortedView:
        """The organization's listed tickets in a sort order, cached until the account changes."""
        cache_key = (organization_id, sort, self.account.version)
        with self._lock:
            view = self._views.get(cache_key)
        if view is None:
            records = sorted(
                self.account.listed_ticket_records(organization_id),
                key=lambda r: ticket_key(r, sort),
            )
            view = SortedView(records, [ticket_key(r, sort) for r in records])
            with self._lock:
                if self._view_records + len(records) > VIEW_BUDGET:  # a few views are plenty
                    self._views.clear()
                    self._view_records = 0
                self._views[cache_key] = view
                self._view_records += len(records)
        return view
