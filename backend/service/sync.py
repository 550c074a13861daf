"""One organization fetched on its own, before the account sync reached it: cold window fetch
or warm increment, at interactive priority (a sidebar is waiting).

This is the fallback of DESIGN §8: an organization created since the account sync's last pass,
or any organization while the first pass still runs. Concurrent requests for one organization
share one running fetch (single-flight).
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from anyio import to_thread

from backend.service.clients import ZendeskClients
from backend.service.problems import problem_code
from backend.store.coordination import LocalLocks, Locks
from backend.store.repository import Repository, SyncState
from backend.tenants import Tenant
from backend.zendesk.client import ZendeskClient
from backend.zendesk.errors import ZendeskError
from backend.zendesk.ratelimit import Priority, priority

log = logging.getLogger(__name__)

OrgKey = tuple[str, int]


@dataclass
class Progress:
    """How far a running sync got, for the 202 answer."""

    fetched: int = 0
    total: int | None = None


@dataclass(frozen=True, slots=True)
class SyncJob:
    task: asyncio.Task[SyncState]
    progress: Progress


@dataclass(frozen=True, slots=True)
class SyncPlan:
    """What one sync fetches: the window start for a cold fetch, or the high-water mark."""

    cold: bool
    updated_since: datetime
    window_start: datetime
    refresh_organization: bool


def plan_sync(
    state: SyncState | None,
    *,
    now: datetime,
    window_days: int,
    organization_refresh: timedelta,
) -> SyncPlan:
    """Cold when nothing covers the window; else warm from the high-water mark."""
    window_start = now - timedelta(days=window_days)
    cold = (
        state is None
        or state.covered_since is None
        or state.high_water_mark is None
        or state.covered_since > window_start
    )
    fetched_at = None if state is None else state.organization_fetched_at
    refresh_organization = cold or fetched_at is None or now - fetched_at >= organization_refresh
    since = window_start if cold or state is None else state.high_water_mark
    assert since is not None
    return SyncPlan(cold, since, window_start, refresh_organization)


def estimate_window_total(
    fetched: int, oldest: datetime, now: datetime, since: datetime, upper: int | None
) -> int:
    """How many tickets the window holds, extrapolated from how much of it is read so far.

    Zendesk's count is the organization's all-time total, far more than a 90-day window of a
    long-standing customer; pages come newest first, so the share of the window already
    covered (now − oldest updated_at read) predicts the rest. The count stays an upper bound.
    """
    window = (now - since).total_seconds()
    covered = (now - oldest).total_seconds() / window if window > 0 else 1.0
    estimate = fetched if covered >= 1 else math.ceil(fetched / max(covered, 1e-6))
    return max(fetched, estimate if upper is None else min(upper, estimate))


@dataclass
class Syncer:
    repository: Repository
    clients: ZendeskClients
    # Shared with the other processes of a deployment: one fetch per organization in all.
    locks: Locks = field(default_factory=LocalLocks)
    # Told every new sync state, success or failure, so caches never outlive the data.
    on_state: Callable[[OrgKey, SyncState], None] = lambda _key, _state: None
    jobs: dict[OrgKey, SyncJob] = field(default_factory=dict)

    def running(self, key: OrgKey) -> SyncJob | None:
        return self.jobs.get(key)

    def start(self, tenant: Tenant, organization_id: int, plan: SyncPlan) -> SyncJob:
        """Start a sync, or join the one already running for this organization."""
        key = (tenant.subdomain, organization_id)
        job = self.jobs.get(key)
        if job is not None:
            return job
        progress = Progress()
        with priority(Priority.INTERACTIVE):  # the task copies this context
            task = asyncio.get_running_loop().create_task(
                self._run(tenant, organization_id, plan, progress)
            )
        job = SyncJob(task, progress)
        self.jobs[key] = job
        task.add_done_callback(lambda t: self._finished(key, job, t))
        return job

    def _finished(self, key: OrgKey, job: SyncJob, task: asyncio.Task[SyncState]) -> None:
        if self.jobs.get(key) is job:
            del self.jobs[key]
        if not task.cancelled() and task.exception() is not None:
            log.info("sync of %s/%s failed: %s", *key, task.exception())

    async def _run(
        self, tenant: Tenant, organization_id: int, plan: SyncPlan, progress: Progress
    ) -> SyncState:
        async with self.locks.hold(f"fetch:{tenant.subdomain}:{organization_id}") as first:
            started = datetime.now(UTC)
            if not first:  # another process fetched it meanwhile: read what it stored
                done = await to_thread.run_sync(
                    self.repository.sync_state, tenant.subdomain, organization_id
                )
                if done is not None and done.last_success_at and done.last_error is None:
                    self.on_state((tenant.subdomain, organization_id), done)
                    return done
            return await self._fetch(tenant, organization_id, plan, progress, started)

    async def _fetch(
        self,
        tenant: Tenant,
        organization_id: int,
        plan: SyncPlan,
        progress: Progress,
        started: datetime,
    ) -> SyncState:
        repo = self.repository
        key = tenant.subdomain
        previous = await to_thread.run_sync(repo.sync_state, key, organization_id)
        client = self.clients.for_tenant(tenant)

        def report(fetched: int, oldest: datetime | None) -> None:
            progress.fetched = fetched
            if plan.cold and oldest is not None:
                progress.total = estimate_window_total(
                    fetched, oldest, started, plan.updated_since, progress.total
                )

        try:
            if plan.cold:
                organization, progress.total = await asyncio.gather(
                    client.get_organization(organization_id),
                    _ticket_count(client, organization_id),
                )
            elif plan.refresh_organization:
                organization = await client.get_organization(organization_id)
            else:
                organization = None
            if organization is not None:
                await to_thread.run_sync(repo.save_organization, key, organization)
            tickets = await client.fetch_organization_tickets(
                organization_id, updated_since=plan.updated_since, on_page=report
            )
            await to_thread.run_sync(repo.save_tickets, key, organization_id, tickets)
        except ZendeskError as error:
            failed = replace(
                previous or SyncState(),
                last_attempt_at=started,
                last_error=str(error),
                last_error_code=problem_code(error),
            )
            await to_thread.run_sync(repo.save_sync_state, key, organization_id, failed)
            self.on_state((key, organization_id), failed)
            raise
        marks = [t.updated_at for t in tickets]
        if previous is not None and previous.high_water_mark is not None and not plan.cold:
            marks.append(previous.high_water_mark)
        state = SyncState(
            covered_since=plan.window_start
            if plan.cold
            else (previous or SyncState()).covered_since,
            high_water_mark=max(marks, default=plan.updated_since),
            last_success_at=started,
            last_attempt_at=started,
            last_error=None,
            last_error_code=None,
        )
        await to_thread.run_sync(repo.save_sync_state, key, organization_id, state)
        log.info(
            "synced %s/%s: %s, %d tickets",
            key,
            organization_id,
            "cold" if plan.cold else "warm",
            len(tickets),
        )
        saved = await to_thread.run_sync(repo.sync_state, key, organization_id) or state
        self.on_state((key, organization_id), saved)
        return saved

    async def aclose(self) -> None:
        tasks = [job.task for job in self.jobs.values()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def _ticket_count(client: ZendeskClient, organization_id: int) -> int | None:
    """The count only feeds the progress bar: a Zendesk that cannot count must not fail a sync."""
    try:
        return await client.count_organization_tickets(organization_id)
    except ZendeskError as error:
        log.info("no ticket count for organization %s: %s", organization_id, error)
        return None
