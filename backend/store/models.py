"""The tables: tenants, organizations, ticket facts, sync state, daily snapshots and reports.

Every row that holds customer data carries its tenant's subdomain, and every query filters on
it: that column is what keeps one tenant from ever reading another's data.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import JSON, BigInteger, Column, DateTime, Index, LargeBinary, Text
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
    """An organization; `revision` grows whenever it or one of its tickets changes, so a
    computed report knows whether it still describes the stored facts."""

    __tablename__ = "organizations"

    tenant: str = Field(primary_key=True, max_length=63)
    organization_id: int = Field(sa_column_kwargs={"primary_key": True}, sa_type=BigInteger)
    name: str = Field(default="", max_length=255)
    created_at: datetime | None = Field(default=None, sa_column=_utc_column())
    fields: dict[str, object] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    fetched_at: datetime = Field(sa_column=_utc_column(nullable=False))
    revision: int = Field(default=0, sa_type=BigInteger)


class TicketFactRow(SQLModel, table=True):
    """One ticket's facts, independent of settings; the newest version (updated_at) wins."""

    __tablename__ = "ticket_facts"
    __table_args__ = (
        Index("ix_ticket_facts_org_created", "tenant", "organization_id", "created_at"),
        # The daily pass reads every organization's window; pruning drops the oldest.
        Index("ix_ticket_facts_tenant_created", "tenant", "created_at"),
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
    # Every numeric custom field value by field id: settings that name a field apply later.
    custom_fields: dict[str, float] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )


class SyncStateRow(SQLModel, table=True):
    """An organization fetched on its own (before the account sync reached it): the window
    covered by that fetch and its high-water mark."""

    __tablename__ = "sync_state"

    tenant: str = Field(primary_key=True, max_length=63)
    organization_id: int = Field(sa_column_kwargs={"primary_key": True}, sa_type=BigInteger)
    covered_since: datetime | None = Field(default=None, sa_column=_utc_column())
    high_water_mark: datetime | None = Field(default=None, sa_column=_utc_column())
    last_success_at: datetime | None = Field(default=None, sa_column=_utc_column())
    last_attempt_at: datetime | None = Field(default=None, sa_column=_utc_column())
    last_error: str | None = Field(default=None, max_length=500)
    last_error_code: str | None = Field(default=None, max_length=40)


class AccountSyncRow(SQLModel, table=True):
    """How far the account sync got: the export cursor, committed with its page's facts."""

    __tablename__ = "account_sync"

    tenant: str = Field(primary_key=True, max_length=63)
    ticket_cursor: str | None = Field(default=None, max_length=1024)
    pass_start_time: int | None = Field(default=None, sa_type=BigInteger)
    organizations_start_time: int | None = Field(default=None, sa_type=BigInteger)
    pass_started_at: datetime | None = Field(default=None, sa_column=_utc_column())
    first_pass_completed_at: datetime | None = Field(default=None, sa_column=_utc_column())
    position_at: datetime | None = Field(default=None, sa_column=_utc_column())
    tickets_synced: int = Field(default=0, sa_type=BigInteger)
    organizations_synced: int = Field(default=0, sa_type=BigInteger)
    last_success_at: datetime | None = Field(default=None, sa_column=_utc_column())
    last_attempt_at: datetime | None = Field(default=None, sa_column=_utc_column())
    last_error: str | None = Field(default=None, max_length=500)
    last_error_code: str | None = Field(default=None, max_length=40)
    daily_pass_on: date | None = None


class SnapshotRow(SQLModel, table=True):
    """One organization's score on one day under one set of settings (their fingerprint):
    a request with other settings writes its own row, never this one."""

    __tablename__ = "snapshots"

    tenant: str = Field(primary_key=True, max_length=63)
    organization_id: int = Field(sa_column_kwargs={"primary_key": True}, sa_type=BigInteger)
    day: date = Field(primary_key=True)
    settings: str = Field(primary_key=True, max_length=64)
    score: float | None = None
    colour: str = Field(max_length=8)
    kpis: dict[str, float | None] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    revision: int = Field(default=0, sa_type=BigInteger)
    computed_at: datetime = Field(sa_column=_utc_column(nullable=False))


class ReportRow(SQLModel, table=True):
    """The last computed answer per organization, settings and language: what a restarted
    process answers with at once, as long as `revision` matches the organization's."""

    __tablename__ = "reports"

    tenant: str = Field(primary_key=True, max_length=63)
    organization_id: int = Field(sa_column_kwargs={"primary_key": True}, sa_type=BigInteger)
    settings: str = Field(primary_key=True, max_length=64)
    locale: str = Field(primary_key=True, max_length=35)
    revision: int = Field(sa_type=BigInteger)
    computed_at: datetime = Field(sa_column=_utc_column(nullable=False))
    body: dict[str, object] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class RateWindowRow(SQLModel, table=True):
    """One bucket of an account's rate window, shared by the processes on one PostgreSQL
    (`backend/store/coordination.py`); bucket `*` holds the account's 429 pause."""

    __tablename__ = "rate_windows"

    account: str = Field(primary_key=True, max_length=255)
    bucket: str = Field(primary_key=True, max_length=32)
    sent: str = Field(sa_column=Column(Text, nullable=False))  # JSON list of epoch seconds
    paced_until: float
    paused_until: float
    limit_per_minute: int | None = None


class InstallationListRow(SQLModel, table=True):
    """The account's app installations as one process last read them from Zendesk."""

    __tablename__ = "installation_lists"

    tenant: str = Field(primary_key=True, max_length=63)
    read_at: datetime = Field(sa_column=_utc_column(nullable=False))
    body: list[dict[str, object]] = Field(sa_column=Column(JSON, nullable=False))
