"""The account sync: every organization and ticket of an account into the store, page by page.

Organizations come from the incremental organization export, tickets from the cursor-based
incremental ticket export with metric sets (archived tickets included, deleted ones marked).
Each page is stored in one transaction together with the position after it, so a process
killed at any moment loses nothing and repeats at most one page. Facts do not depend on
settings, and reach back HISTORY_DAYS (the longest window a setting allows): any setting
change is a rescore from the store, never a refetch.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Final

from anyio import to_thread

from backend.observability.metrics import set_sync_position, set_sync_progress
from backend.service.clients import ZendeskClients
from backend.service.problems import problem_code
from backend.store.repository import AccountSyncState, Repository
from backend.tenants import Tenant
from backend.zendesk.errors import ZendeskError, ZendeskUnavailable
from backend.zendesk.ratelimit import Priority, priority

log = logging.getLogger(__name__)

HISTORY_DAYS: Final = 730  # the largest `window_days` a setting allows
# A long pass logs how far it got this often (serve's log; the CLI has its progress bar).
PROGRESS_LOG_SECONDS: Final = 30.0
# Zendesk refuses an export start_time within the last minute (and never returns that minute):
# a later start is moved back to this age, re-reading a little rather than refused.
EXPORT_MIN_AGE_SECONDS: Final = 61


@dataclass
class SyncProgress:
    """What one tenant's sync is doing, for the CLI's progress bar, logs and `/readyz`."""

    tenant: str
    state: str = "never"  # never | running | idle | failing
    phase: str | None = None  # full (the first pass, or --full) | incremental
    tickets: int = 0  # tickets read in this pass
    organizations: int = 0  # organizations read in this pass
    pages: int = 0
    rate_limit_waits: int = 0
    waited_seconds: float = 0.0
    progress: float | None = None  # share of the pass's time span read, 0..1
    eta_seconds: float | None = None
    last_success_at: datetime | None = None
    last_error: str | None = None
    last_error_code: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "state": self.state,
            "phase": self.phase,
            "tickets": self.tickets,
            "organizations": self.organizations,
            "progress": None if self.progress is None else round(self.progress, 4),
            "eta_seconds": None if self.eta_seconds is None else round(self.eta_seconds),
            "last_success_at": None
            if self.last_success_at is None
            else self.last_success_at.isoformat(),
            "last_error": self.last_error,
            "last_error_code": self.last_error_code,
        }


ProgressCallback = Callable[[SyncProgress], None]


def pass_progress(
    start: datetime, position: datetime | None, now: datetime, elapsed: float
) -> tuple[float | None, float | None]:
    """(share of the pass read, seconds left): the export runs oldest update first, so the
    position's share of [start, now] is how far the pass got."""
    if position is None:
        return None, None
    span = (now - start).total_seconds()
    share = 1.0 if span <= 0 else min(1.0, max(0.0, (position - start).total_seconds() / span))
    eta = elapsed * (1 - share) / share if 0 < share < 1 and elapsed > 0 else None
    return share, (0.0 if share >= 1 else eta)


