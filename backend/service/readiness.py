"""Can this backend reach each tenant's Zendesk with its credentials? Asked for `/readyz`.

Probes come every few seconds from every load balancer, so the answer is cached: Zendesk is
asked at most once per `ttl` seconds per process (one `GET /api/v2/users/me` per tenant), and
concurrent probes share one check.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import anyio
from anyio import to_thread

from backend.service.clients import NoZendeskCredentials, ZendeskClients
from backend.tenants import Tenant
from backend.zendesk.errors import ZendeskAuthError, ZendeskError

log = logging.getLogger(__name__)

# Zendesk answers /users/me without credentials too, as an anonymous end user.
API_ROLES = ("admin", "agent")


@dataclass(frozen=True, slots=True)
class ZendeskCheck:
    """One check of every tenant: None for a tenant that works, else why it does not."""

    problems: dict[str, str | None]
    checked_at: datetime

    @property
    def ready(self) -> bool:
        """Unready when no tenant works: one tenant's bad credentials must not take the
        backend away from the others (it is reported all the same).
        """
        return not self.problems or any(p is None for p in self.problems.values())

    @property
    def detail(self) -> str | None:
        """What fails, precisely for one tenant; with several, how many (the log names them:
        the probe is public, and must not list which accounts this backend serves).
        """
        failing = [p for p in self.problems.values() if p is not None]
        if not failing:
            return None
        if len(self.problems) == 1:
            return failing[0]
        return f"{len(failing)} of {len(self.problems)} tenants' Zendesk checks fail; see the log"

    def to_dict(self) -> dict[str, object]:
        return {
            "ok": self.detail is None,
            "checked_at": self.checked_at.isoformat(),
            "tenants": len(self.problems),
            "detail": self.detail,
        }


class ZendeskReadiness:
    def __init__(
        self,
        tenants: Callable[[], list[Tenant]],
        clients: ZendeskClients,
        *,
        ttl: float,
        deadline: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._tenants = tenants
        self._clients = clients
        self._ttl = ttl
        self._deadline = deadline
        self._clock = clock
        self._lock = anyio.Lock()
        self._last: tuple[float, ZendeskCheck] | None = None

    async def check(self) -> ZendeskCheck:
        async with self._lock:
            if self._last is not None and self._clock() - self._last[0] < self._ttl:
                return self._last[1]
            tenants = await to_thread.run_sync(self._tenants)
            problems: dict[str, str | None] = {}

            async def check_one(tenant: Tenant) -> None:
                problems[tenant.subdomain] = await self._problem(tenant)

            async with anyio.create_task_group() as group:
                for tenant in tenants:
                    group.start_soon(check_one, tenant)
            for subdomain, problem in problems.items():
                if problem is not None:
                    log.warning("readiness: tenant %s: %s", subdomain, problem)
            result = ZendeskCheck(problems, datetime.now(UTC))
            self._last = (self._clock(), result)
            return result

    async def _problem(self, tenant: Tenant) -> str | None:
        where = f"Zendesk at {tenant.zendesk_url}"
        try:
            with anyio.fail_after(self._deadline):
                user = await self._clients.for_tenant(tenant).me()
        except TimeoutError:
            return f"{where} did not answer within {self._deadline:.0f} s"
        except (NoZendeskCredentials, ZendeskAuthError) as error:
            return str(error)
        except ZendeskError as error:
            return f"{where} is unreachable: {error}"
        role = user.get("role")
        if user.get("id") is None or role not in API_ROLES:
            return (
                f"{where} does not accept the API credentials (it answers as "
                f"{role or 'an anonymous user'}, not an agent or admin)"
            )
        return None
