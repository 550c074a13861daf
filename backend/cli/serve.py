"""`customer-health serve`: the backend, configured from the environment (DESIGN.md §4)."""

from __future__ import annotations

import argparse
import sys

import uvicorn
from pydantic import ValidationError

from backend.config import AppConfig, ConfigError
from backend.observability.logs import configure_logging
from backend.tenants import credentials_from_config


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("serve", help="run the backend, configured from the environment")
    parser.add_argument("--host", help="interface to bind (default: HOST or 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port to bind (default: PORT or 8000)")
    parser.set_defaults(func=run)


def load_config() -> AppConfig:
    """The environment's configuration, or exit 2 with one line naming what is wrong."""
    try:
        return AppConfig()
    except (ValidationError, ConfigError) as error:
        if isinstance(error, ValidationError):
            first = error.errors()[0]
            where = ".".join(map(str, first["loc"])).upper()
            text = first["msg"].removeprefix("Value error, ")
            message = f"{where}: {text}" if where else text
        else:
            message = str(error)
        print(f"error: configuration: {message}", file=sys.stderr)
        raise SystemExit(2) from None


def run(args: argparse.Namespace) -> int:
    config = load_config()
    if not config.has_env_tenant and config.encryption_key is None:
        print(
            "error: no tenant: set ZENDESK_SUBDOMAIN and APP_SHARED_SECRET (single tenant), "
            "or ENCRYPTION_KEY and register tenants with `customer-health tenant add`",
            file=sys.stderr,
        )
        return 2
    if config.has_env_tenant and credentials_from_config(config)[0] is None:
        print(
            "error: no Zendesk API credentials: set ZENDESK_OAUTH_TOKEN, or ZENDESK_CLIENT_ID "
            "and ZENDESK_CLIENT_SECRET, or ZENDESK_EMAIL and ZENDESK_API_TOKEN",
            file=sys.stderr,
        )
        return 2
    configure_logging(config.log_level, config.log_format)
    from backend.api.main import create_app  # imported late: `--help` stays fast

    uvicorn.run(
        create_app(config),
        host=args.host or config.host,
        port=args.port or config.port,
        log_config=None,
        proxy_headers=True,
    )
    return 0
