"""One Zendesk client (and connection pool) per tenant, shared by every request for it."""

from __future__ import annotations

from backend.config import AppConfig
from backend.tenants import Tenant
from backend.zendesk.client import ZendeskClient
from backend.zendesk.errors import ZendeskError
from backend.zendesk.ratelimit import WindowStore, budget_for


class NoZendeskCredentials(ZendeskError):
    """The tenant has no credentials for the Zendesk API."""


class ZendeskClients:
    def __init__(self, config: AppConfig, window_store: WindowStore | None = None) -> None:
        self._config = config
        self._window_store = window_store
        self._clients: dict[str, ZendeskClient] = {}

    def for_tenant(self, tenant: Tenant) -> ZendeskClient:
        client = self._clients.get(tenant.subdomain)
        if client is None:
            auth = tenant.zendesk_auth()
            if auth is None:
                raise NoZendeskCredentials(
                    "the backend has no Zendesk API credentials for "
                    f"{tenant.subdomain!r}: set ZENDESK_OAUTH_TOKEN, or ZENDESK_CLIENT_ID and "
                    "ZENDESK_CLIENT_SECRET, or ZENDESK_EMAIL and ZENDESK_API_TOKEN"
                )
            client = ZendeskClient(
                tenant.zendesk_url,
                auth,
                timeout=self._config.zendesk_timeout_seconds,
                max_retry_seconds=self._config.zendesk_max_retry_seconds,
                budget=budget_for(
                    tenant.zendesk_url,
                    fraction=self._config.rate_budget_fraction,
                    store=self._window_store,
                ),
            )
            self._clients[tenant.subdomain] = client
        return client

    async def aclose(self) -> None:
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            await client.aclose()
