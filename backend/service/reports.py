"""Answers computed from the store: one organization's report, or every organization's score.

An organization's report is computed once per (organization, settings, revision), whatever
the number of waiting requests or their languages (single-flight; the language only changes
the recommendations' texts), and kept twice: in memory for the next request, and in the store
so that a restarted process answers at once, whatever the organization's size.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from anyio import to_thread
from cachetools import LRUCache

from backend.observability.metrics import record_answer_cache
from backend.scoring import HealthReport, compute_health, trend
from backend.scoring.health import recommendations
from backend.scoring.report import Snapshot
from backend.scoring.trend import HISTORY_DAYS
from backend.service.settings_cache import EffectiveSettings
from backend.store.repository import (
    Repository,
    SnapshotRecord,
    StoredOrganization,
    StoredReport,
)

log = logging.getLogger(__name__)

AnswerKey = tuple[str, int, str, str]  # tenant, organization, settings fingerprint, locale
# With an earlier answer at hand, a request waits this long for the new one, then answers with
# the earlier one (marked refreshing) rather than keeping an agent waiting.
RECOMPUTE_WAIT_SECONDS = 0.3
_ComputeKey = tuple[str, int, str, int]  # tenant, organization, settings fingerprint, revision


@dataclass(frozen=True, slots=True)
class Computed:
    """One organization's report under one set of settings, before choosing a language."""

    organization: StoredOrganization
    report: HealthReport
    history: tuple[Snapshot, ...]
    computed_at: datetime


def snapshot_of(
    organization_id: int,
    report: HealthReport,
    effective: EffectiveSettings,
    revision: int,
    now: datetime,
) -> SnapshotRecord:
    return SnapshotRecord(
        organization_id,
        now.date(),
        effective.score_fingerprint,
        report.score,
        report.colour,
        {k.key: k.score for k in report.kpis},
        revision,
    )


