"""Reads and writes of the store, always scoped to one tenant."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from types import MappingProxyType
from typing import Any

from sqlalchemy import Connection, Engine, RowMapping, Table, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from backend.scoring import OrganizationFacts, Snapshot, TicketFacts
from backend.store.models import (
    AccountSyncRow,
    OrganizationRow,
    ReportRow,
    SnapshotRow,
    SyncStateRow,
    TenantRow,
    TicketFactRow,
)

_TICKETS: Table = TicketFactRow.__table__  # type: ignore[attr-defined]
_ORGS: Table = OrganizationRow.__table__  # type: ignore[attr-defined]
_SYNC: Table = SyncStateRow.__table__  # type: ignore[attr-defined]
_ACCOUNT: Table = AccountSyncRow.__table__  # type: ignore[attr-defined]
_SNAPSHOTS: Table = SnapshotRow.__table__  # type: ignore[attr-defined]
_REPORTS: Table = ReportRow.__table__  # type: ignore[attr-defined]
_TENANTS: Table = TenantRow.__table__  # type: ignore[attr-defined]

# Snapshots written before snapshots carried their settings (migration 0002).
LEGACY_SETTINGS = "legacy"
_CHUNK = 500

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
)
_NO_FIELDS: Mapping[int, float] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class SyncState:
    """An organization fetched on its own: the window covered and when it was fetched."""

    covered_since: datetime | None = None
    high_water_mark: datetime | None = None
    last_success_at: datetime | None = None
    last_attempt_at: datetime | None = None
    last_error: str | None = None
    last_error_code: str | None = None
    organization_fetched_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class AccountSyncState:
    """The account sync's progress; saved with the facts of each page (one transaction)."""

    ticket_cursor: str | None = None
    pass_start_time: int | None = None
    organizations_start_time: int | None = None
    pass_started_at: datetime | None = None
    first_pass_completed_at: datetime | None = None
    position_at: datetime | None = None
    tickets_synced: int = 0
    organizations_synced: int = 0
    last_success_at: datetime | None = None
    last_attempt_at: datetime | None = None
    last_error: str | None = None
    last_error_code: str | None = None
    daily_pass_on: date | None = None


@dataclass(frozen=True, slots=True)
class StoredOrganization:
    facts: OrganizationFacts
    revision: int
    fetched_at: datetime


@dataclass(frozen=True, slots=True)
class SnapshotRecord:
    """One organization's score on one day under one set of settings (their fingerprint)."""

    organization_id: int
    day: date
    settings: str
    score: float | None
    colour: str
    kpis: Mapping[str, float | None] = field(default_factory=dict)
    revision: int = 0


