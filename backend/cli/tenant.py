"""`customer-health tenant add|list|remove|new-key`: the multi-tenant registry.

Secrets are read from the same environment variables a single-tenant deployment uses, never
from the command line (which would leave them in shell history and process lists).
"""

from __future__ import annotations

import argparse
import sys

from backend.cli.environment import (
    CREDENTIALS,
    DATABASE,
    add_command,
    fail,
    load_config,
    open_database,
)
from backend.config import AppConfig, ConfigError
from backend.store.repository import Repository
from backend.tenants import (
    SecretBox,
    Tenant,
    credentials_from_config,
    previous_secret_from_config,
    seal_tenant,
    secret_box,
)
from backend.zendesk.client import base_url_for


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "tenant",
        help="manage the tenants of a multi-tenant backend",
        description="Register, list and remove the Zendesk accounts this backend serves.",
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = add_command(
        actions,
        "add",
        help="register a Zendesk account with the secrets in the environment (again: update)",
        reads=(
            "APP_SHARED_SECRET",
            "APP_SHARED_SECRET_PREVIOUS",
            *CREDENTIALS,
            "ENCRYPTION_KEY",
            *DATABASE,
        ),
    )
    add.add_argument("subdomain", help="the Zendesk subdomain (the token's iss claim)")
    add.add_argument("--zendesk-url", help="base URL (default https://SUBDOMAIN.zendesk.com)")
    add.set_defaults(func=_add)
    listing = add_command(
        actions, "list", help="list registered tenants (never their secrets)", reads=DATABASE
    )
    listing.set_defaults(func=_list)
    remove = add_command(
        actions, "remove", help="remove a tenant and all of its stored data", reads=DATABASE
    )
    remove.add_argument("subdomain")
    remove.add_argument("--yes", action="store_true", help="do not ask before deleting")
    remove.set_defaults(func=_remove)
    new_key = add_command(actions, "new-key", help="print a new ENCRYPTION_KEY")
    new_key.set_defaults(func=lambda _args: print(SecretBox.new_key()) or 0)


def _repository(config: AppConfig) -> Repository:
    return Repository(open_database(config))


def _add(args: argparse.Namespace) -> int:
    config = load_config()
    try:
        box = secret_box(config)
    except ConfigError as error:
        fail(str(error))
    if box is None:
        fail("set ENCRYPTION_KEY first (make one with: customer-health tenant new-key)")
    if config.app_shared_secret is None:
        fail("set APP_SHARED_SECRET to the app's shared secret for this account")
    kind, credentials = credentials_from_config(config)
    if kind is None:
        fail(
            "set Zendesk credentials: ZENDESK_OAUTH_TOKEN, or ZENDESK_CLIENT_ID and "
            "ZENDESK_CLIENT_SECRET, or ZENDESK_EMAIL and ZENDESK_API_TOKEN"
        )
    subdomain = args.subdomain.strip().lower()
    try:
        zendesk_url = base_url_for(subdomain, args.zendesk_url)
    except ValueError as error:
        fail(str(error))
    tenant = Tenant(
        subdomain=subdomain,
        zendesk_url=zendesk_url,
        auth_kind=kind,
        shared_secret=config.app_shared_secret.get_secret_value(),
        credentials=credentials,
        previous_secret=previous_secret_from_config(config),
    )
    _repository(config).save_tenant(seal_tenant(tenant, box))
    print(f"tenant {subdomain} saved ({kind}, {tenant.zendesk_url})")
    return 0


def _list(_args: argparse.Namespace) -> int:
    tenants = _repository(load_config()).tenants()
    if not tenants:
        print("no tenants registered")
    for tenant in tenants:
        url = base_url_for(tenant.subdomain, tenant.zendesk_url)
        print(f"{tenant.subdomain}\t{tenant.auth_kind}\t{url}\t{tenant.created_at:%Y-%m-%d}")
    return 0


def _remove(args: argparse.Namespace) -> int:
    subdomain = args.subdomain.strip().lower()
    repository = _repository(load_config())
    if repository.tenant(subdomain) is None:
        fail(f"no tenant {subdomain!r}")
    if not args.yes and not _confirmed(subdomain):
        print("nothing removed")
        return 1
    repository.remove_tenant(subdomain)
    print(f"tenant {subdomain} and its data removed")
    return 0


def _confirmed(subdomain: str) -> bool:
    """Ask on the terminal; without one (a script), refuse: scripts say --yes."""
    if not sys.stdin.isatty():
        fail(f"removing {subdomain!r} deletes its stored data: add --yes to confirm")
    answer = input(f"Remove tenant {subdomain!r} and delete all of its stored data? [y/N] ")
    return answer.strip().lower() in ("y", "yes")
