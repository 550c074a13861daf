"""Tenants: the Zendesk accounts this backend serves, their shared secrets and API credentials.

A single-tenant deployment takes its tenant from the environment; a multi-tenant one registers
tenants in the database (`customer-health tenant add`), their secrets encrypted with Fernet.
The sealed box also holds the tenant's subdomain and Zendesk URL: whoever can write the database
but lacks ENCRYPTION_KEY cannot send a tenant's credentials to another host.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from cachetools import TTLCache
from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from backend.config import AppConfig, ConfigError
from backend.store.repository import Repository, StoredTenant
from backend.zendesk.auth import ApiToken, BearerToken, ClientCredentials, ZendeskAuth
from backend.zendesk.client import base_url_for

log = logging.getLogger(__name__)

PREVIOUS_SECRET = "previous_shared_secret"  # noqa: S105 - the key naming it among sealed secrets
AuthKind = Literal["oauth_token", "client_credentials", "api_token"]

# The environment variables that hold each kind's credentials: named in every auth error.
CREDENTIAL_VARIABLES: dict[str, tuple[str, ...]] = {
    "oauth_token": ("ZENDESK_OAUTH_TOKEN",),
    "client_credentials": ("ZENDESK_CLIENT_ID", "ZENDESK_CLIENT_SECRET"),
    "api_token": ("ZENDESK_EMAIL", "ZENDESK_API_TOKEN"),
}


@dataclass(frozen=True, slots=True)
class Tenant:
    """One Zendesk account: how its app signs requests and how we call its API."""

    subdomain: str
    zendesk_url: str
    auth_kind: AuthKind | None
    shared_secret: str = field(repr=False)
    credentials: dict[str, str] = field(default_factory=dict, repr=False)
    # During a rotation the secret being replaced also verifies tokens (docs/operations.md).
    previous_secret: str | None = field(default=None, repr=False)

    def zendesk_auth(self) -> ZendeskAuth | None:
        c = self.credentials
        if self.auth_kind == "oauth_token":
            return BearerToken(c["oauth_token"])
        if self.auth_kind == "client_credentials":
            return ClientCredentials(c["client_id"], c["client_secret"])
        if self.auth_kind == "api_token":
            return ApiToken(c["email"], c["api_token"])
        return None


def credentials_from_config(config: AppConfig) -> tuple[AuthKind | None, dict[str, str]]:
    """The first complete credential set in the environment, OAuth preferred."""
    if config.zendesk_oauth_token:
        return "oauth_token", {"oauth_token": config.zendesk_oauth_token.get_secret_value()}
    if config.zendesk_client_id and config.zendesk_client_secret:
        return "client_credentials", {
            "client_id": config.zendesk_client_id,
            "client_secret": config.zendesk_client_secret.get_secret_value(),
        }
    if config.zendesk_email and config.zendesk_api_token:
        return "api_token", {
            "email": config.zendesk_email,
            "api_token": config.zendesk_api_token.get_secret_value(),
        }
    return None, {}


def tenant_from_config(config: AppConfig) -> Tenant | None:
    if not (config.zendesk_subdomain and config.app_shared_secret):
        return None
    kind, credentials = credentials_from_config(config)
    return Tenant(
        subdomain=config.zendesk_subdomain,
        zendesk_url=base_url_for(config.zendesk_subdomain, config.zendesk_url),
        auth_kind=kind,
        shared_secret=config.app_shared_secret.get_secret_value(),
        credentials=credentials,
        previous_secret=previous_secret_from_config(config),
    )


def previous_secret_from_config(config: AppConfig) -> str | None:
    previous = config.app_shared_secret_previous
    return previous.get_secret_value() if previous is not None else None


# The sealed form of a tenant: v2 seals the subdomain and the Zendesk URL with the secrets;
# v1 (no "v" key: rows written before) sealed only the secrets and the credentials, flat.
SEALED_VERSION = 2


class TenantUnavailable(Exception):
    """A registered tenant's row cannot be used (undecryptable, altered, or unsafe legacy)."""


class SecretBox:
    """Encrypts tenant secrets at rest; several comma-separated keys allow key rotation."""

    def __init__(self, keys: str) -> None:
        try:
            self._fernet = MultiFernet([Fernet(k.strip()) for k in keys.split(",") if k.strip()])
        except (ValueError, TypeError):
            raise ConfigError(
                "ENCRYPTION_KEY must be one or more comma-separated Fernet keys "
                "(make one with: customer-health tenant new-key)"
            ) from None

    @staticmethod
    def new_key() -> str:
        return Fernet.generate_key().decode()

    def seal(self, secrets: Mapping[str, object]) -> bytes:
        return self._fernet.encrypt(json.dumps(secrets).encode())

    def open(self, sealed: bytes) -> dict[str, object]:
        try:
            opened = json.loads(self._fernet.decrypt(sealed))
        except InvalidToken:
            raise ConfigError(
                "a tenant's secrets cannot be decrypted with ENCRYPTION_KEY"
            ) from None
        if not isinstance(opened, dict):
            raise ConfigError("a tenant's sealed secrets are not an object")
        return opened


