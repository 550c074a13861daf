"""The backend's Prometheus metrics and the small functions that record them.

Callers record through the functions, never the metric objects, so names and labels live
here only. With PROMETHEUS_MULTIPROC_DIR set (before the backend starts; emptied at each
start) several `serve` processes on one machine write their samples to that directory and
any one of them answers /metrics for all; gauges then show the most recently set value.
"""

from __future__ import annotations

import os
from datetime import datetime
from typing import Final, Literal

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector

Priority = Literal["interactive", "background"]

_LATENCY_BUCKETS: Final = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
_WAIT_BUCKETS: Final = (0.001, 0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60)

HTTP_REQUEST_SECONDS: Final = Histogram(
    "customer_health_http_request_duration_seconds",
    "Time from a request's arrival to the end of its answer, by route template.",
    ["method", "route", "status"],
    buckets=_LATENCY_BUCKETS,
)
ZENDESK_REQUESTS: Final = Counter(
    "customer_health_zendesk_requests_total",
    "HTTP requests to Zendesk (every attempt), by endpoint kind and answer status.",
    ["endpoint", "status"],
)
RATE_WAIT_SECONDS: Final = Histogram(
    "customer_health_zendesk_rate_wait_seconds",
    "Time a Zendesk request waited for the account's rate budget, by priority.",
    ["priority"],
    buckets=_WAIT_BUCKETS,
)
ANSWER_CACHE: Final = Counter(
    "customer_health_answer_cache_total",
    "Health answers served from the computed-answer cache (hit) or computed (miss).",
    ["result"],
)
SYNC_PROGRESS: Final = Gauge(
    "customer_health_sync_progress_ratio",
    "The running account sync's progress, 0 to 1 (1 when idle and complete).",
    ["tenant"],
    multiprocess_mode="mostrecent",
)
SYNC_TICKETS: Final = Gauge(
    "customer_health_sync_tickets",
    "Tickets the account sync has stored for the tenant.",
    ["tenant"],
    multiprocess_mode="mostrecent",
)
SYNC_POSITION: Final = Gauge(
    "customer_health_sync_position_timestamp_seconds",
    "Unix time of the newest Zendesk change the sync has read; lag = time() - this.",
    ["tenant"],
    multiprocess_mode="mostrecent",
)


def record_http_request(method: str, route: str, status: int, seconds: float) -> None:
    HTTP_REQUEST_SECONDS.labels(method, route, str(status)).observe(seconds)


def record_zendesk_call(endpoint: str, status: int | str) -> None:
    """`endpoint` is the client's kind of call ("tickets", "organization", …); `status` the
    HTTP status, or "timeout" / "transport_error" when no answer came."""
    ZENDESK_REQUESTS.labels(endpoint, str(status)).inc()


def record_rate_wait(seconds: float, priority: Priority) -> None:
    RATE_WAIT_SECONDS.labels(priority).observe(max(seconds, 0.0))


def record_answer_cache(hit: bool) -> None:
    ANSWER_CACHE.labels("hit" if hit else "miss").inc()


def set_sync_progress(tenant: str, *, progress: float | None, tickets: int) -> None:
    """`progress` 0..1, or None while unknown (reported as NaN)."""
    SYNC_PROGRESS.labels(tenant).set(float("nan") if progress is None else progress)
    SYNC_TICKETS.labels(tenant).set(tickets)


def set_sync_position(tenant: str, newest_change: datetime) -> None:
    """The export cursor's time: how far the sync has read Zendesk's changes."""
    SYNC_POSITION.labels(tenant).set(newest_change.timestamp())


def exposition() -> tuple[bytes, str]:
    """The text format for a scrape: every process's samples in multi-process mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
