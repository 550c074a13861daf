"""`customer-health token`: a signed request token, as the app sends it, for trying the API."""

from __future__ import annotations

import argparse
import time

from jose import jwt

from backend.cli.environment import add_command, fail, load_config, open_database
from backend.config import AppConfig, ConfigError, check_shared_secret
from backend.store.repository import Repository
from backend.tenants import Tenant, open_tenant, secret_box, tenant_from_config

AUDIENCE = "customer-health"
MAX_LIFETIME_SECONDS = 3600  # the backend refuses longer-lived tokens (DESIGN §3)


def sign_token(
    secret: str, subdomain: str, installation_id: int, *, lifetime: int = 3600, agent: str = "1"
) -> str:
    """A token exactly as the app's signed request carries it, valid for `lifetime` seconds."""
    now = int(time.time())
    claims = {
        "iss": subdomain,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + lifetime,
        "installation_id": installation_id,
        "sub": agent,
    }
    return jwt.encode(claims, secret, algorithm="HS256")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = add_command(
        subparsers,
        "token",
        help="print a signed test token for a tenant and an app installation",
        description=(
            "Print a token signed with the tenant's shared secret, as the app's signed requests "
            "carry it: use it as `Authorization: Bearer TOKEN` to try the API. The tenant is "
            "the environment's (ZENDESK_SUBDOMAIN, APP_SHARED_SECRET) or a registered one."
        ),
        reads=("APP_SHARED_SECRET", "ZENDESK_SUBDOMAIN", "DATABASE_URL", "ENCRYPTION_KEY"),
    )
    parser.add_argument(
        "--tenant", metavar="SUBDOMAIN", help="default: ZENDESK_SUBDOMAIN (the token's iss)"
    )
    parser.add_argument(
        "--installation",
        type=int,
        required=True,
        metavar="ID",
        help="the app installation's id (Admin Center, or GET /api/v2/apps/installations)",
    )
    parser.add_argument(
        "--lifetime",
        type=int,
        default=MAX_LIFETIME_SECONDS,
        metavar="SECONDS",
        help=f"how long the token is valid (1 to {MAX_LIFETIME_SECONDS}, default the most)",
    )
    parser.add_argument("--agent", default="1", help="the sub claim: an agent's user id")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if not 1 <= args.lifetime <= MAX_LIFETIME_SECONDS:
        fail(f"--lifetime must be between 1 and {MAX_LIFETIME_SECONDS} seconds")
    config = load_config()
    subdomain = (args.tenant or config.zendesk_subdomain or "").strip().lower()
    if not subdomain:
        fail("name the tenant: --tenant SUBDOMAIN, or set ZENDESK_SUBDOMAIN")
    tenant = _tenant(subdomain, config)
    try:
        check_shared_secret(tenant.shared_secret, f"tenant {subdomain}'s shared secret")
    except ConfigError as error:
        fail(str(error))
    token = sign_token(
        tenant.shared_secret, subdomain, args.installation, lifetime=args.lifetime, agent=args.agent
    )
    print(token)
    return 0


def _tenant(subdomain: str, config: AppConfig) -> Tenant:
    env_tenant = tenant_from_config(config)
    if env_tenant is not None and env_tenant.subdomain == subdomain:
        return env_tenant
    try:
        box = secret_box(config)
    except ConfigError as error:
        fail(str(error))
    if box is None:
        fail(
            f"no tenant {subdomain!r}: set ZENDESK_SUBDOMAIN and APP_SHARED_SECRET, or "
            "ENCRYPTION_KEY to read registered tenants"
        )
    engine = open_database(config)
    try:
        stored = Repository(engine).tenant(subdomain)
    finally:
        engine.dispose()
    if stored is None:
        fail(f"no tenant {subdomain!r} is registered (customer-health tenant list)")
    return open_tenant(stored, box)