class AccountSync:
    """Brings one tenant's store up to date with its Zendesk account (module doc)."""

    def __init__(self, repository: Repository, clients: ZendeskClients) -> None:
        self._repository = repository
        self._clients = clients
        self.progress: dict[str, SyncProgress] = {}
        # Told the organizations whose facts changed, so cached answers never outlive them.
        self.on_change: Callable[[str, set[int]], None] = lambda _tenant, _ids: None

    def status(self, tenant: str) -> SyncProgress:
        return self.progress.setdefault(tenant, SyncProgress(tenant))

    async def run(
        self, tenant: Tenant, *, full: bool = False, on_progress: ProgressCallback | None = None
    ) -> SyncProgress:
        """One sync: the organizations, then tickets until the export's end. Raises the
        ZendeskError that stopped it; the position stays at the last stored page."""
        key = tenant.subdomain
        repo = self._repository
        progress = self.status(key)
        state = await to_thread.run_sync(repo.account_sync, key)
        now = datetime.now(UTC)
        if full or state.pass_start_time is None:
            state = replace(
                state,
                ticket_cursor=None,
                pass_start_time=int((now - timedelta(days=HISTORY_DAYS)).timestamp()),
                organizations_start_time=None if full else state.organizations_start_time,
                pass_started_at=now,
                position_at=None,
                tickets_synced=0,
                organizations_synced=0,
            )
        first_pass = state.first_pass_completed_at is None or full
        if not first_pass:  # an incremental run counts its own pages
            state = replace(state, tickets_synced=0, organizations_synced=0)
        progress.state, progress.phase = "running", "full" if first_pass else "incremental"
        progress.tickets, progress.organizations = state.tickets_synced, state.organizations_synced
        progress.pages = 0
        started = time.monotonic()
        client = self._clients.for_tenant(tenant)
        waits_before = (client.budget.waits, client.budget.waited_seconds)

        logged = [time.monotonic()]

        def report(state: AccountSyncState) -> None:
            progress.tickets, progress.organizations = (
                state.tickets_synced,
                state.organizations_synced,
            )
            progress.rate_limit_waits = client.budget.waits - waits_before[0]
            progress.waited_seconds = client.budget.waited_seconds - waits_before[1]
            start = datetime.fromtimestamp(state.pass_start_time or 0, UTC)
            progress.progress, progress.eta_seconds = pass_progress(
                start, state.position_at, datetime.now(UTC), time.monotonic() - started
            )
            set_sync_progress(key, progress=progress.progress, tickets=state.tickets_synced)
            if state.position_at is not None:
                set_sync_position(key, state.position_at)
            if on_progress is not None:
                on_progress(progress)
            if time.monotonic() - logged[0] >= PROGRESS_LOG_SECONDS:
                logged[0] = time.monotonic()
                log.info(
                    "account sync of %s: %s pass %.0f %%, %d tickets and %d organizations read, "
                    "%d rate-limit waits, about %s left",
                    key,
                    progress.phase,
                    100 * (progress.progress or 0),
                    progress.tickets,
                    progress.organizations,
                    progress.rate_limit_waits,
                    "?" if progress.eta_seconds is None else f"{progress.eta_seconds:.0f} s",
                )

        attempt = datetime.now(UTC)
        try:
            with priority(Priority.BACKGROUND):
                state = await self._organizations(tenant, state, report)
                state = await self._tickets(tenant, state, report)
        except ZendeskError as error:
            failed = replace(
                await to_thread.run_sync(repo.account_sync, key),
                last_attempt_at=attempt,
                last_error=str(error),
                last_error_code=problem_code(error),
            )
            await to_thread.run_sync(repo.save_account_sync, key, failed)
            progress.state = "failing"
            progress.last_error, progress.last_error_code = str(error), problem_code(error)
            log.warning("account sync of %s stopped: %s", key, error)
            raise
        done = replace(
            state,
            first_pass_completed_at=state.first_pass_completed_at
            if state.first_pass_completed_at and not full
            else datetime.now(UTC),
            last_success_at=attempt,
            last_attempt_at=attempt,
            last_error=None,
            last_error_code=None,
        )
        await to_thread.run_sync(repo.save_account_sync, key, done)
        progress.state, progress.progress, progress.eta_seconds = "idle", 1.0, 0.0
        set_sync_progress(key, progress=1.0, tickets=progress.tickets)
        progress.last_success_at, progress.last_error, progress.last_error_code = (
            attempt,
            None,
            None,
        )
        report(done)
        log.info(
            "account sync of %s: %s pass, %d tickets and %d organizations in %d pages, %.1f s",
            key,
            progress.phase,
            done.tickets_synced,
            done.organizations_synced,
            progress.pages,
            time.monotonic() - started,
        )
        return progress

    async def _organizations(
        self,
        tenant: Tenant,
        state: AccountSyncState,
        report: Callable[[AccountSyncState], None],
    ) -> AccountSyncState:
        client = self._clients.for_tenant(tenant)
        start = state.organizations_start_time or 0
        asked: int | None = None
        while True:
            ask = min(start, int(time.time()) - EXPORT_MIN_AGE_SECONDS)
            if ask == asked:
                break  # the rest is within the last minute: the next run reads it
            asked = ask
            page = await client.incremental_organizations(ask)
            end = page.end_time
            if end is None or end < ask:
                raise ZendeskUnavailable("the organization export sent no usable end_time")
            state = replace(
                state,
                organizations_start_time=end,
                organizations_synced=state.organizations_synced + len(page.organizations),
            )
            changed = await to_thread.run_sync(
                self._repository.apply_organization_page,
                tenant.subdomain,
                page.organizations,
                page.deleted,
                state,
            )
            if changed:
                self.on_change(tenant.subdomain, changed)
            self.status(tenant.subdomain).pages += 1
            report(state)
            if page.end_of_stream:
                break
            start = end
        return state

    async def _tickets(
        self,
        tenant: Tenant,
        state: AccountSyncState,
        report: Callable[[AccountSyncState], None],
    ) -> AccountSyncState:
        client = self._clients.for_tenant(tenant)
        while True:
            if state.ticket_cursor:
                page = await client.incremental_tickets(cursor=state.ticket_cursor)
            else:
                page = await client.incremental_tickets(start_time=state.pass_start_time)
            if page.after_cursor is None and not page.end_of_stream:
                raise ZendeskUnavailable("the ticket export said there is more but sent no cursor")
            if page.after_cursor == state.ticket_cursor and not page.end_of_stream:
                raise ZendeskUnavailable("the ticket export sent the same cursor twice")
            newest = max((t.updated_at for _, t in page.tickets), default=None)
            state = replace(
                state,
                ticket_cursor=page.after_cursor or state.ticket_cursor,
                tickets_synced=state.tickets_synced + len(page.tickets),
                position_at=max(filter(None, (state.position_at, newest)), default=None),
            )
            keep_since = datetime.now(UTC) - timedelta(days=HISTORY_DAYS)
            touched = await to_thread.run_sync(
                self._repository.apply_ticket_page,
                tenant.subdomain,
                page.tickets,
                state,
                keep_since,
            )
            if touched:
                self.on_change(tenant.subdomain, touched)
            self.status(tenant.subdomain).pages += 1
            report(state)
            if page.end_of_stream:
                return state