class Reports:
    def __init__(self, repository: Repository, *, max_age: float) -> None:
        self._repository = repository
        self._max_age = max_age  # the window slides: a report this old is computed again
        self._memory: LRUCache[AnswerKey, StoredReport] = LRUCache(maxsize=20_000)
        self._lock = threading.Lock()
        self._running: dict[_ComputeKey, asyncio.Task[Computed]] = {}
        self.hits = 0
        self.misses = 0

    def forget(self, tenant: str, organization_ids: Iterable[int] | None = None) -> None:
        """Drop the remembered answers of these organizations (all of the tenant's: None)."""
        ids = None if organization_ids is None else set(organization_ids)
        with self._lock:
            for key in [k for k in self._memory if k[0] == tenant and (ids is None or k[1] in ids)]:
                self._memory.pop(key, None)

    def forget_everything(self, tenant: str) -> None:
        """Drop the tenant's answers in memory and in the store: snapshots were written under
        them (a daily pass, a history backfill) without any organization's facts changing."""
        self.forget(tenant)
        self._repository.delete_reports(tenant)

    async def answer(
        self,
        tenant: str,
        organization: StoredOrganization,
        effective: EffectiveSettings,
        locale: str,
        *,
        deadline: float,
    ) -> tuple[dict[str, Any], bool]:
        """The answer body and whether a newer one is still being computed."""
        key = (tenant, organization.facts.id, effective.fingerprint, locale)
        with self._lock:
            remembered = self._memory.get(key)
        if remembered is not None and self._current(remembered, organization):
            self.hits += 1
            record_answer_cache(hit=True)
            return remembered.body, False
        self.misses += 1
        record_answer_cache(hit=False)
        stored = remembered or await to_thread.run_sync(
            self._repository.report, tenant, organization.facts.id, effective.fingerprint, locale
        )
        if stored is not None and self._current(stored, organization):
            with self._lock:
                self._memory[key] = stored
            return stored.body, False
        task = self._compute(tenant, organization, effective)
        wait = deadline if stored is None else min(deadline, RECOMPUTE_WAIT_SECONDS)
        try:
            computed = await asyncio.wait_for(asyncio.shield(task), timeout=wait)
        except TimeoutError:
            if stored is not None:  # the last answer, while the new one is computed
                return stored.body, True
            computed = await task
        report = StoredReport(
            organization.revision, computed.computed_at, body_of(computed, effective, locale)
        )
        with self._lock:
            self._memory[key] = report
        await to_thread.run_sync(
            self._repository.save_report,
            tenant,
            organization.facts.id,
            effective.fingerprint,
            locale,
            report,
        )
        return report.body, False

    def _current(self, report: StoredReport, organization: StoredOrganization) -> bool:
        age = (datetime.now(UTC) - report.computed_at).total_seconds()
        return report.revision == organization.revision and age < self._max_age

    def _compute(
        self, tenant: str, organization: StoredOrganization, effective: EffectiveSettings
    ) -> asyncio.Task[Computed]:
        key = (tenant, organization.facts.id, effective.fingerprint, organization.revision)
        task = self._running.get(key)
        if task is None:
            task = asyncio.get_running_loop().create_task(
                to_thread.run_sync(self.compute, tenant, organization, effective)
            )
            self._running[key] = task
            task.add_done_callback(lambda _t: self._running.pop(key, None))
        return task

    def compute(
        self, tenant: str, organization: StoredOrganization, effective: EffectiveSettings
    ) -> Computed:
        """Score one organization from the store and write today's snapshot (thread pool)."""
        settings = effective.settings
        now = datetime.now(UTC)
        started = time.perf_counter()
        tickets = self._repository.tickets(
            tenant, organization.facts.id, now - timedelta(days=settings.window_days)
        )
        report = compute_health(
            organization.facts, tickets, settings, now, settings_warnings=effective.warnings
        )
        self._repository.save_snapshots(
            tenant,
            [snapshot_of(organization.facts.id, report, effective, organization.revision, now)],
        )
        history = self._repository.snapshots(
            tenant,
            organization.facts.id,
            now.date() - timedelta(days=HISTORY_DAYS),
            effective.score_fingerprint,
        )
        log.debug(
            "scored %s/%s: %d tickets in %.0f ms",
            tenant,
            organization.facts.id,
            len(tickets),
            1000 * (time.perf_counter() - started),
        )
        return Computed(organization, report, tuple(history), now)

    def rescore_all(
        self, tenant: str, effective: EffectiveSettings, now: datetime | None = None
    ) -> dict[int, HealthReport]:
        """Every organization of the tenant scored from the store (thread pool); today's
        snapshots written. No Zendesk call: facts do not depend on settings."""
        now = now or datetime.now(UTC)
        settings = effective.settings
        organizations = {o.facts.id: o for o in self._repository.organizations(tenant)}
        reports: dict[int, HealthReport] = {}
        since = now - timedelta(days=settings.window_days)
        for organization_id, tickets in self._repository.tickets_by_organization(tenant, since):
            organization = organizations.get(organization_id)
            if organization is not None:
                reports[organization_id] = compute_health(
                    organization.facts, tickets, settings, now, locale=None
                )
        for organization_id, organization in organizations.items():
            if organization_id not in reports:
                reports[organization_id] = compute_health(
                    organization.facts, (), settings, now, locale=None
                )
        self._repository.save_snapshots(
            tenant,
            [
                snapshot_of(i, r, effective, organizations[i].revision, now)
                for i, r in reports.items()
            ],
        )
        self.forget_everything(tenant)
        return reports


def body_of(computed: Computed, effective: EffectiveSettings, locale: str) -> dict[str, Any]:
    """The JSON of DESIGN §5 (without the fields that describe this very request)."""
    report = replace(
        computed.report,
        recommendations=recommendations(computed.report.kpis, effective.settings, locale),
    )
    organization = computed.organization.facts
    return {
        "organization": {"id": organization.id, "name": organization.name},
        **report.to_dict(),
        "trend": trend(
            report.score, computed.history, computed.computed_at.date(), report.kpis
        ).to_dict(),
        "computed_at": computed.computed_at.isoformat(),
    }
