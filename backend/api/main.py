"""The FastAPI app factory: wires configuration, store, tenants, Zendesk clients and routes."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from backend import __version__
from backend.api import errors
from backend.api.middleware import install_middleware
from backend.api.routes import health, metrics, portfolio, sync, system
from backend.config import AppConfig
from backend.service.account_sync import AccountSync
from backend.service.background import SyncScheduler
from backend.service.clients import ZendeskClients
from backend.service.health import HealthService
from backend.service.portfolio import Portfolio
from backend.service.readiness import ZendeskReadiness
from backend.service.reports import Reports
from backend.service.settings_cache import SettingsCache
from backend.service.sync import Syncer
from backend.store.coordination import coordination_for
from backend.store.db import create_db_engine, prepare_schema
from backend.store.repository import Repository
from backend.tenants import TenantRegistry, secret_box, tenant_from_config

log = logging.getLogger(__name__)


def create_app(config: AppConfig | None = None, *, schema: str | None = None) -> FastAPI:
    """The backend for `config` (default: the environment). A SQLite database is migrated on
    start; a PostgreSQL one must already be at the newest revision (`customer-health migrate`).
    """
    config = config or AppConfig()
    engine = create_db_engine(config.database_url, schema=schema)
    prepare_schema(engine, schema=schema)
    repository = Repository(engine)
    coordination = coordination_for(engine)
    clients = ZendeskClients(config, coordination.windows)
    syncer = Syncer(repository, clients, coordination.locks)
    settings = SettingsCache(
        clients,
        config.settings_cache_seconds,
        app_id=config.zendesk_app_id,
        shared=coordination.installations,
        locks=coordination.locks,
    )
    reports = Reports(repository, max_age=config.freshness_seconds)
    service = HealthService(config, repository, settings, syncer, reports, clients)
    tenants = TenantRegistry(tenant_from_config(config), repository, secret_box(config))
    account_sync = AccountSync(repository, clients)

    portfolio_service = Portfolio(repository, account_sync, max_age=config.freshness_seconds)

    def facts_changed(tenant: str, organization_ids: set[int]) -> None:
        service.facts_changed(tenant, organization_ids)
        portfolio_service.facts_changed(tenant, organization_ids)

    account_sync.on_change = facts_changed
    scheduler = SyncScheduler(
        repository,
        account_sync,
        settings,
        reports,
        tenants.every_tenant,
        interval=config.sync_interval_seconds,
        leadership=coordination.leadership,
    )
    readiness = ZendeskReadiness(
        tenants.every_tenant, clients, ttl=config.readiness_zendesk_seconds
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if config.sync_interval_seconds > 0:
            scheduler.start()
        yield
        await scheduler.aclose()
        await settings.aclose()
        await syncer.aclose()
        await clients.aclose()
        coordination.release()
        engine.dispose()

    # FastAPIOffline: /docs and /redoc served from assets in the package, no CDN needed.
    app = FastAPIOffline(
        title="Customer Health for Zendesk",
        version=__version__,
        summary="Health scores for Zendesk organizations, answered to the signed sidebar app.",
        lifespan=lifespan,
    )
    app.state.config = config
    app.state.repository = repository
    app.state.tenants = tenants
    app.state.health = service
    app.state.account_sync = account_sync
    app.state.scheduler = scheduler
    app.state.reports = reports
    app.state.settings = settings
    app.state.portfolio = portfolio_service
    app.state.readiness = readiness
    install_middleware(app, config)
    errors.install_error_handlers(app)
    app.include_router(system.router)
    app.include_router(metrics.router)
    app.include_router(health.router)
    app.include_router(sync.router)
    app.include_router(portfolio.router)
    return app