def sync_status(
    state: AccountSyncState, live: SyncProgress | None, now: datetime | None = None
) -> dict[str, object]:
    """The sync's state for `/api/v1/sync`: this process's live progress when it runs the sync,
    else what the store says (another process may run it)."""
    if live is not None and live.state != "never":
        answer = live.to_dict()
        if answer["last_success_at"] is None and state.last_success_at is not None:
            # Since this process started nothing succeeded; the store knows the last success.
            answer["last_success_at"] = state.last_success_at.isoformat()
        return answer
    now = now or datetime.now(UTC)
    status = SyncProgress("")
    if state.pass_start_time is None:
        return status.to_dict()
    failing = state.last_error is not None and (
        state.last_success_at is None
        or (state.last_attempt_at is not None and state.last_attempt_at > state.last_success_at)
    )
    first_pass = state.first_pass_completed_at is None
    status.state = "failing" if failing else "running" if first_pass else "idle"
    status.phase = "full" if first_pass else "incremental"
    status.tickets, status.organizations = state.tickets_synced, state.organizations_synced
    status.last_success_at, status.last_error = state.last_success_at, state.last_error
    status.last_error_code = state.last_error_code
    if first_pass:
        elapsed = (now - (state.pass_started_at or now)).total_seconds()
        start = datetime.fromtimestamp(state.pass_start_time, UTC)
        status.progress, status.eta_seconds = pass_progress(start, state.position_at, now, elapsed)
    else:
        status.progress, status.eta_seconds = 1.0, 0.0
    return status.to_dict()


def sync_summary(states: list[AccountSyncState], *, leader: bool) -> dict[str, object]:
    """The sync across every tenant, for the public /readyz: counts and the slowest first
    pass's progress, never a tenant's name (those go to the log)."""
    statuses = [sync_status(state, None) for state in states]
    running = [s for s in statuses if s["state"] == "running"]
    progress = [s["progress"] for s in running if isinstance(s["progress"], float)]
    return {
        "leader": leader,
        "tenants": len(statuses),
        "running": len(running),
        "failing": sum(s["state"] == "failing" for s in statuses),
        "first_pass_progress": min(progress) if progress else None,
    }
