"""The demo Zendesk account "acme-demo": organizations, users, app installations and tickets.

Organizations are drawn up front (cheap); their tickets are drawn lazily, once, from a
per-organization RNG seeded from the account seed, and kept packed (`ticket_store`), so
`scale` can describe a million-ticket account in about 40 MB. Tickets and organizations
created, changed or deleted at runtime live in a small overlay on top.

Like Zendesk, the account archives: a ticket closed more than 120 days before the account's
date is missing from organization ticket lists, their counts and ticket show, and is still in
the incremental export. A deleted ticket is gone everywhere but the export, which shows it
with status "deleted".
"""

from __future__ import annotations

import bisect
import dataclasses
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Final, overload

from backend.demo import ticket_changes
from backend.demo.incremental import ExportKey, GeneratedTickets, TicketPage, ticket_page
from backend.demo.installations import APP_ID, INSTALLATION_ID, Installations
from backend.demo.organizations import (
    ORGANIZATION_ID_BASE,
    DemoOrganization,
    generate_organizations,
    new_organization,
    organization_changes,
    organization_json,
)
from backend.demo.ticket_json import iso, metric_set_json, ticket_json
from backend.demo.ticket_store import PackedTickets
from backend.demo.tickets import (
    DAY,
    TICKET_ID_STRIDE,
    TicketRecord,
    generate_rows,
    record_from_row,
    requester_base,
)

__all__ = [
    "APP_ID",
    "INSTALLATION_ID",
    "ORGANIZATION_ID_BASE",
    "DemoAccount",
    "DemoOrganization",
    "generate_account",
]

SUBDOMAIN: Final = "acme-demo"
DEFAULT_BASE_URL: Final = f"https://{SUBDOMAIN}.zendesk.com"
ADMIN_EMAIL: Final = "admin@acme-demo.example"
# The installation's secure setting: never served by the API, published for the demo backend.
SHARED_SECRET: Final = "demo-shared-secret-0123456789abcdef"  # noqa: S105
ARCHIVE_AFTER_DAYS: Final = 120  # Zendesk archives tickets closed for more than 120 days


def _user(user_id: int, name: str, email: str, role: str, created: int) -> dict[str, Any]:
    return {
        "id": user_id,
        "url": f"{DEFAULT_BASE_URL}/api/v2/users/{user_id}.json",
        "name": name,
        "email": email,
        "created_at": iso(created),
        "updated_at": iso(created),
        "time_zone": "Berlin",
        "iana_time_zone": "Europe/Berlin",
        "locale": "en-US",
        "locale_id": 1,
        "organization_id": None,
        "role": role,
        "role_type": None,
        "custom_role_id": None,
        "verified": True,
        "active": True,
        "suspended": False,
        "restricted_agent": False,
        "moderator": role == "admin",
        "default_group_id": 360000100,
        "tags": [],
        "user_fields": {},
    }


