"""The sidebar's question, answered: an organization's health, from the store, never a crash.

The account sync keeps the store current; a request for an organization it covers is answered
from the store at once, never waiting on Zendesk. An organization it has not reached yet (its
first pass still runs, or the organization is new) is fetched on its own at interactive
priority: the request waits at most `COLD_DEADLINE_SECONDS`, then answers 202 with progress.
When Zendesk fails, the last known data comes back marked stale with a reason and its code;
with nothing stored, the caller gets a clear 503.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from anyio import to_thread

from backend.api.signed_requests import SignedRequest
from backend.config import AppConfig
from backend.service.clients import ZendeskClients
from backend.service.problems import ZENDESK_UNAVAILABLE, problem_code
from backend.service.reports import Reports
from backend.service.settings_cache import EffectiveSettings, SettingsCache
from backend.service.sync import OrgKey, Syncer, SyncJob, SyncPlan, plan_sync
from backend.store.repository import AccountSyncState, Repository, StoredOrganization, SyncState
from backend.tenants import Tenant
from backend.zendesk.errors import ZendeskError, ZendeskNotFound, ZendeskRateLimited

log = logging.getLogger(__name__)

# A forced refresh (the sidebar's refresh button) never hits Zendesk more often than this.
MIN_FORCED_REFRESH = timedelta(seconds=30)
# After a failed fetch, Zendesk is asked again at most this often; answers meanwhile are stale.
RETRY_AFTER_FAILURE = timedelta(seconds=30)
# How long the account sync's state and an organization's row are read from memory before the
# store is asked again (another process may run the sync); this process's sync drops them.
MEMORY_SECONDS = 2.0


class OrganizationNotFound(Exception):
    """Zendesk does not know the organization."""


class HealthUnavailable(Exception):
    """Zendesk failed and nothing is stored to answer from; `code` says why (docs/api.md)."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class Computing:
    """A cold organization still being fetched: the 202 answer."""

    fetched: int
    total: int | None

    def to_dict(self) -> dict[str, Any]:
        return {"status": "computing", "progress": {"fetched": self.fetched, "total": self.total}}


@dataclass(frozen=True, slots=True)
class _Problem:
    reason: str
    code: str


def _sync_problem(state: AccountSyncState | SyncState | None) -> _Problem | None:
    """The reason the last sync failed, when it failed after the last success."""
    if state is None or state.last_error is None or state.last_attempt_at is None:
        return None
    if state.last_success_at is not None and state.last_success_at >= state.last_attempt_at:
        return None
    code = state.last_error_code or ZENDESK_UNAVAILABLE
    return _Problem(state.last_error, code)


def _nothing_stored(key: OrgKey, error: ZendeskError) -> HealthUnavailable:
    return HealthUnavailable(
        f"nothing is stored for organization {key[1]} yet, and Zendesk could not be read: {error}",
        problem_code(error),
    )


