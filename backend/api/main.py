"""The FastAPI app factory: wires configuration, store, tenants, Zendesk clients and routes."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi_offline import FastAPIOffline

from backend import __version__
from backend.api import errors
from backend.api.routes import health, system
from backend.config import AppConfig
from backend.service.clients import ZendeskClients
from backend.service.health import HealthService
from backend.service.readiness import ZendeskReadiness
from backend.service.settings_cache import SettingsCache
from backend.service.sync import Syncer
from backend.store.db import create_db_engine, prepare_schema
from backend.store.repository import Repository
from backend.tenants import TenantRegistry, secret_box, tenant_from_config

log = logging.getLogger(__name__)

# Where ZAF runs the app's iframe: Zendesk itself, Zendesk-hosted app assets, zcli's dev server.
ZAF_ORIGINS = (
    r"https://([a-z0-9-]+\.)*zendesk\.com"
    r"|https://[a-z0-9-]+\.apps\.zdusercontent\.com"
    r"|http://localhost:4567"
)


def create_app(config: AppConfig | None = None, *, schema: str | None = None) -> FastAPI:
    """The backend for `config` (default: the environment). A SQLite database is migrated on
    start; a PostgreSQL one must already be at the newest revision (`customer-health migrate`).
    """
    config = config or AppConfig()
    engine = create_db_engine(config.database_url, schema=schema)
    prepare_schema(engine, schema=schema)
    repository = Repository(engine)
    clients = ZendeskClients(config)
    syncer = Syncer(repository, clients)
    service = HealthService(
        config, repository, SettingsCache(clients, config.settings_cache_seconds), syncer
    )
    tenants = TenantRegistry(tenant_from_config(config), repository, secret_box(config))
    readiness = ZendeskReadiness(
        tenants.every_tenant, clients, ttl=config.readiness_zendesk_seconds
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        await syncer.aclose()
        await clients.aclose()
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
    app.state.readiness = readiness
    app.add_middleware(
        CORSMiddleware,
        allow_origin_regex=ZAF_ORIGINS,
        allow_methods=["GET"],
        allow_headers=["Authorization", "Content-Type"],
        max_age=600,
    )
    errors.install_error_handlers(app)
    app.include_router(system.router)
    app.include_router(health.router)
    return app
