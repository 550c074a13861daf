"""The app's settings, read by the backend from the account itself (DESIGN §3), cached.

Claims are written in the agent's browser, so the `installation_id` claim only *picks* among
the installations of this app that the account lists; it never brings settings of its own.
The list is cached for `ttl` seconds and refreshed single-flight; past its TTL the cached copy
is still used while one refresh runs (stale-while-revalidate), so a sidebar request never
queues behind Zendesk for its settings once they were read.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any, Final

from backend.scoring import ScoringSettings
from backend.scoring.settings import SETTING_NAMES
from backend.service.clients import ZendeskClients
from backend.store.coordination import LocalLocks, Locks, SharedInstallations
from backend.tenants import Tenant
from backend.zendesk.errors import ZendeskError
from backend.zendesk.parse import as_int
from backend.zendesk.ratelimit import Priority, priority

log = logging.getLogger(__name__)

# Settings that shape the answer but not the score or its colour: a change to one of them
# keeps the organization's score history (snapshots are per score fingerprint).
ANSWER_ONLY_SETTINGS: Final = frozenset({"recommendations", "goal_score", "onboarding_days"})
# After a failed first read, the next request tries again at most this often.
RETRY_AFTER_FAILURE: Final = 30.0
# An installation id not in the list makes the list be read again (a new installation), but
# at most this often; the same unknown id is refused without asking for a whole TTL.
UNKNOWN_RECHECK_SECONDS: Final = 10.0


class UnknownInstallation(Exception):
    """The token's installation is not an installation of this app in the account."""


@dataclass(frozen=True, slots=True)
class EffectiveSettings:
    """One installation's parsed settings, what was wrong with them, and their fingerprints."""

    settings: ScoringSettings
    warnings: tuple[str, ...]
    fingerprint: str  # everything that shapes an answer: the key of stored reports
    score_fingerprint: str  # what shapes score and colour: the key of snapshots
    installation_id: int | None = None
    # The installation's settings as Zendesk gave them: a what-if changes some of them.
    raw: Mapping[str, object] = field(default_factory=dict, compare=False)


def effective_settings(
    raw: Mapping[str, object],
    extra_warnings: tuple[str, ...] = (),
    installation_id: int | None = None,
) -> EffectiveSettings:
    settings, warnings = ScoringSettings.from_zendesk(raw)
    full, score = fingerprints(settings)
    return EffectiveSettings(
        settings, extra_warnings + warnings, full, score, installation_id, dict(raw)
    )


def fingerprints(settings: ScoringSettings) -> tuple[str, str]:
    """Hashes of the parsed settings (so "90" and 90 agree): all of them, and the score's."""
    values = {f.name: _plain(getattr(settings, f.name)) for f in fields(settings)}
    score_values = {k: v for k, v in values.items() if k not in ANSWER_ONLY_SETTINGS}
    return _digest(values), _digest(score_values)


def _plain(value: object) -> object:
    if isinstance(value, Mapping):
        return {".".join(k) if isinstance(k, tuple) else str(k): v for k, v in value.items()}
    return value