@dataclass(frozen=True, slots=True)
class StoredReport:
    revision: int
    computed_at: datetime
    body: dict[str, Any]


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

    def _upsert(
        self,
        connection: Connection,
        table: Table,
        rows: Sequence[dict[str, Any]],
        keys: Sequence[str],
        *,
        newer_only: bool = False,
        increments: Sequence[str] = (),
    ) -> None:
        """Insert or update by `keys`; `newer_only` keeps a stored row with a later updated_at;
        `increments` columns count up by one on every update instead of being replaced."""
        if not rows:
            return
        insert = postgresql.insert if self._dialect == "postgresql" else sqlite.insert
        statement = insert(table)
        updates: dict[str, Any] = {
            c: statement.excluded[c] for c in rows[0] if c not in keys and c not in increments
        }
        updates.update({c: table.c[c] + 1 for c in increments})
        where = statement.excluded.updated_at >= table.c.updated_at if newer_only else None
        statement = statement.on_conflict_do_update(
            index_elements=list(keys), set_=updates, where=where
        )
        for start in range(0, len(rows), _CHUNK):
            connection.execute(statement, list(rows[start : start + _CHUNK]))

    # --- organizations ------------------------------------------------------------------

    def save_organizations(self, tenant: str, organizations: Sequence[OrganizationFacts]) -> None:
        with self.engine.begin() as connection:
            self._write_organizations(connection, tenant, organizations)

    def save_organization(self, tenant: str, organization: OrganizationFacts) -> None:
        self.save_organizations(tenant, [organization])

    def delete_organizations(self, tenant: str, organization_ids: Collection[int]) -> None:
        """Forget organizations deleted in Zendesk, with everything stored about them."""
        with self.engine.begin() as connection:
            self._delete_organizations(connection, tenant, organization_ids)

    def apply_organization_page(
        self,
        tenant: str,
        organizations: Sequence[OrganizationFacts],
        deleted: Collection[int],
        state: AccountSyncState,
    ) -> set[int]:
        """One page of the organization export and where the next one starts, together.
        Returns the organizations that changed (new, changed or deleted)."""
        with self.engine.begin() as connection:
            changed = self._write_organizations(connection, tenant, organizations)
            self._delete_organizations(connection, tenant, deleted)
            self._save_account_sync(connection, tenant, state)
        return changed | set(deleted)

    def _write_organizations(
        self, connection: Connection, tenant: str, organizations: Sequence[OrganizationFacts]
    ) -> set[int]:
        """Upsert the organizations that are new or changed (only those gain a revision, so
        re-reading an unchanged organization invalidates nothing); returns their ids."""
        ids = [o.id for o in organizations]
        stored: dict[int, tuple[Any, ...]] = {}
        columns = (_ORGS.c.name, _ORGS.c.created_at, _ORGS.c.fields, _ORGS.c.tags)
        for start in range(0, len(ids), _CHUNK):
            query = select(_ORGS.c.organization_id, *columns).where(
                _ORGS.c.tenant == tenant, _ORGS.c.organization_id.in_(ids[start : start + _CHUNK])
            )
            stored.update({row[0]: tuple(row[1:]) for row in connection.execute(query)})
        changed = [
            o
            for o in organizations
            if stored.get(o.id) != (o.name, o.created_at, dict(o.fields), list(o.tags))
        ]
        now = datetime.now(UTC)
        rows = [
            {
                "tenant": tenant,
                "organization_id": o.id,
                "name": o.name,
                "created_at": o.created_at,
                "fields": dict(o.fields),
                "tags": list(o.tags),
                "fetched_at": now,
                "revision": 0,
            }
            for o in changed
        ]
        self._upsert(
            connection, _ORGS, rows, ("tenant", "organization_id"), increments=("revision",)
        )
        unchanged = sorted(set(stored) - {o.id for o in changed})
        for start in range(0, len(unchanged), _CHUNK):  # read again: fresh, not changed
            connection.execute(
                update(_ORGS)
                .where(
                    _ORGS.c.tenant == tenant,
                    _ORGS.c.organization_id.in_(unchanged[start : start + _CHUNK]),
                )
                .values(fetched_at=now)
            )
        return {o.id for o in changed}

    def _delete_organizations(
        self, connection: Connection, tenant: str, organization_ids: Collection[int]
    ) -> None:
        ids = sorted(organization_ids)
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            for table in (_REPORTS, _SNAPSHOTS, _SYNC, _TICKETS, _ORGS):
                connection.execute(
                    delete(table).where(
                        table.c.tenant == tenant, table.c.organization_id.in_(chunk)
                    )
                )

    def organization(self, tenant: str, organization_id: int) -> StoredOrganization | None:
        query = select(_ORGS).where(
            _ORGS.c.tenant == tenant, _ORGS.c.organization_id == organization_id
        )
        with self.engine.connect() as connection:
            row = connection.execute(query).mappings().first()
        return None if row is None else _stored_organization(row)

    def organizations(self, tenant: str) -> list[StoredOrganization]:
        query = select(_ORGS).where(_ORGS.c.tenant == tenant).order_by(_ORGS.c.organization_id)
        with self.engine.connect() as connection:
            return [_stored_organization(r) for r in connection.execute(query).mappings()]

    def revisions(self, tenant: str) -> dict[int, int]:
        query = select(_ORGS.c.organization_id, _ORGS.c.revision).where(_ORGS.c.tenant == tenant)
        with self.engine.connect() as connection:
            return {org: revision for org, revision in connection.execute(query)}

    def count_organizations(self, tenant: str) -> int:
        query = select(func.count()).select_from(_ORGS).where(_ORGS.c.tenant == tenant)
        with self.engine.connect() as connection:
            return int(connection.execute(query).scalar_one())

    # --- tickets ------------------------------------------------------------------------

    def save_tickets(
        self, tenant: str, organization_id: int, tickets: Iterable[TicketFacts]
    ) -> None:
        """One organization's tickets, fetched on their own (the fallback before the sync)."""
        with self.engine.begin() as connection:
            self._write_tickets(connection, tenant, [(organization_id, t) for t in tickets], None)

    def apply_ticket_page(
        self,
        tenant: str,
        tickets: Sequence[tuple[int | None, TicketFacts]],
        state: AccountSyncState,
        keep_since: datetime,
    ) -> set[int]:
        """One export page and the cursor after it, in one transaction: a crash loses nothing
        and repeats at most this page. Deleted tickets, tickets without an organization and
        tickets created before `keep_since` are removed. Returns the organizations touched."""
        with self.engine.begin() as connection:
            touched = self._write_tickets(connection, tenant, tickets, keep_since)
            self._save_account_sync(connection, tenant, state)
        return touched

    def _write_tickets(
        self,
        connection: Connection,
        tenant: str,
        tickets: Sequence[tuple[int | None, TicketFacts]],
        keep_since: datetime | None,
    ) -> set[int]:
        ids = [t.id for _, t in tickets]
        previous: dict[int, int] = {}
        for start in range(0, len(ids), _CHUNK):
            query = select(_TICKETS.c.ticket_id, _TICKETS.c.organization_id).where(
                _TICKETS.c.tenant == tenant, _TICKETS.c.ticket_id.in_(ids[start : start + _CHUNK])
            )
            previous.update({ticket: org for ticket, org in connection.execute(query)})
        rows: list[dict[str, Any]] = []
        gone: list[int] = []
        for organization_id, ticket in tickets:
            keep = (
                organization_id is not None
                and ticket.status != "deleted"
                and (keep_since is None or ticket.created_at >= keep_since)
            )
            if not keep:
                gone.append(ticket.id)
                continue
            rows.append(
                {
                    "tenant": tenant,
                    "ticket_id": ticket.id,
                    "organization_id": organization_id,
                    **{c: getattr(ticket, c) for c in _FACT_COLUMNS},
                    "custom_fields": {str(k): v for k, v in ticket.custom_fields.items()},
                }
            )
        self._upsert(connection, _TICKETS, rows, ("tenant", "ticket_id"), newer_only=True)
        for start in range(0, len(gone), _CHUNK):
            connection.execute(
                delete(_TICKETS).where(
                    _TICKETS.c.tenant == tenant,
                    _TICKETS.c.ticket_id.in_(gone[start : start + _CHUNK]),
                )
            )
        touched = {r["organization_id"] for r in rows} | {previous[t] for t in ids if t in previous}
        self._bump(connection, tenant, touched)
        return touched

    def _bump(self, connection: Connection, tenant: str, organization_ids: Iterable[int]) -> None:
        ids = sorted(organization_ids)  # a fixed order: concurrent writers never deadlock
        for start in range(0, len(ids), _CHUNK):
            connection.execute(
                update(_ORGS)
                .where(
                    _ORGS.c.tenant == tenant,
                    _ORGS.c.organization_id.in_(ids[start : start + _CHUNK]),
                )
                .values(revision=_ORGS.c.revision + 1)
            )

    def tickets(self, tenant: str, organization_id: int, since: datetime) -> list[TicketFacts]:
        query = select(
            _TICKETS.c.ticket_id, *(_TICKETS.c[c] for c in _FACT_COLUMNS), _TICKETS.c.custom_fields
        ).where(
            _TICKETS.c.tenant == tenant,
            _TICKETS.c.organization_id == organization_id,
            _TICKETS.c.created_at >= since,
        )
        with self.engine.connect() as connection:
            return [_ticket(row) for row in connection.execute(query)]

    def newest_update(self, tenant: str, organization_id: int) -> datetime | None:
        query = select(func.max(_TICKETS.c.updated_at)).where(
            _TICKETS.c.tenant == tenant, _TICKETS.c.organization_id == organization_id
        )
        with self.engine.connect() as connection:
            value = connection.execute(query).scalar_one()
        # max() bypasses the column type on SQLite: the result comes back naive.
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return None if value is None else value.replace(tzinfo=value.tzinfo or UTC)

    def tickets_by_organization(
        self, tenant: str, since: datetime, organization_ids: Collection[int] | None = None
    ) -> Iterator[tuple[int, list[TicketFacts]]]:
        """Every organization's tickets created since `since`, one organization at a time."""
        query = (
            select(
                _TICKETS.c.organization_id,
                _TICKETS.c.ticket_id,
                *(_TICKETS.c[c] for c in _FACT_COLUMNS),
                _TICKETS.c.custom_fields,
            )
            .where(_TICKETS.c.tenant == tenant, _TICKETS.c.created_at >= since)
            .order_by(_TICKETS.c.organization_id)
        )
        if organization_ids is not None:
            query = query.where(_TICKETS.c.organization_id.in_(list(organization_ids)))
        with self.engine.connect() as connection:
            current: int | None = None
            batch: list[TicketFacts] = []
            for row in connection.execution_options(yield_per=5000).execute(query):
                if row[0] != current:
                    if current is not None:
                        yield current, batch
                    current, batch = row[0], []
                batch.append(_ticket(row[1:]))
            if current is not None:
                yield current, batch

    def prune_tickets(self, tenant: str, created_before: datetime) -> int:
        """Drop tickets older than any window a setting allows."""
        with self.engine.begin() as connection:
            result = connection.execute(
                delete(_TICKETS).where(
                    _TICKETS.c.tenant == tenant, _TICKETS.c.created_at < created_before
                )
            )
        return int(result.rowcount or 0)

    def count_tickets(self, tenant: str) -> int:
        query = select(func.count()).select_from(_TICKETS).where(_TICKETS.c.tenant == tenant)
        with self.engine.connect() as connection:
            return int(connection.execute(query).scalar_one())

    # --- sync state ---------------------------------------------------------------------

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
            last_error_code=row["last_error_code"],
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
            "last_error_code": state.last_error_code,
        }
        with self.engine.begin() as connection:
            self._upsert(connection, _SYNC, [row], ("tenant", "organization_id"))

    def account_sync(self, tenant: str) -> AccountSyncState:
        query = select(_ACCOUNT).where(_ACCOUNT.c.tenant == tenant)
        with self.engine.connect() as connection:
            row = connection.execute(query).mappings().first()
        if row is None:
            return AccountSyncState()
        return AccountSyncState(**{k: v for k, v in row.items() if k != "tenant"})

    def account_syncs(self) -> list[AccountSyncState]:
        """Every tenant's sync state (for the public readiness summary: no names)."""
        with self.engine.connect() as connection:
            rows = connection.execute(select(_ACCOUNT)).mappings().all()
        return [AccountSyncState(**{k: v for k, v in r.items() if k != "tenant"}) for r in rows]

    def save_account_sync(self, tenant: str, state: AccountSyncState) -> None:
        with self.engine.begin() as connection:
            self._save_account_sync(connection, tenant, state)

    def _save_account_sync(
        self, connection: Connection, tenant: str, state: AccountSyncState
    ) -> None:
        row = {"tenant": tenant, **asdict(state)}
        row["last_error"] = (state.last_error or None) and state.last_error[:500]
        self._upsert(connection, _ACCOUNT, [row], ("tenant",))

    # --- snapshots and reports ----------------------------------------------------------

    def save_snapshots(self, tenant: str, snapshots: Sequence[SnapshotRecord]) -> None:
        now = datetime.now(UTC)
        rows = [
            {
                "tenant": tenant,
                "organization_id": s.organization_id,
                "day": s.day,
                "settings": s.settings,
                "score": s.score,
                "colour": s.colour,
                "kpis": dict(s.kpis),
                "revision": s.revision,
                "computed_at": now,
            }
            for s in snapshots
        ]
        with self.engine.begin() as connection:
            self._upsert(
                connection, _SNAPSHOTS, rows, ("tenant", "organization_id", "day", "settings")
            )

    def snapshots(
        self, tenant: str, organization_id: int, since: date, settings: str
    ) -> list[Snapshot]:
        """The organization's daily scores under `settings`, oldest first; a day without one
        falls back to the snapshot from before snapshots carried their settings."""
        query = (
            select(_SNAPSHOTS.c.day, _SNAPSHOTS.c.score, _SNAPSHOTS.c.kpis, _SNAPSHOTS.c.settings)
            .where(
                _SNAPSHOTS.c.tenant == tenant,
                _SNAPSHOTS.c.organization_id == organization_id,
                _SNAPSHOTS.c.day >= since,
                _SNAPSHOTS.c.settings.in_((settings, LEGACY_SETTINGS)),
            )
            .order_by(_SNAPSHOTS.c.day)
        )
        by_day: dict[date, Snapshot] = {}
        with self.engine.connect() as connection:
            for day, score, kpis, fingerprint in connection.execute(query):
                if fingerprint == settings or day not in by_day:
                    by_day[day] = Snapshot(day, score, MappingProxyType(dict(kpis or {})))
        return [by_day[day] for day in sorted(by_day)]

    def snapshots_between(
        self, tenant: str, since: date, until: date, settings: str
    ) -> dict[int, list[Snapshot]]:
        """Every organization's daily scores from `since` to `until` under `settings`, oldest
        first, a day without one falling back as in `snapshots` (the portfolio's baselines)."""
        query = select(
            _SNAPSHOTS.c.organization_id,
            _SNAPSHOTS.c.day,
            _SNAPSHOTS.c.score,
            _SNAPSHOTS.c.kpis,
            _SNAPSHOTS.c.settings,
        ).where(
            _SNAPSHOTS.c.tenant == tenant,
            _SNAPSHOTS.c.day >= since,
            _SNAPSHOTS.c.day <= until,
            _SNAPSHOTS.c.settings.in_((settings, LEGACY_SETTINGS)),
        )
        by_day: dict[tuple[int, date], Snapshot] = {}
        with self.engine.connect() as connection:
            for organization_id, day, score, kpis, fingerprint in connection.execute(query):
                key = (organization_id, day)
                if fingerprint == settings or key not in by_day:
                    by_day[key] = Snapshot(day, score, MappingProxyType(dict(kpis or {})))
        found: dict[int, list[Snapshot]] = {}
        for (organization_id, _day), snapshot in sorted(by_day.items()):
            found.setdefault(organization_id, []).append(snapshot)
        return found

    def day_snapshots(self, tenant: str, day: date, settings: str) -> dict[int, SnapshotRecord]:
        """Every organization's snapshot of one day under one set of settings."""
        query = select(_SNAPSHOTS).where(
            _SNAPSHOTS.c.tenant == tenant,
            _SNAPSHOTS.c.day == day,
            _SNAPSHOTS.c.settings == settings,
        )
        with self.engine.connect() as connection:
            return {
                r["organization_id"]: SnapshotRecord(
                    r["organization_id"],
                    r["day"],
                    r["settings"],
                    r["score"],
                    r["colour"],
                    MappingProxyType(dict(r["kpis"] or {})),
                    r["revision"],
                )
                for r in connection.execute(query).mappings()
            }

    def report(
        self, tenant: str, organization_id: int, settings: str, locale: str
    ) -> StoredReport | None:
        query = select(_REPORTS.c.revision, _REPORTS.c.computed_at, _REPORTS.c.body).where(
            _REPORTS.c.tenant == tenant,
            _REPORTS.c.organization_id == organization_id,
            _REPORTS.c.settings == settings,
            _REPORTS.c.locale == locale,
        )
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        return None if row is None else StoredReport(row[0], row[1], dict(row[2]))

    def save_report(
        self,
        tenant: str,
        organization_id: int,
        settings: str,
        locale: str,
        report: StoredReport,
    ) -> None:
        row = {
            "tenant": tenant,
            "organization_id": organization_id,
            "settings": settings,
            "locale": locale,
            "revision": report.revision,
            "computed_at": report.computed_at,
            "body": report.body,
        }
        with self.engine.begin() as connection:
            self._upsert(
                connection, _REPORTS, [row], ("tenant", "organization_id", "settings", "locale")
            )

    def delete_reports(self, tenant: str) -> None:
        """Forget every stored answer of the tenant (their history changed under them)."""
        with self.engine.begin() as connection:
            connection.execute(delete(_REPORTS).where(_REPORTS.c.tenant == tenant))

    # --- tenants -------------------------------------------------------------------------

    def save_tenant(self, tenant: StoredTenant) -> None:
        row = {
            "subdomain": tenant.subdomain,
            "zendesk_url": tenant.zendesk_url,
            "auth_kind": tenant.auth_kind,
            "secrets": tenant.secrets,
            "created_at": tenant.created_at,
        }
        with self.engine.begin() as connection:
            self._upsert(connection, _TENANTS, [row], ("subdomain",))

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
            for table in (_REPORTS, _SNAPSHOTS, _SYNC, _ACCOUNT, _TICKETS, _ORGS):
                connection.execute(delete(table).where(table.c.tenant == subdomain))
            result = connection.execute(delete(_TENANTS).where(_TENANTS.c.subdomain == subdomain))
        return bool(result.rowcount)


def _ticket(row: Sequence[Any]) -> TicketFacts:
    """A row of ticket_id, the _FACT_COLUMNS and custom_fields as TicketFacts."""
    (ticket_id, created, updated, status, priority, satisfaction, metrics, replies, reply,
     resolution, custom) = row  # fmt: skip
    fields = {int(k): float(v) for k, v in custom.items()} if custom else _NO_FIELDS
    return TicketFacts(
        ticket_id, created, updated, status, priority, satisfaction, metrics, replies, reply,
        resolution, fields,
    )  # fmt: skip


def _stored_organization(row: RowMapping) -> StoredOrganization:
    facts = OrganizationFacts(
        row["organization_id"],
        row["name"],
        row["created_at"],
        MappingProxyType(dict(row["fields"] or {})),
        tuple(row["tags"] or ()),
    )
    return StoredOrganization(facts, row["revision"], row["fetched_at"])
