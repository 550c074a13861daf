"""Reads and writes of the store, always scoped to one tenant."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine, Table, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from backend.scoring import OrganizationFacts, Snapshot, TicketFacts
from backend.store.models import (
    OrganizationRow,
    SnapshotRow,
    SyncStateRow,
    TenantRow,
    TicketFactRow,
)

_TICKETS: Table = TicketFactRow.__table__  # type: ignore[attr-defined]
_ORGS: Table = OrganizationRow.__table__  # type: ignore[attr-defined]
_SYNC: Table = SyncStateRow.__table__  # type: ignore[attr-defined]
_SNAPSHOTS: Table = SnapshotRow.__table__  # type: ignore[attr-defined]
_TENANTS: Table = TenantRow.__table__  # type: ignore[attr-defined]

_FACT_COLUMNS = (
    "created_at",
    "updated_at",
    "status",
    "priority",
    "satisfaction",
    "has_metrics",
    "replies",
    "reply_minutes",
    "resolution_minutes",
    "handle_seconds",
)


@dataclass(frozen=True, slots=True)
class SyncState:
    """What is known about one organization's tickets and when it was last fetched."""

    covered_since: datetime | None = None
    high_water_mark: datetime | None = None
    last_success_at: datetime | None = None
    last_attempt_at: datetime | None = None
    last_error: str | None = None
    time_spent_field_id: int | None = None
    organization_fetched_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class StoredTenant:
    subdomain: str
    zendesk_url: str | None
    auth_kind: str
    secrets: bytes
    created_at: datetime


