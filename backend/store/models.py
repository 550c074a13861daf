"""The tables: tenants, organizations, ticket facts, sync state and daily snapshots.

Every row that holds customer data carries its tenant's subdomain, and every query filters on
it: that column is what keeps one tenant from ever reading another's data.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import JSON, BigInteger, Column, DateTime, Index, LargeBinary
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in and out, also on SQLite, which stores them without a zone."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        if value is not None and dialect.name == "sqlite":
            return value.astimezone(UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def _utc_column(*, nullable: bool = True) -> Column:  # type: ignore[type-arg]
    return Column(UtcDateTime(), nullable=nullable)


class TenantRow(SQLModel, table=True):
    """A Zendesk account registered for multi-tenant use; secrets are encrypted (Fernet)."""

    __tablename__ = "tenants"

    subdomain: str = Field(primary_key=True, max_length=63)
    zendesk_url: str | None = Field(default=None, max_length=255)
    auth_kind: str = Field(max_length=32)
    secrets: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = Field(sa_column=_utc_column(nullable=False))


class OrganizationRow(SQLModel, table=True):
    __tablename__ = "organizations"

    tenant: str = Field(primary_key=True, max_length=63)
    organization_id: int = Field(sa_column_kwargs={"primary_key": True}, sa_type=BigInteger)
    name: str = Field(default="", max_length=255)
    created_at: datetime | None = Field(default=None, sa_column=_utc_column())
    fields: dict[str, object] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    fetched_at: datetime = Field(sa_column=_utc_column(nullable=False))


class TicketFactRow(SQLModel, table=True):
    """One ticket's facts, upserted by (tenant, ticket id) on every fetch."""

    __tablename__ = "ticket_facts"
    __table_args__ = (
        Index("ix_ticket_facts_org_created", "tenant", "organization_id", "created_at"),
    )

    tenant: str = Field(primary_key=True, max_length=63)
    ticket_id: int = Field(sa_column_kwargs={"primary_key": True}, sa_type=BigInteger)
    organization_id: int = Field(sa_type=BigInteger)
    created_at: datetime = Field(sa_column=_utc_column(nullable=False))
    updated_at: datetime = Field(sa_column=_utc_column(nullable=False))
    status: str = Field(max_length=32)
    priority: str | None = Field(default=None, max_length=32)
    satisfaction: str | None = Field(default=None, max_length=32)
    has_metrics: bool = False
    replies: int | None = None
    reply_minutes: int | None = None
    resolution_minutes: int | None = None
    handle_seconds: int | None = None


class SyncStateRow(SQLModel, table=True):
    """How far an organization's tickets are known: the window covered, the high-water mark."""

    __tablename__ = "sync_state"

    tenant: str = Field(primary_key=True, max_length=63)
    organization_id: int = Field(sa_column_kwargs={"primary_key": True}, sa_type=BigInteger)
    covered_since: datetime | None = Field(default=None, sa_column=_utc_column())
    high_water_mark: datetime | None = Field(default=None, sa_column=_utc_column())
    last_success_at: datetime | None = Field(default=None, sa_column=_utc_column())
    last_attempt_at: datetime | None = Field(default=None, sa_column=_utc_column())
    last_error: str | None = Field(default=None, max_length=500)
    time_spent_field_id: int | None = Field(default=None, sa_type=BigInteger)


class SnapshotRow(SQLModel, table=True):
    """One organization's score per day; the last computation of the day wins."""

    __tablename__ = "snapshots"

    tenant: str = Field(primary_key=True, max_length=63)
    organization_id: int = Field(sa_column_kwargs={"primary_key": True}, sa_type=BigInteger)
    day: date = Field(primary_key=True)
    score: float | None = None
    colour: str = Field(max_length=8)
    computed_at: datetime = Field(sa_column=_utc_column(nullable=False))
