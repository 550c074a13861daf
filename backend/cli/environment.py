"""What every command shares: the environment it reads, named in `--help`, and one-line errors.

A command never shows a traceback for a bad environment: it prints `error: VARIABLE: reason`
on stderr and exits with EXIT_USAGE.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, NoReturn

from pydantic import ValidationError
from sqlalchemy import Engine

from backend.config import AppConfig, ConfigError
from backend.observability.logs import configure_logging, logging_config
from backend.store.db import (
    DatabaseUnavailable,
    SchemaNotCurrent,
    check_connection,
    create_db_engine,
    prepare_schema,
)
from backend.store.db import migrate as migrate_schema

EXIT_USAGE = 2
NO_ENVIRONMENT = "environment variables read: none"

# Every variable a command may read, with what it means: `--help` lists a command's own.
VARIABLES: dict[str, str] = {
    "APP_SHARED_SECRET": "the app's shared secret, at least 32 characters",
    "APP_SHARED_SECRET_PREVIOUS": "during a rotation: the old shared secret, still accepted",
    "ZENDESK_SUBDOMAIN": "the Zendesk subdomain (acme for acme.zendesk.com)",
    "ZENDESK_URL": "Zendesk's base URL (default https://SUBDOMAIN.zendesk.com)",
    "ZENDESK_OAUTH_TOKEN": "API access by an OAuth token, or",
    "ZENDESK_CLIENT_ID": "with ZENDESK_CLIENT_SECRET: an OAuth client, or",
    "ZENDESK_CLIENT_SECRET": "the OAuth client's secret",
    "ZENDESK_EMAIL": "with ZENDESK_API_TOKEN: a legacy API token",
    "ZENDESK_API_TOKEN": "the legacy API token",
    "DATABASE_URL": "sqlite:///PATH (default ./customer-health.db) or postgresql://…",
    "ENCRYPTION_KEY": "Fernet key(s) sealing registered tenants' secrets",
    "HOST": "interface to listen on (default 127.0.0.1)",
    "PORT": "port to listen on (default 8000)",
    "WORKERS": "server processes (default 1)",
    "LOG_LEVEL": "DEBUG, INFO (default), WARNING, ERROR or CRITICAL",
    "LOG_FORMAT": "text (default) or json: one JSON object a line, with its request id",
    "METRICS_TOKEN": "turns on /metrics, readable with Authorization: Bearer METRICS_TOKEN",
    "PROMETHEUS_MULTIPROC_DIR": "a folder several serve processes share for /metrics",
    "CORS_EXTRA_ORIGINS": "development only: origins allowed beside Zendesk's",
    "FRESHNESS_SECONDS": "answer from the store this long before asking Zendesk again (300)",
    "COLD_DEADLINE_SECONDS": "how long a first request waits before answering 202 (2)",
    "SETTINGS_CACHE_SECONDS": "how long the app's settings are cached (60)",
    "RATE_BUDGET_FRACTION": "share of the account's API rate limit this backend may use (0.2)",
    "READINESS_ZENDESK_SECONDS": "how long /readyz keeps Zendesk's check (60)",
    "SYNC_INTERVAL_SECONDS": "the account sync runs this often; 0 turns it off (60)",
    "ZENDESK_APP_ID": "the app's id in Zendesk: which installations are this app's (optional)",
}
TENANT = ("APP_SHARED_SECRET", "APP_SHARED_SECRET_PREVIOUS", "ZENDESK_SUBDOMAIN", "ZENDESK_URL")
CREDENTIALS = (
    "ZENDESK_OAUTH_TOKEN",
    "ZENDESK_CLIENT_ID",
    "ZENDESK_CLIENT_SECRET",
    "ZENDESK_EMAIL",
    "ZENDESK_API_TOKEN",
)
DATABASE = ("DATABASE_URL", "LOG_LEVEL")


def environment_help(*names: str) -> str:
    """The `--help` epilog listing the variables a command reads."""
    width = max(map(len, names))
    lines = [f"  {name.ljust(width)}  {VARIABLES[name]}" for name in names]
    return "environment variables read:\n" + "\n".join(lines)


def add_command(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    *,
    help: str,
    reads: tuple[str, ...] = (),
    description: str | None = None,
) -> argparse.ArgumentParser:
    """A subcommand whose `--help` ends with the environment variables it reads."""
    return subparsers.add_parser(
        name,
        help=help,
        description=description or help[:1].upper() + help[1:] + ".",
        epilog=environment_help(*reads) if reads else NO_ENVIRONMENT,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def fail(message: str) -> NoReturn:
    print(f"error: {message}", file=sys.stderr)
    raise SystemExit(EXIT_USAGE)


def load_config(**overrides: Any) -> AppConfig:
    """The environment's configuration (with `overrides`), or exit naming what is wrong."""
    try:
        return AppConfig(**overrides)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(map(str, first["loc"])).upper()
        text = first["msg"].removeprefix("Value error, ")
        if first["type"] in ("int_parsing", "float_parsing"):
            text = f"{first['input']!r} is not a number"
        fail(f"{where}: {text}" if where else text)
    except ConfigError as error:
        fail(str(error))


def open_database(config: AppConfig, *, prepare: bool = True, migrate: bool = False) -> Engine:
    """The configured database, reachable, and with its schema ready as a server's start
    needs it (`prepare`) or migrated to the newest (`migrate`); else exit with one line.
    """
    engine = create_db_engine(config.database_url)
    try:
        check_connection(engine)
        if migrate:
            migrate_schema(engine)
        elif prepare:
            prepare_schema(engine)
    except (DatabaseUnavailable, SchemaNotCurrent) as error:
        engine.dispose()
        fail(str(error))
    return engine


__all__ = ["configure_logging", "logging_config"]  # re-exported for the commands
