"""Demo only: give each organization 90 days of score history, so the trend shows at once.

A real installation builds its history one daily snapshot at a time. The demo has no past, so
once the account sync's first pass is stored it scores every earlier day from the stored tickets
created by then (with today's ticket states: an approximation that is fine for a demo and that
the product itself never makes).
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime, timedelta
from datetime import time as day_end

from backend.scoring import compute_health
from backend.scoring.trend import HISTORY_DAYS
from backend.service.reports import Reports, snapshot_of
from backend.service.settings_cache import EffectiveSettings
from backend.store.repository import Repository, SnapshotRecord

log = logging.getLogger(__name__)


def backfill_history(
    repository: Repository,
    tenant: str,
    effective: EffectiveSettings,
    today: datetime,
    days: int = HISTORY_DAYS,
) -> int:
    """Write a snapshot for each of the `days` days before today that has none, for every
    organization, under `effective`'s settings; returns how many."""
    settings = effective.settings
    first_day = today.date() - timedelta(days=days)
    since = today - timedelta(days=days + settings.window_days)
    tickets = dict(repository.tickets_by_organization(tenant, since))
    records: list[SnapshotRecord] = []
    for organization in repository.organizations(tenant):
        organization_id = organization.facts.id
        known = {
            s.day
            for s in repository.snapshots(
                tenant, organization_id, first_day, effective.score_fingerprint
            )
        }
        for offset in range(days, 0, -1):
            day = today.date() - timedelta(days=offset)
            if day in known:
                continue
            moment = datetime.combine(day, day_end.max, tzinfo=UTC)
            report = compute_health(
                organization.facts, tickets.get(organization_id, ()), settings, moment
            )
            records.append(
                snapshot_of(organization_id, report, effective, organization.revision, moment)
            )
    repository.save_snapshots(tenant, records)
    return len(records)


def start_warm_up(
    repository: Repository, reports: Reports, tenant: str, effective: EffectiveSettings
) -> threading.Thread:
    """Once the account sync's first pass is stored, backfill every organization's history."""

    def run() -> None:
        while repository.account_sync(tenant).first_pass_completed_at is None:
            time.sleep(0.5)
        try:
            written = backfill_history(repository, tenant, effective, datetime.now(UTC))
        except Exception as error:  # the demo keeps serving whatever happens here
            log.warning("demo history backfill failed: %s", error)
            return
        reports.forget_everything(tenant)
        log.info("demo history: %d daily snapshots written", written)

    thread = threading.Thread(target=run, name="demo-history", daemon=True)
    thread.start()
    return thread
