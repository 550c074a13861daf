"""Typed dependencies: every route gets its tenant and services from here, never by hand."""

from __future__ import annotations

import logging
from typing import Annotated

from anyio import to_thread
from fastapi import Depends, Header, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from backend.api.signed_requests import InvalidToken, SignedRequest, bearer_token, verify
from backend.service.health import HealthService
from backend.service.portfolio import Portfolio
from backend.service.settings_cache import EffectiveSettings, SettingsCache
from backend.store.repository import Repository
from backend.tenants import TenantNotCached, TenantRegistry

log = logging.getLogger(__name__)


# Every dependency here is `async`: FastAPI runs a plain `def` dependency in the thread pool,
# and each such hop costs about 45 µs per request for nothing but reading app.state.


async def _registry(request: Request) -> TenantRegistry:
    registry: TenantRegistry = request.app.state.tenants
    return registry


# Declares the scheme in the OpenAPI schema (for /docs and schemathesis); the header itself is
# read below, so a refusal can say precisely what is wrong with it.
_signed_by_zendesk = HTTPBearer(
    scheme_name="ZendeskSignedRequest",
    bearerFormat="JWT",
    description="The app's HS256 JWT, signed by Zendesk's proxy with the shared secret.",
    auto_error=False,
)


async def signed_request(
    request: Request,
    registry: Annotated[TenantRegistry, Depends(_registry)],
    _scheme: Annotated[HTTPAuthorizationCredentials | None, Security(_signed_by_zendesk)],
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> SignedRequest:
    """Verify the ZAF JWT: in the event loop when the tenant is known in memory (always, for
    the environment's tenant), else in the thread pool, where the database may be asked."""
    try:
        token = bearer_token(authorization)
        try:
            signed = verify(token, registry.resolve_cached)
        except TenantNotCached:
            signed = await to_thread.run_sync(verify, token, registry.resolve)
    except InvalidToken as error:
        client = request.client.host if request.client else "-"
        log.warning(
            "refused %s %s from %s: %s", request.method, request.url.path, client, error.log_reason
        )
        raise
    request.state.tenant = signed.tenant.subdomain  # for the request's log line
    return signed


async def _health_service(request: Request) -> HealthService:
    service: HealthService = request.app.state.health
    return service


async def _repository(request: Request) -> Repository:
    repository: Repository = request.app.state.repository
    return repository


async def _portfolio(request: Request) -> Portfolio:
    portfolio: Portfolio = request.app.state.portfolio
    return portfolio


SignedRequestDep = Annotated[SignedRequest, Depends(signed_request)]
HealthServiceDep = Annotated[HealthService, Depends(_health_service)]
RepositoryDep = Annotated[Repository, Depends(_repository)]
PortfolioDep = Annotated[Portfolio, Depends(_portfolio)]


async def installation_settings(request: Request, signed: SignedRequestDep) -> EffectiveSettings:
    """The settings of the installation the token names (docs/api.md: settings come from the
    account's installations, the claim only picks one)."""
    cache: SettingsCache = request.app.state.settings
    deadline: float = request.app.state.config.cold_deadline_seconds
    return await cache.get(signed.tenant, signed.installation_id, deadline=deadline)


SettingsDep = Annotated[EffectiveSettings, Depends(installation_settings)]
