"""Demo only: give each organization 90 days of score history, so the trend shows at once.

A real installation builds its history one daily snapshot at a time. The demo has no past,
so after an organization's first sync it scores every earlier day from the stored tickets
created by then (with today's ticket states: an approximation that is fine for a demo and
that the product itself never makes).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from datetime import time as day_end

import httpx

from backend.scoring import ScoringSettings, compute_health
from backend.scoring.trend import HISTORY_DAYS
from backend.service.health import HealthService
from backend.store.repository import Repository

log = logging.getLogger(__name__)


def backfill_history(
    repository: Repository,
    tenant: str,
    organization_id: int,
    settings: ScoringSettings,
    today: datetime,
    days: int = HISTORY_DAYS,
) -> int:
    """Write a snapshot for each of the `days` days before today that has none; returns how many."""
    organization = repository.organization(tenant, organization_id)
    if organization is None:
        return 0
    first_day = today.date() - timedelta(days=days)
    known = {s.day for s in repository.snapshots(tenant, organization_id, first_day)}
    tickets = repository.tickets(
        tenant, organization_id, today - timedelta(days=days + settings.window_days)
    )
    written = 0
    for offset in range(days, 0, -1):
        day = today.date() - timedelta(days=offset)
        if day in known:
            continue
        moment = datetime.combine(day, day_end.max, tzinfo=UTC)
        report = compute_health(organization, tickets, settings, moment)
        repository.save_snapshot(tenant, organization_id, day, report.score, report.colour)
        written += 1
    return written


def start_warm_up(
    backend_url: str,
    token: str,
    organization_ids: Sequence[int],
    repository: Repository,
    service: HealthService,
    tenant: str,
    settings: ScoringSettings,
) -> threading.Thread:
    """Sync every organization through the real API, then backfill its history (background)."""

    def run() -> None:
        with httpx.Client(base_url=backend_url, timeout=120) as client:
            for _ in range(300):  # the backend starts after this thread does
                try:
                    client.get("/healthz")
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            for organization_id in organization_ids:
                path = f"/api/v1/organizations/{organization_id}/health"
                try:
                    while (
                        client.get(path, headers={"Authorization": f"Bearer {token}"}).status_code
                        == 202
                    ):
                        time.sleep(0.5)
                    backfill_history(
                        repository, tenant, organization_id, settings, datetime.now(UTC)
                    )
                    service.forget_answers((tenant, organization_id))
                except Exception as error:  # the demo keeps serving whatever happens here
                    log.warning("demo warm-up of %s failed: %s", organization_id, error)
        log.info(
            "demo warm-up done: %d organizations with 90 days of history", len(organization_ids)
        )

    thread = threading.Thread(target=run, name="demo-warm-up", daemon=True)
    thread.start()
    return thread