class DemoAccount:
    """The whole demo account. Thread-safe: the server thread and a test may both use it."""

    def __init__(
        self,
        *,
        seed: int,
        anchor: int,
        scale: float,
        organizations: Sequence[DemoOrganization],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.subdomain = SUBDOMAIN
        self.seed = seed
        self.anchor = anchor
        self.scale = scale
        self.archived_before = anchor - ARCHIVE_AFTER_DAYS * DAY
        self._clock = clock
        self._lock = threading.RLock()
        self._organizations = {org.id: org for org in organizations}
        self._generated_organizations = len(organizations)
        self._stores: dict[int, PackedTickets] = {}
        self._export: GeneratedTickets | None = None
        self._runtime: dict[int, TicketRecord] = {}  # tickets changed or added at runtime
        self._added: dict[int, list[int]] = {}  # organization id → ids added at runtime
        self._change_keys: list[ExportKey] = []  # export keys of runtime changes, ascending
        self._revision = 0
        self.version = 0  # bumped by every runtime change, so servers can cache sorted views
        created = anchor - 3 * 365 * DAY
        self.admin = _user(361_000_000_001, "Ada Admin", ADMIN_EMAIL, "admin", created)
        self.agents = [
            _user(361_000_000_002, "Ben Agent", "ben@acme-demo.example", "agent", created),
            _user(361_000_000_003, "Chloe Agent", "chloe@acme-demo.example", "agent", created),
        ]
        self.users = [self.admin, *self.agents]
        self.installations = Installations(anchor, SHARED_SECRET, clock)
        # Customer Health's installation as first installed; its settings follow every PUT.
        self.installation: dict[str, Any] = self.installations.record(INSTALLATION_ID)

    @property
    def shared_secret(self) -> str:
        """The secure `shared_secret` of installation 1001 (never served by the API)."""
        secret = self.installations.secure_setting(INSTALLATION_ID, "shared_secret")
        return SHARED_SECRET if secret is None else secret

    @shared_secret.setter
    def shared_secret(self, value: str) -> None:
        self.installations.set_secure_setting(INSTALLATION_ID, "shared_secret", value)

    def _now(self) -> int:
        # Whole seconds from the clock, as Zendesk stamps them: two changes within one second
        # share updated_at, and no timestamp ever runs ahead of the clock.
        return int(self._clock())

    def _next_revision(self) -> int:
        self._revision += 1
        self.version += 1
        return self._revision

    # --- organizations ---------------------------------------------------------------------

    @property
    def organization_ids(self) -> list[int]:
        """The organizations that exist (not deleted), in id order."""
        with self._lock:
            return [org.id for org in self._organizations.values() if org.deleted_at is None]

    @property
    def organizations(self) -> list[DemoOrganization]:
        with self._lock:
            return [org for org in self._organizations.values() if org.deleted_at is None]

    def demo_organization(self, organization_id: int) -> DemoOrganization:
        """The organization (deleted ones too, with `deleted_at`); KeyError when unknown."""
        with self._lock:
            return self._organizations[organization_id]

    def _live(self, organization_id: int) -> DemoOrganization:
        org = self.demo_organization(organization_id)
        if org.deleted_at is not None:
            raise KeyError(organization_id)
        return org

    def organization(
        self, organization_id: int, base_url: str = DEFAULT_BASE_URL
    ) -> dict[str, Any]:
        """The organization as Zendesk's Organizations API returns it; KeyError when unknown
        or deleted."""
        return organization_json(self._live(organization_id), base_url)

    def organizations_by_update(self) -> list[DemoOrganization]:
        """Every organization, deleted ones included, by (updated_at, id): the org export."""
        with self._lock:
            return sorted(self._organizations.values(), key=lambda o: (o.updated_at, o.id))

    def _taken_names(self, except_id: int | None = None) -> set[str]:
        return {
            org.name.lower()
            for org in self._organizations.values()
            if org.deleted_at is None and org.id != except_id
        }

    def create_organization(self, payload: Mapping[str, Any]) -> DemoOrganization:
        """Zendesk's Create Organization; raises InvalidOrganization for a bad payload."""
        with self._lock:
            changes = organization_changes(payload, None, self._taken_names())
            org = new_organization(len(self._organizations), self._now(), changes)
            self._organizations[org.id] = org
            self.version += 1
            return org

    def update_organization(
        self, organization_id: int, payload: Mapping[str, Any]
    ) -> DemoOrganization:
        """Name, tags and organization_fields; bumps updated_at. KeyError when unknown."""
        with self._lock:
            current = self._live(organization_id)
            changes = organization_changes(payload, current, self._taken_names(current.id))
            org = dataclasses.replace(current, **changes, updated_at=self._now())
            self._organizations[org.id] = org
            self.version += 1
            return org

    def delete_organization(self, organization_id: int) -> None:
        """Gone from lists and show; the organization export shows it with deleted_at."""
        with self._lock:
            now = self._now()
            org = self._live(organization_id)
            self._organizations[org.id] = dataclasses.replace(org, deleted_at=now, updated_at=now)
            self.version += 1

    def summary(self) -> list[dict[str, Any]]:
        """Each organization with its ticket counts and intended profile (not a measured score)."""
        summary = []
        for org in self.organizations:
            profile = org.profile
            summary.append(
                {
                    "id": org.id,
                    "name": org.name,
                    "ticket_count": self.ticket_count(org.id),
                    "tags": list(org.tags),
                    "profile": None
                    if profile is None
                    else {
                        "tier": profile.tier,
                        "phase": org.phase,
                        "trend": profile.trend,
                        "traits": profile.traits(),
                    },
                }
            )
        return summary

    # --- tickets ---------------------------------------------------------------------------

    def _rows(self, org: DemoOrganization) -> Iterator[Any]:
        assert org.profile is not None
        seed = f"{self.seed}:tickets:{org.index}"
        return generate_rows(org.profile, seed, self.anchor, org.ticket_count)

    def _store(self, org: DemoOrganization) -> PackedTickets:
        """The organization's generated tickets, drawn on first use and kept (packed)."""
        with self._lock:
            store = self._stores.get(org.id)
            if store is None:
                rows = self._rows(org) if org.ticket_count else iter(())
                store = PackedTickets(
                    rows,
                    first_id=(org.index + 1) * TICKET_ID_STRIDE + 1,
                    organization_id=org.id,
                    requesters=requester_base(org.index),
                )
                self._stores[org.id] = store
            return store

    def _runtime_of(self, organization_id: int) -> dict[int, TicketRecord]:
        return {i: r for i, r in self._runtime.items() if r.organization_id == organization_id}

    def is_archived(self, record: TicketRecord) -> bool:
        return record.status == "closed" and record.updated_at < self.archived_before

    def ticket_count(self, organization_id: int) -> int:
        """Tickets of the organization that are not deleted, archived ones included."""
        org = self.demo_organization(organization_id)
        with self._lock:
            runtime = self._runtime_of(organization_id)
        added = len(self._added.get(organization_id, ()))
        deleted = sum(r.status == "deleted" for r in runtime.values())
        return org.ticket_count + added - deleted

    def ticket_records(self, organization_id: int) -> Sequence[TicketRecord]:
        """All tickets of the organization in creation order, archived ones included, deleted
        ones not, runtime changes applied."""
        org = self.demo_organization(organization_id)
        store = self._store(org)
        with self._lock:
            runtime = self._runtime_of(organization_id)
            added = [self._runtime[i] for i in self._added.get(organization_id, ())]
        if not runtime:
            return store
        records = [runtime.get(r.id, r) for r in store] + added
        return [r for r in records if r.status != "deleted"]

    def listed_ticket_records(self, organization_id: int) -> list[TicketRecord]:
        """The tickets `GET /organizations/{id}/tickets` lists: neither archived nor deleted."""
        org = self.demo_organization(organization_id)
        store = self._store(org)
        with self._lock:
            runtime = self._runtime_of(organization_id)
            added = [self._runtime[i] for i in self._added.get(organization_id, ())]
        records = [store[p] for p in store.unarchived_positions(self.archived_before)]
        if runtime:
            records = [runtime.get(r.id, r) for r in records] + added
        return [r for r in records if r.status != "deleted" and not self.is_archived(r)]

    def listed_ticket_count(self, organization_id: int) -> int:
        return len(self.listed_ticket_records(organization_id))

    def iter_ticket_records(self, organization_id: int) -> Iterator[TicketRecord]:
        """Stream the organization's tickets (as `ticket_records`) without keeping them."""
        org = self.demo_organization(organization_id)
        with self._lock:
            store = self._stores.get(organization_id)
            runtime = self._runtime_of(organization_id)
            added = [self._runtime[i] for i in self._added.get(organization_id, ())]
        if store is not None:
            generated: Iterator[TicketRecord] = iter(store)
        elif org.ticket_count:
            first_id = (org.index + 1) * TICKET_ID_STRIDE + 1
            requesters = requester_base(org.index)
            generated = (
                record_from_row(row, first_id + position, org.id, requesters)
                for position, row in enumerate(self._rows(org))
            )
        else:
            generated = iter(())
        for record in generated:
            record = runtime.get(record.id, record)
            if record.status != "deleted":
                yield record
        yield from (r for r in added if r.status != "deleted")

    def tickets(self, organization_id: int, base_url: str = DEFAULT_BASE_URL) -> TicketList:
        """The organization's tickets (as `ticket_records`) as Zendesk JSON, rendered when read."""
        return TicketList(self, self.ticket_records(organization_id), base_url)

    def ticket_record(self, ticket_id: int) -> TicketRecord | None:
        """The ticket in whatever state (status "deleted" once deleted); None if it never was."""
        with self._lock:
            changed = self._runtime.get(ticket_id)
        if changed is not None:
            return changed
        index, seq = divmod(ticket_id, TICKET_ID_STRIDE)
        org = self._organizations.get(ORGANIZATION_ID_BASE + index)
        if org is None or not 1 <= seq <= org.ticket_count:
            return None
        return self._store(org)[seq - 1]

    def visible_ticket_record(self, ticket_id: int) -> TicketRecord | None:
        """The ticket as `GET /tickets/{id}` finds it: None when unknown, archived or deleted."""
        record = self.ticket_record(ticket_id)
        if record is None or record.status == "deleted" or self.is_archived(record):
            return None
        return record

    def ticket_json(self, record: TicketRecord, base_url: str = DEFAULT_BASE_URL) -> dict[str, Any]:
        agent = self.agents[record.id % len(self.agents)]
        return ticket_json(record, base_url, agent["id"])

    @overload
    def metric_set(self, ticket: TicketRecord, base_url: str = ...) -> dict[str, Any] | None: ...
    @overload
    def metric_set(
        self, ticket: Mapping[str, Any], base_url: str = ...
    ) -> dict[str, Any] | None: ...
    @overload
    def metric_set(self, ticket: int, base_url: str = ...) -> dict[str, Any] | None: ...

    def metric_set(
        self, ticket: TicketRecord | Mapping[str, Any] | int, base_url: str = DEFAULT_BASE_URL
    ) -> dict[str, Any] | None:
        """The metric set of a ticket (record, ticket JSON or id); None when it has none."""
        if isinstance(ticket, TicketRecord):
            record: TicketRecord | None = ticket
        else:
            record = self.ticket_record(ticket if isinstance(ticket, int) else int(ticket["id"]))
        return None if record is None else metric_set_json(record, base_url)

    # --- the incremental ticket export -------------------------------------------------------

    def export_index(self) -> GeneratedTickets:
        """Every generated ticket in export order; built on first use (draws every ticket)."""
        with self._lock:
            if self._export is None:
                generated = [o for o in self._organizations.values() if o.profile is not None]
                self._export = GeneratedTickets(
                    [self._store(org) for org in sorted(generated, key=lambda o: o.index)]
                )
            return self._export

    def export_page(
        self, after: ExportKey, per_page: int, until: int, *, exclude_deleted: bool = False
    ) -> TicketPage:
        """Tickets after the cursor `after` in (updated_at, revision, id) order, up to `until`."""
        generated = self.export_index()
        with self._lock:
            changes = list(self._change_keys)
            runtime = dict(self._runtime)
        return ticket_page(
            generated,
            changes,
            runtime.get,
            runtime,
            after=after,
            per_page=per_page,
            until=until,
            exclude_deleted=exclude_deleted,
        )

    # --- runtime changes ---------------------------------------------------------------------

    def _record_change(self, record: TicketRecord) -> None:
        self._runtime[record.id] = record
        bisect.insort(self._change_keys, (record.updated_at, record.revision, record.id))

    def create_ticket(self, payload: Mapping[str, Any]) -> TicketRecord:
        """Add a ticket from Zendesk ticket JSON (plus the demo's `metric_set` extension).

        Raises KeyError for an unknown (or deleted) organization, InvalidTicket for a bad
        payload.
        """
        raw_org = payload.get("organization_id")
        if raw_org is None:
            raise ticket_changes.InvalidTicket("organization_id: required by the demo")
        try:
            organization_id = int(raw_org)
        except (TypeError, ValueError):
            raise ticket_changes.InvalidTicket("organization_id: not a number") from None
        with self._lock:
            org = self._live(organization_id)
            added = self._added.setdefault(org.id, [])
            ticket_id = (org.index + 1) * TICKET_ID_STRIDE + org.ticket_count + len(added) + 1
            requester = int(payload.get("requester_id") or ticket_id * 10 + 1)
            record = ticket_changes.new_record(payload, ticket_id, org.id, requester, self._now())
            record = dataclasses.replace(record, revision=self._next_revision())
            added.append(ticket_id)
            self._record_change(record)
        return record

    def update_ticket(self, ticket_id: int, payload: Mapping[str, Any]) -> TicketRecord:
        """Apply a Zendesk ticket update; bumps updated_at. KeyError when the ticket is unknown,
        archived or deleted (Zendesk does not find it either)."""
        with self._lock:
            record = self.visible_ticket_record(ticket_id)
            if record is None:
                raise KeyError(ticket_id)
            changes = ticket_changes.changed_fields(record, payload)
            updated = dataclasses.replace(
                record, **changes, updated_at=self._now(), revision=self._next_revision()
            )
            self._record_change(updated)
        return updated

    def delete_ticket(self, ticket_id: int) -> TicketRecord:
        """Mark the ticket deleted (it stays in the export); KeyError as for `update_ticket`."""
        with self._lock:
            record = self.visible_ticket_record(ticket_id)
            if record is None:
                raise KeyError(ticket_id)
            deleted = dataclasses.replace(
                record, status="deleted", updated_at=self._now(), revision=self._next_revision()
            )
            self._record_change(deleted)
        return deleted


class TicketList(Sequence[dict[str, Any]]):
    """A read-only list of ticket JSON over records, rendering each ticket when it is read."""

    def __init__(self, account: DemoAccount, records: Sequence[TicketRecord], base_url: str):
        self._account = account
        self._records = records
        self._base_url = base_url

    def __len__(self) -> int:
        return len(self._records)

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...
    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(index, slice):
            return [self._account.ticket_json(r, self._base_url) for r in self._records[index]]
        return self._account.ticket_json(self._records[index], self._base_url)


def _anchor(now: datetime | None) -> int:
    """Midnight UTC of `now`'s date: the account only depends on the date, not the hour."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    return int(datetime(moment.year, moment.month, moment.day, tzinfo=UTC).timestamp())


def generate_account(
    *, seed: int = 7, organizations: int = 60, now: datetime | None = None, scale: float = 1.0
) -> DemoAccount:
    """The demo account; the same (seed, organizations, scale, date of now) gives the same data."""
    anchor = _anchor(now)
    drawn = generate_organizations(seed, organizations, anchor, scale)
    return DemoAccount(seed=seed, anchor=anchor, scale=scale, organizations=drawn)