def secret_box(config: AppConfig) -> SecretBox | None:
    return SecretBox(config.encryption_key.get_secret_value()) if config.encryption_key else None


def seal_tenant(tenant: Tenant, box: SecretBox) -> StoredTenant:
    sealed = {
        "v": SEALED_VERSION,
        "subdomain": tenant.subdomain,
        "zendesk_url": tenant.zendesk_url,
        "shared_secret": tenant.shared_secret,
        PREVIOUS_SECRET: tenant.previous_secret,
        "credentials": tenant.credentials,
    }
    return StoredTenant(
        subdomain=tenant.subdomain,
        zendesk_url=tenant.zendesk_url,  # for `tenant list` only; the sealed copy is used
        auth_kind=tenant.auth_kind or "",
        secrets=box.seal(sealed),
        created_at=datetime.now(UTC),
    )


def open_tenant(stored: StoredTenant, box: SecretBox) -> Tenant:
    """The tenant of a row, or TenantUnavailable when the row cannot be trusted."""
    name = stored.subdomain
    try:
        sealed = box.open(stored.secrets)
    except ConfigError as error:
        raise TenantUnavailable(f"tenant {name!r}: {error}") from None
    column_url = base_url_for(name, stored.zendesk_url)
    if sealed.get("v") == SEALED_VERSION:
        if sealed.get("subdomain") != name or sealed.get("zendesk_url") != column_url:
            raise TenantUnavailable(
                f"tenant {name!r}: its row was changed outside `customer-health tenant add` "
                "(subdomain or Zendesk URL differ from the sealed ones); register it again"
            )
        credentials = sealed.get("credentials")
        shared_secret = sealed.get("shared_secret")
        previous_secret = sealed.get(PREVIOUS_SECRET)
        zendesk_url = column_url
    else:
        # Sealed before URLs were: trusted only where the URL follows from the subdomain.
        if column_url != base_url_for(name):
            raise TenantUnavailable(
                f"tenant {name!r} was registered before Zendesk URLs were sealed and points "
                f"to {column_url}; register it again with `customer-health tenant add`"
            )
        log.warning(
            "tenant %r was registered before its Zendesk URL was sealed; run "
            "`customer-health tenant add` for it again to seal it",
            name,
        )
        shared_secret = sealed.pop("shared_secret", None)
        previous_secret = sealed.pop(PREVIOUS_SECRET, None)
        credentials, zendesk_url = sealed, column_url
    if not isinstance(shared_secret, str) or not isinstance(credentials, dict):
        raise TenantUnavailable(f"tenant {name!r}: its sealed secrets are incomplete")
    kind = stored.auth_kind if stored.auth_kind in CREDENTIAL_VARIABLES else None
    return Tenant(
        subdomain=name,
        zendesk_url=zendesk_url,
        auth_kind=kind,  # type: ignore[arg-type]
        shared_secret=shared_secret,
        credentials={str(k): str(v) for k, v in credentials.items()},
        previous_secret=previous_secret if isinstance(previous_secret, str) else None,
    )


class TenantNotCached(LookupError):
    """The tenant is not in the registry's memory: the database must be asked."""


class TenantRegistry:
    """Finds a tenant by subdomain: the environment's first, then the database's (cached)."""

    def __init__(
        self,
        env_tenant: Tenant | None,
        repository: Repository,
        box: SecretBox | None,
        *,
        cache_seconds: float = 30,
    ) -> None:
        self._env_tenant = env_tenant
        self._repository = repository
        self._box = box
        self._cache: TTLCache[str, Tenant | None] = TTLCache(maxsize=4096, ttl=cache_seconds)
        self._lock = threading.Lock()

    def resolve_cached(self, subdomain: str) -> Tenant | None:
        """`resolve` without I/O: raises TenantNotCached when the database must be asked."""
        if self._env_tenant is not None and subdomain == self._env_tenant.subdomain:
            return self._env_tenant
        if self._box is None:
            return None  # no registered tenants: nothing to look up
        with self._lock:
            if subdomain in self._cache:
                return self._cache[subdomain]
        raise TenantNotCached(subdomain)

    def resolve(self, subdomain: str) -> Tenant | None:
        """May read the database: called from the thread pool, hence the lock around the cache."""
        try:
            return self.resolve_cached(subdomain)
        except TenantNotCached:
            pass
        tenant = None
        if self._box is not None:
            stored = self._repository.tenant(subdomain)
            tenant = None if stored is None else open_tenant(stored, self._box)
        with self._lock:
            self._cache[subdomain] = tenant
        return tenant

    def every_tenant(self) -> list[Tenant]:
        """The environment's tenant and every registered one (reads the database)."""
        found = [self._env_tenant] if self._env_tenant is not None else []
        if self._box is None:
            return found
        for stored in self._repository.tenants():
            if any(tenant.subdomain == stored.subdomain for tenant in found):
                continue
            try:
                found.append(open_tenant(stored, self._box))
            except TenantUnavailable as error:
                log.error("skipped: %s", error)  # one unusable row must not stop the others
        return found
