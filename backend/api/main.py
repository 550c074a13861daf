"""The FastAPI app factory: wires configuration, store, tenants, Zendesk clients and routes."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from backend.api import errors
from backend.api.middleware import install_middleware
from backend.api.routes import health, metrics, system
from backend.config import AppConfig
from backend.service.clients import ZendeskClients
from backend.service.health import HealthService
from backend.service.settings_cache import SettingsCache
from backend.service.sync import Syncer
from backend.store.db import create_db_engine, migrate
from backend.store.repository import Repository
from backend.tenants import TenantRegistry, secret_box, tenant_from_config

log = logging.getLogger(__name__)


def create_app(config: AppConfig | None = None, *, schema: str | None = None) -> FastAPI:
    """The backend for `config` (default: the environment). Migrates the database on start."""
    config = config or AppConfig()
    engine = create_db_engine(config.database_url, schema=schema)
    migrate(engine, schema=schema)
    repository = Repository(engine)
    clients = ZendeskClients(config)
    syncer = Syncer(repository, clients)
    service = HealthService(
        config, repository, SettingsCache(clients, config.settings_cache_seconds), syncer
    )
    tenants = TenantRegistry(tenant_from_config(config), repository, secret_box(config))

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        await syncer.aclose()
        await clients.aclose()
        engine.dispose()

    app = FastAPI(
        title="Customer Health for Zendesk",
        version="0.1.0",
        summary="Health scores for Zendesk organizations, answered to the signed sidebar app.",
        lifespan=lifespan,
    )
    app.state.config = config
    app.state.repository = repository
    app.state.tenants = tenants
    app.state.health = service
    install_middleware(app, config)
    errors.install_error_handlers(app)
    app.include_router(system.router)
    app.include_router(metrics.router)
    app.include_router(health.router)
    return app