def _digest(values: Mapping[str, object]) -> str:
    text = json.dumps(values, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def app_installations(
    installations: list[dict[str, Any]], app_id: int | None
) -> dict[int, Mapping[str, object]]:
    """This app's enabled installations among the account's, by id, with their settings.

    With `app_id` (ZENDESK_APP_ID) configured, exactly that app's. Otherwise the app is
    recognised by its settings: the required `backend_url` together with Customer Health's
    own parameter names; every installation of an app recognised that way counts.
    """

    def settings_of(installation: Mapping[str, Any]) -> Mapping[str, object]:
        settings = installation.get("settings")
        return settings if isinstance(settings, Mapping) else {}

    if app_id is None:
        ours = {
            as_int(i.get("app_id"))
            for i in installations
            if "backend_url" in settings_of(i) and set(settings_of(i)) & _OWN_PARAMETERS
        }
    else:
        ours = {app_id}
    found: dict[int, Mapping[str, object]] = {}
    for installation in installations:
        installation_id = as_int(installation.get("id"))
        if installation_id is None or as_int(installation.get("app_id")) not in ours:
            continue
        if installation.get("enabled") is False:
            continue
        found[installation_id] = settings_of(installation)
    return found


_OWN_PARAMETERS: Final = frozenset(SETTING_NAMES)


@dataclass(frozen=True, slots=True)
class _Installations:
    read_at: float
    by_id: dict[int, EffectiveSettings]


class SettingsCache:
    """Each tenant's installations of this app, read from Zendesk and cached (module doc)."""

    def __init__(
        self,
        clients: ZendeskClients,
        ttl: float,
        *,
        app_id: int | None = None,
        shared: SharedInstallations | None = None,
        locks: Locks | None = None,
    ) -> None:
        self._clients = clients
        self._ttl = ttl
        self._app_id = app_id
        # Several processes: one reads Zendesk per TTL, the others read what it stored.
        self._shared = shared
        self._locks = locks or LocalLocks()
        self._entries: dict[str, _Installations] = {}
        self._refreshing: dict[str, asyncio.Task[_Installations]] = {}
        self._failed_at: dict[str, float] = {}
        self._unknown: dict[tuple[str, int], float] = {}

    async def get(
        self, tenant: Tenant, installation_id: int | None, *, deadline: float
    ) -> EffectiveSettings:
        """The settings of the installation the token names (or the only one), waiting at
        most `deadline` seconds for Zendesk, and only when nothing usable is cached."""
        key = tenant.subdomain
        entry = self._entries.get(key)
        if entry is None and self._failed_recently(key):
            return effective_settings(
                {},
                ("settings: could not read the app's settings from Zendesk; using the defaults",),
                installation_id,
            )
        if entry is None:
            try:
                entry = await self._wait(self._refresh(tenant), deadline)
            except (ZendeskError, TimeoutError) as error:
                reason = "Zendesk took too long" if isinstance(error, TimeoutError) else error
                log.warning("settings of %s unreadable: %s", key, reason)
                return effective_settings(
                    {},
                    (
                        f"settings: could not read the app's settings from Zendesk ({reason}); "
                        "using the defaults",
                    ),
                    installation_id,
                )
        elif time.monotonic() - entry.read_at >= self._ttl and not self._failed_recently(key):
            self._refresh(tenant)  # stale-while-revalidate: this request uses the cached copy
        try:
            return _pick(entry, installation_id)
        except UnknownInstallation:
            # A new installation may have appeared since the list was read: ask again, but an
            # id already found unknown is refused without asking for a whole TTL.
            now = time.monotonic()
            seen = self._unknown.get((key, installation_id or 0))
            fresh = now - entry.read_at < UNKNOWN_RECHECK_SECONDS
            if installation_id is None or fresh or (seen and now - seen < self._ttl):
                raise
            with contextlib.suppress(ZendeskError, TimeoutError):
                recheck = self._refresh(tenant, shared_max_age=UNKNOWN_RECHECK_SECONDS)
                entry = await self._wait(recheck, deadline)
            if installation_id not in entry.by_id:
                if len(self._unknown) > 10_000:
                    self._unknown.clear()
                self._unknown[(key, installation_id)] = now
            return _pick(entry, installation_id)

    async def all(self, tenant: Tenant) -> list[EffectiveSettings]:
        """Every installation's settings (the daily pass scores under each), read if needed."""
        entry = self._entries.get(tenant.subdomain)
        if entry is None or time.monotonic() - entry.read_at >= self._ttl:
            entry = await self._refresh(tenant)
        return list(entry.by_id.values())

    def forget(self, tenant: str) -> None:
        self._entries.pop(tenant, None)

    def _failed_recently(self, key: str) -> bool:
        failed_at = self._failed_at.get(key)
        return failed_at is not None and time.monotonic() - failed_at < RETRY_AFTER_FAILURE

    def _refresh(
        self, tenant: Tenant, *, shared_max_age: float | None = None
    ) -> asyncio.Task[_Installations]:
        """Start one refresh per tenant, or join the running one. A list another process read
        counts when younger than `shared_max_age` (default: the TTL)."""
        key = tenant.subdomain
        task = self._refreshing.get(key)
        if task is None:
            max_age = self._ttl if shared_max_age is None else shared_max_age
            task = asyncio.get_running_loop().create_task(self._read(tenant, max_age))
            self._refreshing[key] = task
            task.add_done_callback(lambda t: self._refreshed(key, t))
        return task

    def _refreshed(self, key: str, task: asyncio.Task[_Installations]) -> None:
        self._refreshing.pop(key, None)
        if task.cancelled():
            return
        error = task.exception()
        if error is None:
            self._entries[key] = task.result()
        else:
            self._failed_at[key] = time.monotonic()
            log.warning("refreshing the settings of %s failed: %s", key, error)

    async def _read(self, tenant: Tenant, max_age: float) -> _Installations:
        raw = await self._shared_copy(tenant.subdomain, max_age)
        if raw is None:
            async with self._locks.hold(f"settings:{tenant.subdomain}") as first:
                raw = None if first else await self._shared_copy(tenant.subdomain, max_age)
                if raw is None:
                    with priority(Priority.INTERACTIVE):  # a sidebar may be waiting
                        raw = await self._clients.for_tenant(tenant).list_installations()
                    if self._shared is not None:
                        await self._shared.save(tenant.subdomain, raw)
        found = app_installations(raw, self._app_id)
        if not found:
            log.warning(
                "none of the %d app installations of %s is Customer Health's "
                "(set ZENDESK_APP_ID to the app's id if it was installed without settings)",
                len(raw),
                tenant.subdomain,
            )
        self._failed_at.pop(tenant.subdomain, None)
        return _Installations(
            time.monotonic(),
            {i: effective_settings(s, installation_id=i) for i, s in found.items()},
        )

    async def _shared_copy(self, tenant: str, max_age: float) -> list[dict[str, Any]] | None:
        """The list another process read from Zendesk within `max_age` seconds, if any."""
        if self._shared is None:
            return None
        stored = await self._shared.load(tenant)
        if stored is None:
            return None
        read_at, installations = stored
        age = (datetime.now(UTC) - read_at).total_seconds()
        return installations if 0 <= age < max_age else None

    @staticmethod
    async def _wait(task: asyncio.Task[_Installations], deadline: float) -> _Installations:
        return await asyncio.wait_for(asyncio.shield(task), timeout=deadline)

    async def aclose(self) -> None:
        tasks = list(self._refreshing.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def _pick(entry: _Installations, installation_id: int | None) -> EffectiveSettings:
    if installation_id is None:
        if len(entry.by_id) == 1:
            return next(iter(entry.by_id.values()))
        raise UnknownInstallation(
            f"the token names no installation_id and the account has {len(entry.by_id)} "
            "installations of this app"
        )
    found = entry.by_id.get(installation_id)
    if found is None:
        raise UnknownInstallation(f"unknown installation {installation_id}")
    return found
