"""The sidebar's question, answered: an organization's health, fresh enough, never a crash.

Within `freshness` the answer comes from the store (and an in-process cache of computed
answers); after it, a warm sync fetches only what changed. A cold organization answers 202
with progress while its window is fetched in the background. When Zendesk fails, the last
known data comes back marked stale; with nothing stored, the caller gets a clear 503.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from anyio import to_thread
from cachetools import LRUCache

from backend.api.signed_requests import SignedRequest
from backend.config import AppConfig
from backend.scoring import compute_health, trend
from backend.scoring.trend import HISTORY_DAYS
from backend.service.clients import NoZendeskCredentials
from backend.service.settings_cache import EffectiveSettings, SettingsCache
from backend.service.sync import OrgKey, Syncer, plan_sync
from backend.store.repository import Repository, SyncState
from backend.zendesk.errors import ZendeskError, ZendeskNotFound

log = logging.getLogger(__name__)

# A forced refresh (the sidebar's refresh button) never hits Zendesk more often than this.
MIN_FORCED_REFRESH = timedelta(seconds=30)


# After a failed sync, Zendesk is asked again at most this often; answers meanwhile are stale.
RETRY_AFTER_FAILURE = timedelta(seconds=30)


def _last_error(state: SyncState | None) -> str | None:
    """The reason of the last sync when it failed (after the last success), else None."""
    if state is None or state.last_error is None or state.last_attempt_at is None:
        return None
    if state.last_success_at is not None and state.last_success_at >= state.last_attempt_at:
        return None
    return state.last_error


def _cooling_down(state: SyncState, now: datetime) -> bool:
    return state.last_attempt_at is not None and now - state.last_attempt_at < RETRY_AFTER_FAILURE


class OrganizationNotFound(Exception):
    """Zendesk does not know the organization."""


class HealthUnavailable(Exception):
    """Zendesk failed and nothing is stored to answer from."""


@dataclass(frozen=True, slots=True)
class Computing:
    """A cold organization still being fetched: the 202 answer."""

    fetched: int
    total: int | None

    def to_dict(self) -> dict[str, Any]:
        return {"status": "computing", "progress": {"fetched": self.fetched, "total": self.total}}


class HealthService:
    def __init__(
        self,
        config: AppConfig,
        repository: Repository,
        settings_cache: SettingsCache,
        syncer: Syncer,
    ) -> None:
        self._config = config
        self._repository = repository
        self._settings = settings_cache
        self._syncer = syncer
        self._states: dict[OrgKey, SyncState] = {}
        # (tenant, org) -> {(settings fingerprint, locale): answer body}
        self._answers: LRUCache[OrgKey, dict[tuple[str, str], dict[str, Any]]] = LRUCache(
            maxsize=10_000
        )
        self._answers_lock = threading.Lock()
        syncer.on_state = self._state_changed

    def forget_answers(self, key: OrgKey) -> None:
        """Drop the computed answers of one organization (its data or snapshots changed).

        Safe from any thread: the demo's history backfill calls it from outside the loop.
        """
        with self._answers_lock:
            self._answers.pop(key, None)

    def _state_changed(self, key: OrgKey, state: SyncState) -> None:
        self._states[key] = state
        if state.last_error is None:
            self.forget_answers(key)

    async def health(
        self, request: SignedRequest, organization_id: int, *, locale: str, refresh: bool = False
    ) -> dict[str, Any] | Computing:
        tenant = request.tenant
        key = (tenant.subdomain, organization_id)
        effective = await self._settings.get(tenant, request.installation_id)
        settings = effective.settings
        now = datetime.now(UTC)
        state = await self._state(key)
        plan = plan_sync(
            state,
            now=now,
            window_days=settings.window_days,
            time_spent_field_id=settings.time_spent_field_id,
            organization_refresh=timedelta(seconds=self._config.organization_refresh_seconds),
        )
        has_data = state is not None and state.covered_since is not None
        failing = _last_error(state)
        if has_data and not plan.cold:
            age = now - (state.last_success_at or now) if state else None
            fresh = age is not None and age < timedelta(seconds=self._config.freshness_seconds)
            if refresh and age is not None and age >= MIN_FORCED_REFRESH:
                fresh = False
            if fresh and failing is None:
                return await self._answer(key, effective, locale, state)
            if failing is not None and state and _cooling_down(state, now):
                return await self._answer(key, effective, locale, state, stale_reason=failing)

        try:
            job = self._syncer.start(tenant, organization_id, plan)
        except NoZendeskCredentials as error:
            return await self._fallback(key, effective, locale, state, has_data, str(error))
        try:
            state = await asyncio.wait_for(
                asyncio.shield(job.task), timeout=self._config.cold_deadline_seconds
            )
        except TimeoutError:
            if not has_data:
                return Computing(job.progress.fetched, job.progress.total)
            return await self._answer(
                key, effective, locale, state, stale_reason=failing, refreshing=True
            )
        except ZendeskNotFound as error:
            raise OrganizationNotFound(
                f"organization {organization_id} not found in Zendesk ({error})"
            ) from None
        except ZendeskError as error:
            return await self._fallback(key, effective, locale, state, has_data, str(error))
        return await self._answer(key, effective, locale, state)

    async def _fallback(
        self,
        key: OrgKey,
        effective: EffectiveSettings,
        locale: str,
        state: SyncState | None,
        has_data: bool,
        reason: str,
    ) -> dict[str, Any]:
        if not has_data:
            raise HealthUnavailable(f"Zendesk is unavailable and nothing is stored yet: {reason}")
        log.warning("answering %s/%s from stored data: %s", *key, reason)
        return await self._answer(key, effective, locale, state, stale_reason=reason)

    async def _state(self, key: OrgKey) -> SyncState | None:
        state = self._states.get(key)
        if state is None:
            state = await to_thread.run_sync(self._repository.sync_state, *key)
            if state is not None:
                self._states[key] = state
        return state

    async def _answer(
        self,
        key: OrgKey,
        effective: EffectiveSettings,
        locale: str,
        state: SyncState | None,
        *,
        stale_reason: str | None = None,
        refreshing: bool = False,
    ) -> dict[str, Any]:
        cache_key = (effective.fingerprint, locale)
        with self._answers_lock:
            answers = self._answers.get(key)
            body = None if answers is None else answers.get(cache_key)
        if body is None:
            body = await to_thread.run_sync(self._compute, key, effective, locale, state)
            with self._answers_lock:
                self._answers.setdefault(key, {})[cache_key] = body
        return {
            **body,
            "stale": stale_reason is not None,
            "stale_reason": stale_reason,
            "refreshing": refreshing,
        }

    def _compute(
        self, key: OrgKey, effective: EffectiveSettings, locale: str, state: SyncState | None
    ) -> dict[str, Any]:
        tenant, organization_id = key
        settings = effective.settings
        now = datetime.now(UTC)
        organization = self._repository.organization(tenant, organization_id)
        if organization is None:
            raise HealthUnavailable(f"organization {organization_id} has no stored data yet")
        tickets = self._repository.tickets(
            tenant, organization_id, now - timedelta(days=settings.window_days)
        )
        report = compute_health(
            organization,
            tickets,
            settings,
            now,
            locale=locale,
            settings_warnings=effective.warnings,
        )
        today = now.date()
        self._repository.save_snapshot(tenant, organization_id, today, report.score, report.colour)
        history = self._repository.snapshots(
            tenant, organization_id, today - timedelta(days=HISTORY_DAYS)
        )
        data_as_of = None if state is None else state.last_success_at
        return {
            "organization": {"id": organization.id, "name": organization.name},
            **report.to_dict(),
            "trend": trend(report.score, history, today).to_dict(),
            "computed_at": now.isoformat(),
            "data_as_of": None if data_as_of is None else data_as_of.isoformat(),
        }
