"""The installation's settings, read from Zendesk itself (never from token claims), cached."""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass

from backend.scoring import ScoringSettings
from backend.service.clients import ZendeskClients
from backend.tenants import Tenant
from backend.zendesk.errors import ZendeskError

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class EffectiveSettings:
    settings: ScoringSettings
    warnings: tuple[str, ...]
    fingerprint: str


class SettingsCache:
    """Keeps each installation's settings for `ttl` seconds; the last good copy outlives errors."""

    def __init__(self, clients: ZendeskClients, ttl: float) -> None:
        self._clients = clients
        self._ttl = ttl
        self._entries: dict[tuple[str, int], tuple[float, EffectiveSettings]] = {}

    async def get(self, tenant: Tenant, installation_id: int | None) -> EffectiveSettings:
        if installation_id is None:
            return _effective(
                {}, ("settings: the token names no installation_id; using the defaults",)
            )
        key = (tenant.subdomain, installation_id)
        cached = self._entries.get(key)
        if cached is not None and time.monotonic() - cached[0] < self._ttl:
            return cached[1]
        try:
            raw = await self._clients.for_tenant(tenant).get_installation_settings(installation_id)
        except ZendeskError as error:
            log.warning("installation settings of %s/%s unreadable: %s", *key, error)
            if cached is not None:
                return cached[1]
            return _effective(
                {},
                (
                    f"settings: could not read the app's settings from Zendesk ({error}); "
                    "using the defaults",
                ),
            )
        effective = _effective(raw, ())
        self._entries[key] = (time.monotonic(), effective)
        return effective


def _effective(raw: dict[str, object], extra_warnings: tuple[str, ...]) -> EffectiveSettings:
    settings, warnings = ScoringSettings.from_zendesk(raw)
    relevant = {k: v for k, v in raw.items() if k not in ("backend_url", "shared_secret")}
    fingerprint = json.dumps(relevant, sort_keys=True, default=str)
    return EffectiveSettings(settings, extra_warnings + warnings, fingerprint)
