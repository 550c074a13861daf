"""The backend's one configuration, read from the environment (DESIGN.md §4)."""

from __future__ import annotations

import re
from functools import cached_property
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from backend.zendesk.client import base_url_for

DEFAULT_DATABASE_URL = "sqlite:///./customer-health.db"
_ORIGIN = re.compile(
    r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?|http://\[[0-9a-fA-F:]+\](:[0-9]{1,5})?"
)


class ConfigError(ValueError):
    """The environment does not describe a usable deployment; the message says what to set."""


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for PostgreSQL URLs however they are spelled."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class AppConfig(BaseSettings):
    """Every knob of a deployment. The single tenant comes from the ZENDESK_* and APP_* values."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    app_shared_secret: SecretStr | None = None
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

    # Logs, metrics and development-only CORS (README: "Backend configuration").
    log_format: Literal["text", "json"] = "text"
    # /metrics answers only with `Authorization: Bearer <METRICS_TOKEN>`; unset: no /metrics.
    metrics_token: SecretStr | None = None
    # Origins allowed beside Zendesk's, comma-separated: for development only, e.g. zcli's
    # local app server http://localhost:4567. Never needed in production.
    cors_extra_origins: str = ""

    @field_validator("database_url")
    @classmethod
    def _driver(cls, url: str) -> str:
        return normalise_database_url(url)

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