class HealthService:
    def __init__(
        self,
        config: AppConfig,
        repository: Repository,
        settings_cache: SettingsCache,
        syncer: Syncer,
        reports: Reports,
        clients: ZendeskClients,
    ) -> None:
        self._config = config
        self._repository = repository
        self._settings = settings_cache
        self._syncer = syncer
        self._reports = reports
        self._clients = clients
        self._states: dict[OrgKey, SyncState] = {}
        self._accounts: dict[str, tuple[float, AccountSyncState]] = {}
        self._organizations: dict[OrgKey, tuple[float, StoredOrganization | None]] = {}
        syncer.on_state = self._state_changed

    def _state_changed(self, key: OrgKey, state: SyncState) -> None:
        self._states[key] = state
        self._organizations.pop(key, None)
        if state.last_error is None:
            self._reports.forget(key[0], [key[1]])

    def facts_changed(self, tenant: str, organization_ids: set[int]) -> None:
        """The account sync of this process stored changes: read them again."""
        self._accounts.pop(tenant, None)
        for organization_id in organization_ids:
            self._organizations.pop((tenant, organization_id), None)
        self._reports.forget(tenant, organization_ids)

    async def health(
        self, request: SignedRequest, organization_id: int, *, locale: str, refresh: bool = False
    ) -> dict[str, Any] | Computing:
        tenant = request.tenant
        key = (tenant.subdomain, organization_id)
        deadline = self._config.cold_deadline_seconds
        effective = await self._settings.get(tenant, request.installation_id, deadline=deadline)
        account = await self._account(tenant.subdomain)
        organization = await self._organization(key)
        if account.first_pass_completed_at is not None and organization is not None:
            if refresh:
                await self._refresh_one(tenant, organization_id, deadline)
                self._organizations.pop(key, None)
                organization = await self._organization(key) or organization
            problem = _sync_problem(account)
            return await self._answer(
                key, organization, effective, locale, account.last_success_at, problem
            )
        return await self._fallback(tenant, key, organization, effective, locale, refresh)

    async def _fallback(
        self,
        tenant: Tenant,
        key: OrgKey,
        organization: StoredOrganization | None,
        effective: EffectiveSettings,
        locale: str,
        refresh: bool,
    ) -> dict[str, Any] | Computing:
        """An organization the account sync does not cover yet: fetched on its own."""
        now = datetime.now(UTC)
        state = await self._state(key)
        plan = plan_sync(
            state,
            now=now,
            window_days=effective.settings.window_days,
            organization_refresh=timedelta(seconds=self._config.organization_refresh_seconds),
        )
        stored = organization is not None and state is not None and state.covered_since is not None
        problem = _sync_problem(state)
        if stored and not plan.cold:
            assert organization is not None and state is not None
            age = now - (state.last_success_at or now)
            due = age >= timedelta(seconds=self._config.freshness_seconds) or (
                refresh and age >= MIN_FORCED_REFRESH
            )
            cooling = (
                problem is not None
                and state.last_attempt_at is not None
                and now - state.last_attempt_at < RETRY_AFTER_FAILURE
            )
            if due and not cooling:
                job = self._start(tenant, key, plan)
                if refresh and job is not None:
                    await self._wait(job, self._config.cold_deadline_seconds)
            refreshing = self._syncer.running(key) is not None
            state = self._states.get(key, state)
            fresh = await self._organization(key)
            return await self._answer(
                key,
                fresh or organization,
                effective,
                locale,
                state.last_success_at,
                _sync_problem(state),
                refreshing=refreshing,
            )
        return await self._cold(tenant, key, effective, locale, plan)

    async def _cold(
        self, tenant: Tenant, key: OrgKey, effective: EffectiveSettings, locale: str, plan: SyncPlan
    ) -> dict[str, Any] | Computing:
        try:
            job = self._syncer.start(tenant, key[1], plan)
        except ZendeskError as error:
            raise _nothing_stored(key, error) from None
        # A 429's Retry-After is waited out by the fetch, never by the request.
        paused = self._clients.for_tenant(tenant).budget.paused_for() > 0
        timeout = 0.0 if paused else self._config.cold_deadline_seconds
        try:
            state = await asyncio.wait_for(asyncio.shield(job.task), timeout=timeout)
        except (TimeoutError, ZendeskRateLimited):
            # Rate limited: the next fetch waits out the Retry-After in the background.
            return Computing(job.progress.fetched, job.progress.total)
        except ZendeskNotFound as error:
            raise OrganizationNotFound(
                f"organization {key[1]} not found in Zendesk ({error})"
            ) from None
        except ZendeskError as error:
            raise _nothing_stored(key, error) from None
        organization = await self._organization(key)
        if organization is None:
            raise HealthUnavailable(
                f"organization {key[1]} has no stored data yet", ZENDESK_UNAVAILABLE
            )
        return await self._answer(key, organization, effective, locale, state.last_success_at, None)

    async def _refresh_one(self, tenant: Tenant, organization_id: int, deadline: float) -> None:
        """The refresh button on an organization the account sync covers: its tickets updated
        since its newest stored one, now (one call), rather than at the next sync run."""
        key = (tenant.subdomain, organization_id)
        state = await self._state(key)
        now = datetime.now(UTC)
        if (
            state is not None
            and state.last_attempt_at
            and now - state.last_attempt_at < MIN_FORCED_REFRESH
        ):
            return
        newest = await to_thread.run_sync(self._repository.newest_update, *key)
        plan = SyncPlan(
            cold=False,
            updated_since=newest or now - timedelta(days=1),
            window_start=now,
            refresh_organization=True,
        )
        job = self._start(tenant, key, plan)
        if job is not None:
            await self._wait(job, deadline)

    def _start(self, tenant: Tenant, key: OrgKey, plan: SyncPlan) -> SyncJob | None:
        try:
            return self._syncer.start(tenant, key[1], plan)
        except ZendeskError as error:  # no credentials: the answer says so (stale)
            log.warning("cannot refresh %s/%s: %s", *key, error)
            return None

    @staticmethod
    async def _wait(job: SyncJob, deadline: float) -> None:
        # The answer comes from the store; a failure is kept in the sync state.
        with contextlib.suppress(TimeoutError, ZendeskError):
            await asyncio.wait_for(asyncio.shield(job.task), timeout=deadline)

    async def _state(self, key: OrgKey) -> SyncState | None:
        state = self._states.get(key)
        if state is None:
            state = await to_thread.run_sync(self._repository.sync_state, *key)
            if state is not None:
                self._states[key] = state
        return state

    async def _account(self, tenant: str) -> AccountSyncState:
        cached = self._accounts.get(tenant)
        if cached is not None and time.monotonic() - cached[0] < MEMORY_SECONDS:
            return cached[1]
        state = await to_thread.run_sync(self._repository.account_sync, tenant)
        self._accounts[tenant] = (time.monotonic(), state)
        return state

    async def _organization(self, key: OrgKey) -> StoredOrganization | None:
        cached = self._organizations.get(key)
        if cached is not None and time.monotonic() - cached[0] < MEMORY_SECONDS:
            return cached[1]
        organization = await to_thread.run_sync(self._repository.organization, *key)
        if len(self._organizations) > 50_000:  # bounded: a few hundred bytes per organization
            self._organizations.clear()
        self._organizations[key] = (time.monotonic(), organization)
        return organization

    async def _answer(
        self,
        key: OrgKey,
        organization: StoredOrganization,
        effective: EffectiveSettings,
        locale: str,
        data_as_of: datetime | None,
        problem: _Problem | None,
        *,
        refreshing: bool = False,
    ) -> dict[str, Any]:
        body, computing = await self._reports.answer(
            key[0], organization, effective, locale, deadline=self._config.cold_deadline_seconds
        )
        if problem is not None:
            log.warning("answering %s/%s from stored data: %s", *key, problem.reason)
        return {
            **body,
            "data_as_of": None if data_as_of is None else data_as_of.isoformat(),
            "stale": problem is not None,
            "stale_reason": None if problem is None else problem.reason,
            "stale_code": None if problem is None else problem.code,
            "refreshing": refreshing or computing,
        }
