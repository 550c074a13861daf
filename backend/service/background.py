"""What `serve` does besides answering: the account sync of every tenant, every interval, and
the daily pass that scores every organization into its daily snapshot.

A full pass runs at the first start (the cursor lives in the store, so a restart resumes it);
then an incremental run every `SYNC_INTERVAL_SECONDS`. Once a day, after a successful run, every
organization is scored under each installation's settings, so customers nobody opened get a
current score and a history, and tickets older than any window are pruned.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from anyio import to_thread

from backend.service.account_sync import HISTORY_DAYS, AccountSync
from backend.service.reports import Reports
from backend.service.settings_cache import SettingsCache
from backend.store.coordination import Leadership, always_leader
from backend.store.repository import Repository
from backend.tenants import Tenant
from backend.zendesk.errors import ZendeskError

log = logging.getLogger(__name__)

# A process that does not run the sync asks again this often: it takes over within this
# time when the one that ran it dies.
LEADERSHIP_RETRY_SECONDS = 30.0


class SyncScheduler:
    def __init__(
        self,
        repository: Repository,
        account_sync: AccountSync,
        settings: SettingsCache,
        reports: Reports,
        tenants: Callable[[], list[Tenant]],
        *,
        interval: float,
        leadership: Leadership = always_leader,
    ) -> None:
        self._repository = repository
        self._sync = account_sync
        self._settings = settings
        self._reports = reports
        self._tenants = tenants
        self._interval = interval
        self._leadership = leadership
        self._task: asyncio.Task[None] | None = None
        self.leading = False  # whether this process ran the last round (for /readyz)

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._forever(), name="account-sync")

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _forever(self) -> None:
        while True:
            leader = False
            try:
                async with self._leadership() as leader:
                    self.leading = leader
                    if leader:
                        await self.run_round()
            except asyncio.CancelledError:
                raise
            except Exception:  # the loop must outlive any one failure; the log has it
                log.exception("account sync round failed")
            await asyncio.sleep(
                self._interval if leader else min(self._interval, LEADERSHIP_RETRY_SECONDS)
            )

    async def run_round(self) -> None:
        tenants = await to_thread.run_sync(self._tenants)
        for tenant in tenants:
            if tenant.auth_kind is None:
                continue
            try:
                await self._sync.run(tenant)
            except ZendeskError:
                continue  # logged and kept in the sync state; the next round retries
            await self.daily_pass(tenant)

    async def daily_pass(self, tenant: Tenant, *, force: bool = False) -> int:
        """Score every organization into today's snapshot, once a day; returns how many."""
        key = tenant.subdomain
        state = await to_thread.run_sync(self._repository.account_sync, key)
        today = datetime.now(UTC).date()
        if state.daily_pass_on == today and not force:
            return 0
        try:
            installations = await self._settings.all(tenant)
        except ZendeskError as error:
            log.warning("daily pass of %s postponed: settings unreadable: %s", key, error)
            return 0
        scored = 0
        for effective in installations:
            reports = await to_thread.run_sync(self._reports.rescore_all, key, effective)
            scored += len(reports)
        pruned = await to_thread.run_sync(
            self._repository.prune_tickets,
            key,
            datetime.now(UTC) - timedelta(days=HISTORY_DAYS + 1),
        )
        latest = await to_thread.run_sync(self._repository.account_sync, key)
        await to_thread.run_sync(
            self._repository.save_account_sync, key, replace(latest, daily_pass_on=today)
        )
        log.info(
            "daily pass of %s: %d snapshots under %d settings, %d old tickets pruned",
            key,
            scored,
            len(installations),
            pruned,
        )
        return scored
