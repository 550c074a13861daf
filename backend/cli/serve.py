"""`customer-health serve`: the backend, configured from the environment (DESIGN.md §4)."""

from __future__ import annotations

import argparse
import atexit
import os
import shutil
import tempfile
from typing import Any

from backend.cli.environment import (
    CREDENTIALS,
    DATABASE,
    TENANT,
    add_command,
    configure_logging,
    fail,
    load_config,
    open_database,
)
from backend.cli.listening import listen, run_server
from backend.tenants import credentials_from_config

MULTIPROC_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
READS = (
    *TENANT,
    *CREDENTIALS,
    "ENCRYPTION_KEY",
    *DATABASE,
    "LOG_FORMAT",
    "METRICS_TOKEN",
    MULTIPROC_VARIABLE,
    "CORS_EXTRA_ORIGINS",
    "HOST",
    "PORT",
    "WORKERS",
    "FRESHNESS_SECONDS",
    "COLD_DEADLINE_SECONDS",
    "SETTINGS_CACHE_SECONDS",
    "RATE_BUDGET_FRACTION",
    "READINESS_ZENDESK_SECONDS",
    "SYNC_INTERVAL_SECONDS",
    "ZENDESK_APP_ID",
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = add_command(
        subparsers,
        "serve",
        help="run the backend, configured from the environment",
        description=(
            "Run the backend. A SQLite database is migrated at start; a PostgreSQL one must "
            "already be at the newest schema (run `customer-health migrate` once per upgrade)."
        ),
        reads=READS,
    )
    parser.add_argument("--host", help="interface to bind (default: HOST or 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port to bind (default: PORT or 8000)")
    parser.add_argument("--workers", type=int, help="server processes (default: WORKERS or 1)")
    parser.set_defaults(func=run)


def shared_metrics_folder() -> None:
    """Workers write their metrics where any of them can read all (prometheus-client's
    multi-process mode): the operator's PROMETHEUS_MULTIPROC_DIR, else a fresh folder that
    lives as long as this server. Set before the workers start; they inherit it."""
    if os.environ.get(MULTIPROC_VARIABLE):
        return
    folder = tempfile.mkdtemp(prefix="customer-health-metrics-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    os.environ[MULTIPROC_VARIABLE] = folder


def run(args: argparse.Namespace) -> int:
    overrides = {
        key: value
        for key, value in (("host", args.host), ("port", args.port), ("workers", args.workers))
        if value is not None
    }
    config = load_config(**overrides)
    if not config.has_env_tenant and config.encryption_key is None:
        fail(
            "no tenant: set ZENDESK_SUBDOMAIN and APP_SHARED_SECRET (single tenant), "
            "or ENCRYPTION_KEY and register tenants with `customer-health tenant add`"
        )
    if config.has_env_tenant and credentials_from_config(config)[0] is None:
        fail(
            "no Zendesk API credentials: set ZENDESK_OAUTH_TOKEN, or ZENDESK_CLIENT_ID "
            "and ZENDESK_CLIENT_SECRET, or ZENDESK_EMAIL and ZENDESK_API_TOKEN"
        )
    configure_logging(config.log_level, config.log_format)
    # Once, here, before any worker starts: workers then find the schema ready, never race.
    open_database(config).dispose()
    sock = listen(config.host, config.port)
    if config.workers > 1:
        # Each worker builds its app from the environment; host, port and workers matter only
        # here, where the socket is bound and handed to them.
        target: Any = "backend.api.main:create_app"
        shared_metrics_folder()
    else:
        from backend.api.main import create_app  # imported late: `--help` stays fast

        target = create_app(config)
    run_server(
        target,
        sock,
        log_level=config.log_level,
        log_format=config.log_format,
        workers=config.workers,
        proxy_headers=True,
    )
    return 0
