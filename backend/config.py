"""The backend's one configuration, read from the environment (DESIGN.md §4)."""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path
from typing import Literal

from cryptography.fernet import Fernet
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from backend.zendesk.client import base_url_for

DEFAULT_DATABASE_URL = "sqlite:///./customer-health.db"
# DESIGN §3: a shorter secret is guessable offline from one captured token.
MIN_SHARED_SECRET_LENGTH = 32
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_DATABASE_URL_FORMS = "sqlite:///PATH or postgresql://USER:PASSWORD@HOST:PORT/DATABASE"
_ORIGIN = re.compile(
    r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?|http://\[[0-9a-fA-F:]+\](:[0-9]{1,5})?"
)


class ConfigError(ValueError):
    """The environment does not describe a usable deployment; the message says what to set."""


def normalise_database_url(url: str) -> str:
    """A URL SQLAlchemy can use (psycopg 3 for PostgreSQL), or ValueError saying what is wrong.

    A SQLite file's folder must exist: silently creating one hides a mistyped path.
    """
    try:
        parsed = make_url(url.strip())
    except ArgumentError:
        message = f"{_shown(url)} is not a database URL; use {_DATABASE_URL_FORMS}"
        raise ValueError(message) from None
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    if backend != "sqlite":
        raise ValueError(f"{backend} databases are not supported; use {_DATABASE_URL_FORMS}")
    database = parsed.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        folder = Path(database).parent
        if not folder.is_dir():
            raise ValueError(f"the folder {folder} of the SQLite file does not exist; create it")
    return parsed.render_as_string(hide_password=False)


def _shown(value: str) -> str:
    return repr(value if len(value) <= 40 else value[:37] + "...")


def check_shared_secret(secret: str, variable: str = "APP_SHARED_SECRET") -> None:
    """Refuse a secret too short to sign with; ConfigError names the variable."""
    if len(secret) < MIN_SHARED_SECRET_LENGTH:
        raise ConfigError(
            f"{variable} must be at least {MIN_SHARED_SECRET_LENGTH} characters "
            f"(it has {len(secret)}); make one with: openssl rand -hex 32"
        )


class AppConfig(BaseSettings):
    """Every knob of a deployment. The single tenant comes from the ZENDESK_* and APP_* values."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    app_shared_secret: SecretStr | None = None
    # During a rotation: the secret being replaced, still accepted (docs/operations.md).
    app_shared_secret_previous: SecretStr | None = None
    zendesk_subdomain: str | None = None
    zendesk_url: str | None = None
    zendesk_oauth_token: SecretStr | None = None
    zendesk_client_id: str | None = None
    zendesk_client_secret: SecretStr | None = None
    zendesk_email: str | None = None
    zendesk_api_token: SecretStr | None = None

    database_url: str = DEFAULT_DATABASE_URL
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    workers: int = Field(default=1, ge=1, le=64)
    log_level: str = "INFO"

    # Fernet key(s), comma-separated, newest first: encrypts tenant secrets at rest.
    encryption_key: SecretStr | None = None

    freshness_seconds: float = Field(default=300, ge=0)
    cold_deadline_seconds: float = Field(default=2.0, ge=0)
    settings_cache_seconds: float = Field(default=60, ge=0)
    organization_refresh_seconds: float = Field(default=3600, ge=0)
    zendesk_timeout_seconds: float = Field(default=10, gt=0)
    zendesk_max_retry_seconds: float = Field(default=20, ge=0)
    rate_budget_fraction: float = Field(default=0.2, gt=0, le=1)
    # The account sync runs every this many seconds; 0 turns it off (organizations are then
    # fetched one by one when a sidebar asks, the fallback of DESIGN §8).
    sync_interval_seconds: float = Field(default=60, ge=0)
    # The app's id in Zendesk: pins which installations are this app's (else recognised by
    # their settings).
    zendesk_app_id: int | None = Field(default=None, gt=0)
    # /readyz asks Zendesk at most this often per tenant (the answer is cached between probes).
    readiness_zendesk_seconds: float = Field(default=60, ge=1)

    # Logs, metrics and development-only CORS (README: "Backend configuration").
    log_format: Literal["text", "json"] = "text"
    # /metrics answers only with `Authorization: Bearer <METRICS_TOKEN>`; unset: no /metrics.
    metrics_token: SecretStr | None = None
    # Origins allowed beside Zendesk's, comma-separated: for development only, e.g. zcli's
    # local app server http://localhost:4567. Never needed in production.
    cors_extra_origins: str = ""

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, url: str) -> str:
        return normalise_database_url(url)

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, level: str) -> str:
        name = level.strip().upper()
        if name not in LOG_LEVELS:
            choices = ", ".join(LOG_LEVELS)
            raise ValueError(f"{_shown(level)} is not a log level; use one of {choices}")
        return name

    @field_validator("encryption_key")
    @classmethod
    def _encryption_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None  # an empty variable (as compose passes an unset one) means no key
        keys = [key.strip() for key in value.get_secret_value().split(",") if key.strip()]
        try:
            if not keys:
                raise ValueError
            for key in keys:
                Fernet(key)
        except (ValueError, TypeError):
            raise ValueError(
                "must be one or more comma-separated Fernet keys "
                "(make one with: customer-health tenant new-key)"
            ) from None
        return value

    @field_validator("app_shared_secret")
    @classmethod
    def _shared_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            try:
                check_shared_secret(value.get_secret_value())
            except ConfigError as error:
                raise ValueError(str(error).removeprefix("APP_SHARED_SECRET ")) from None
        return value

    @field_validator("app_shared_secret_previous")
    @classmethod
    def _previous_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None  # no rotation under way
        return cls._shared_secret(value)

    @field_validator("zendesk_subdomain")
    @classmethod
    def _subdomain(cls, value: str | None) -> str | None:
        return value.strip().lower() if value else None

    @field_validator("cors_extra_origins")
    @classmethod
    def _origins(cls, value: str) -> str:
        origins = [o.strip().rstrip("/") for o in value.split(",") if o.strip()]
        for origin in origins:
            if not _ORIGIN.fullmatch(origin):
                raise ConfigError(
                    f"{origin[:100]!r} is not an origin such as "
                    "http://localhost:4567 (scheme, host and port only)"
                )
        return ",".join(origins)

    @model_validator(mode="after")
    def _zendesk_url(self) -> AppConfig:
        if self.zendesk_subdomain or self.zendesk_url:
            base_url_for(self.zendesk_subdomain, self.zendesk_url)  # raises with the variable
        return self

    @model_validator(mode="after")
    def _complete_pairs(self) -> AppConfig:
        if bool(self.zendesk_client_id) != bool(self.zendesk_client_secret):
            raise ConfigError("set both ZENDESK_CLIENT_ID and ZENDESK_CLIENT_SECRET, or neither")
        if bool(self.zendesk_email) != bool(self.zendesk_api_token):
            raise ConfigError("set both ZENDESK_EMAIL and ZENDESK_API_TOKEN, or neither")
        return self

    @cached_property
    def has_env_tenant(self) -> bool:
        return bool(self.zendesk_subdomain and self.app_shared_secret)