class Repository:
    """The one place that speaks SQL; every method takes the tenant it works for."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._dialect = engine.dialect.name

    def _upsert(self, table: Table, rows: Sequence[dict[str, Any]], keys: Sequence[str]) -> None:
        if not rows:
            return
        insert = postgresql.insert if self._dialect == "postgresql" else sqlite.insert
        statement = insert(table)
        updates = {c: statement.excluded[c] for c in rows[0] if c not in keys}
        statement = statement.on_conflict_do_update(index_elements=list(keys), set_=updates)
        with self.engine.begin() as connection:
            for start in range(0, len(rows), 500):
                connection.execute(statement, list(rows[start : start + 500]))

    # --- organizations and their tickets ------------------------------------------------

    def save_organization(self, tenant: str, organization: OrganizationFacts) -> None:
        row = {
            "tenant": tenant,
            "organization_id": organization.id,
            "name": organization.name,
            "created_at": organization.created_at,
            "fields": dict(organization.fields),
            "fetched_at": datetime.now(UTC),
        }
        self._upsert(_ORGS, [row], ("tenant", "organization_id"))

    def organization(self, tenant: str, organization_id: int) -> OrganizationFacts | None:
        query = select(_ORGS).where(
            _ORGS.c.tenant == tenant, _ORGS.c.organization_id == organization_id
        )
        with self.engine.connect() as connection:
            row = connection.execute(query).mappings().first()
        if row is None:
            return None
        return OrganizationFacts(
            row["organization_id"], row["name"], row["created_at"], row["fields"]
        )

    def save_tickets(
        self, tenant: str, organization_id: int, tickets: Iterable[TicketFacts]
    ) -> None:
        rows = [
            {
                "tenant": tenant,
                "ticket_id": t.id,
                "organization_id": organization_id,
                **{c: getattr(t, c) for c in _FACT_COLUMNS},
            }
            for t in tickets
        ]
        self._upsert(_TICKETS, rows, ("tenant", "ticket_id"))

    def tickets(self, tenant: str, organization_id: int, since: datetime) -> list[TicketFacts]:
        columns = [_TICKETS.c.ticket_id, *(_TICKETS.c[c] for c in _FACT_COLUMNS)]
        query = select(*columns).where(
            _TICKETS.c.tenant == tenant,
            _TICKETS.c.organization_id == organization_id,
            _TICKETS.c.created_at >= since,
        )
        with self.engine.connect() as connection:
            return [TicketFacts(*row) for row in connection.execute(query)]

    # --- sync state --------------------------------------------------------------------

    def sync_state(self, tenant: str, organization_id: int) -> SyncState | None:
        query = (
            select(_SYNC, _ORGS.c.fetched_at)
            .select_from(
                _SYNC.outerjoin(
                    _ORGS,
                    (_ORGS.c.tenant == _SYNC.c.tenant)
                    & (_ORGS.c.organization_id == _SYNC.c.organization_id),
                )
            )
            .where(_SYNC.c.tenant == tenant, _SYNC.c.organization_id == organization_id)
        )
        with self.engine.connect() as connection:
            row = connection.execute(query).mappings().first()
        if row is None:
            return None
        return SyncState(
            covered_since=row["covered_since"],
            high_water_mark=row["high_water_mark"],
            last_success_at=row["last_success_at"],
            last_attempt_at=row["last_attempt_at"],
            last_error=row["last_error"],
            time_spent_field_id=row["time_spent_field_id"],
            organization_fetched_at=row["fetched_at"],
        )

    def save_sync_state(self, tenant: str, organization_id: int, state: SyncState) -> None:
        row = {
            "tenant": tenant,
            "organization_id": organization_id,
            "covered_since": state.covered_since,
            "high_water_mark": state.high_water_mark,
            "last_success_at": state.last_success_at,
            "last_attempt_at": state.last_attempt_at,
            "last_error": (state.last_error or None) and state.last_error[:500],
            "time_spent_field_id": state.time_spent_field_id,
        }
        self._upsert(_SYNC, [row], ("tenant", "organization_id"))

    # --- snapshots ----------------------------------------------------------------------

    def save_snapshot(
        self, tenant: str, organization_id: int, day: date, score: float | None, colour: str
    ) -> None:
        row = {
            "tenant": tenant,
            "organization_id": organization_id,
            "day": day,
            "score": score,
            "colour": colour,
            "computed_at": datetime.now(UTC),
        }
        self._upsert(_SNAPSHOTS, [row], ("tenant", "organization_id", "day"))

    def snapshots(self, tenant: str, organization_id: int, since: date) -> list[Snapshot]:
        query = (
            select(_SNAPSHOTS.c.day, _SNAPSHOTS.c.score)
            .where(
                _SNAPSHOTS.c.tenant == tenant,
                _SNAPSHOTS.c.organization_id == organization_id,
                _SNAPSHOTS.c.day >= since,
            )
            .order_by(_SNAPSHOTS.c.day)
        )
        with self.engine.connect() as connection:
            return [Snapshot(day, score) for day, score in connection.execute(query)]

    # --- tenants -------------------------------------------------------------------------

    def save_tenant(self, tenant: StoredTenant) -> None:
        row = {
            "subdomain": tenant.subdomain,
            "zendesk_url": tenant.zendesk_url,
            "auth_kind": tenant.auth_kind,
            "secrets": tenant.secrets,
            "created_at": tenant.created_at,
        }
        self._upsert(_TENANTS, [row], ("subdomain",))

    def tenant(self, subdomain: str) -> StoredTenant | None:
        query = select(_TENANTS).where(_TENANTS.c.subdomain == subdomain)
        with self.engine.connect() as connection:
            row = connection.execute(query).mappings().first()
        return None if row is None else StoredTenant(**row)

    def tenants(self) -> list[StoredTenant]:
        query = select(_TENANTS).order_by(_TENANTS.c.subdomain)
        with self.engine.connect() as connection:
            return [StoredTenant(**row) for row in connection.execute(query).mappings()]

    def remove_tenant(self, subdomain: str) -> bool:
        """Delete a tenant and every row of its data."""
        with self.engine.begin() as connection:
            for table in (_SNAPSHOTS, _SYNC, _TICKETS, _ORGS):
                connection.execute(delete(table).where(table.c.tenant == subdomain))
            result = connection.execute(delete(_TENANTS).where(_TENANTS.c.subdomain == subdomain))
        return bool(result.rowcount)
