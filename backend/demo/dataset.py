"""The demo Zendesk account "acme-demo": organizations, users, the app installation and tickets.

Organizations are drawn up front (cheap); their tickets are drawn lazily from a per-organization
RNG seeded from the account seed, so `scale` can describe a million-ticket account without
holding it in memory. Ticket lists are kept in a bounded LRU cache and regenerated on demand;
tickets created or updated at runtime live in a small overlay on top.
"""

from __future__ import annotations

import dataclasses
import random
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, overload

from backend.demo import ticket_changes
from backend.demo.profiles import OrganizationProfile, Tier, draw_profile
from backend.demo.tickets import (
    DAY,
    TICKET_ID_STRIDE,
    TicketRecord,
    generate_tickets,
    iso,
    metric_set_json,
    ticket_json,
)

SUBDOMAIN: Final = "acme-demo"
DEFAULT_BASE_URL: Final = f"https://{SUBDOMAIN}.zendesk.com"
ORGANIZATION_ID_BASE: Final = 360_100_000_000
INSTALLATION_ID: Final = 1001
APP_ID: Final = 990_001
ADMIN_EMAIL: Final = "admin@acme-demo.example"
# The installation's secure setting: never served by the API, published for the demo backend.
SHARED_SECRET: Final = "demo-shared-secret-0123456789abcdef"  # noqa: S105
CACHE_BUDGET: Final = 250_000  # ticket records kept in memory across organizations

_NAME_STARTS: Final = (
    "Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Hooli", "Vandelay", "Soylent",
    "Tyrell", "Cyberdyne", "Wonka", "Gringotts", "Monarch", "Oscorp", "Pied Piper", "Aperture",
    "Black Mesa", "Dunder", "Massive", "Nakatomi", "Virtucon", "Blue Sun", "Duff", "Krusty",
    "Prestige", "Sterling", "Bluth", "Gekko", "Zorg",
)  # fmt: skip
_NAME_ENDS: Final = (
    "Industries", "Labs", "Logistics", "Systems", "Health", "Foods", "Analytics", "Retail",
    "Energy", "Media", "Finance", "Robotics",
)  # fmt: skip
_CSMS: Final = ("Maria Lopez", "Jonas Weber", "Priya Patel", "Tom Becker", "Aiko Tanaka")


@dataclass(frozen=True, slots=True)
class DemoOrganization:
    """One organization of the demo account and the profile its tickets are drawn from."""

    id: int
    name: str
    created_at: int
    profile: OrganizationProfile
    ticket_count: int  # generated tickets, before runtime additions
    fields: Mapping[str, Any]

    @property
    def phase(self) -> str:
        return (
            "onboarding"
            if self.profile.age_days < 90
            else ("adoption" if self.profile.age_days < 365 else "success")
        )


def _installation_settings() -> dict[str, str]:
    # Zendesk hands settings back as strings; the secure `shared_secret` is never among them.
    return {
        "name": "Customer Health",
        "title": "Customer Health",
        "backend_url": "http://127.0.0.1:8000",
        "window_days": "90",
        "green_threshold": "70",
        "red_threshold": "40",
        "weight_balance": "2",
        "weight_feedback": "2",
        "weight_touchpoints": "1",
        "weight_sla": "3",
        "balance_good": "70",
        "balance_bad": "0",
        "feedback_good": "95",
        "feedback_bad": "70",
        "touchpoints_good": "80",
        "touchpoints_bad": "40",
        "sla_good": "95",
        "sla_bad": "75",
        "sla_first_reply_targets": "urgent:60,high:240,normal:480,low:1440",
        "sla_resolution_targets": "urgent:480,high:1440,normal:2880,low:5760",
        "revenue_field": "annual_revenue",
        "hourly_cost": "60",
        "time_spent_field_id": "360000001",
        "minutes_per_ticket": "10",
        "minutes_per_reply": "5",
        "goal_score": "70",
        "min_sample": "3",
        "onboarding_days": "90",
        "recommendations": "",
    }


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
        self.shared_secret = SHARED_SECRET
        self._clock = clock
        self._organizations = {org.id: org for org in organizations}
        self._lock = threading.RLock()
        self._cache: OrderedDict[int, list[TicketRecord]] = OrderedDict()
        self._cached_records = 0
        self._changed: dict[int, dict[int, TicketRecord]] = {}
        self._added: dict[int, list[TicketRecord]] = {}
        self.version = 0  # bumped by every runtime change, so servers can cache sorted views
        created = anchor - 3 * 365 * DAY
        self.admin = _user(361_000_000_001, "Ada Admin", ADMIN_EMAIL, "admin", created)
        self.agents = [
            _user(361_000_000_002, "Ben Agent", "ben@acme-demo.example", "agent", created),
            _user(361_000_000_003, "Chloe Agent", "chloe@acme-demo.example", "agent", created),
        ]
        self.users = [self.admin, *self.agents]
        self.installation: dict[str, Any] = {
            "id": INSTALLATION_ID,
            "app_id": APP_ID,
            "product": "support",
            "settings": _installation_settings(),
            "enabled": True,
            "paid": False,
            "collapsible": True,
            "group_restrictions": [],
            "role_restrictions": None,
            "recurring_payment": False,
            "plan": None,
            "has_unpaid_subscription": False,
            "has_incomplete_subscription": False,
            "created_at": iso(anchor - 200 * DAY),
            "updated_at": iso(anchor - 200 * DAY),
        }

    # --- organizations ---------------------------------------------------------------------

    @property
    def organization_ids(self) -> list[int]:
        return list(self._organizations)

    @property
    def organizations(self) -> list[DemoOrganization]:
        return list(self._organizations.values())

    def demo_organization(self, organization_id: int) -> DemoOrganization:
        """The organization and its profile; KeyError when unknown."""
        return self._organizations[organization_id]

    def organization(
        self, organization_id: int, base_url: str = DEFAULT_BASE_URL
    ) -> dict[str, Any]:
        """The organization as Zendesk's Organizations API returns it; KeyError when unknown."""
        org = self._organizations[organization_id]
        slug = org.name.lower().replace(" ", "-")
        return {
            "url": f"{base_url}/api/v2/organizations/{org.id}.json",
            "id": org.id,
            "name": org.name,
            "shared_tickets": False,
            "shared_comments": False,
            "external_id": f"CRM-{org.profile.index + 1:04d}",
            "created_at": iso(org.created_at),
            "updated_at": iso(max(org.created_at, self.anchor - 30 * DAY)),
            "domain_names": [f"{slug}.example"],
            "details": "",
            "notes": "",
            "group_id": None,
            "tags": ["customer"],
            "organization_fields": dict(org.fields),
        }

    def ticket_count(self, organization_id: int) -> int:
        org = self._organizations[organization_id]
        with self._lock:
            return org.ticket_count + len(self._added.get(organization_id, ()))

    def summary(self) -> list[dict[str, Any]]:
        """Each organization with its ticket count and intended profile (not a measured score)."""
        return [
            {
                "id": org.id,
                "name": org.name,
                "ticket_count": self.ticket_count(org.id),
                "profile": {
                    "tier": org.profile.tier,
                    "phase": org.phase,
                    "trend": org.profile.trend,
                    "traits": org.profile.traits(),
                },
            }
            for org in self._organizations.values()
        ]

    # --- tickets ---------------------------------------------------------------------------

    def _generate(self, org: DemoOrganization) -> Iterator[TicketRecord]:
        seed = f"{self.seed}:tickets:{org.profile.index}"
        return generate_tickets(org.profile, org.id, seed, self.anchor, org.ticket_count)

    def _base_records(self, org: DemoOrganization) -> list[TicketRecord]:
        with self._lock:
            cached = self._cache.get(org.id)
            if cached is not None:
                self._cache.move_to_end(org.id)
                return cached
        records = list(self._generate(org))
        if len(records) <= CACHE_BUDGET:
            with self._lock:
                if org.id not in self._cache:
                    self._cache[org.id] = records
                    self._cached_records += len(records)
                while self._cached_records > CACHE_BUDGET:
                    _, evicted = self._cache.popitem(last=False)
                    self._cached_records -= len(evicted)
        return records

    def ticket_records(self, organization_id: int) -> Sequence[TicketRecord]:
        """All tickets of the organization in creation order, runtime changes applied."""
        org = self._organizations[organization_id]
        base = self._base_records(org)
        with self._lock:
            changed = dict(self._changed.get(organization_id, {}))
            added = list(self._added.get(organization_id, ()))
        if not changed and not added:
            return base
        return [changed.get(r.id, r) for r in base] + added

    def iter_ticket_records(self, organization_id: int) -> Iterator[TicketRecord]:
        """Stream the organization's tickets without building (or caching) the whole list."""
        org = self._organizations[organization_id]
        with self._lock:
            cached = self._cache.get(organization_id)
            changed = dict(self._changed.get(organization_id, {}))
            added = list(self._added.get(organization_id, ()))
        for record in cached if cached is not None else self._generate(org):
            yield changed.get(record.id, record)
        yield from added

    def tickets(self, organization_id: int, base_url: str = DEFAULT_BASE_URL) -> TicketList:
        """The organization's tickets as Zendesk JSON, rendered when read."""
        return TicketList(self, self.ticket_records(organization_id), base_url)

    def ticket_record(self, ticket_id: int) -> TicketRecord | None:
        index, seq = divmod(ticket_id, TICKET_ID_STRIDE)
        org_id = ORGANIZATION_ID_BASE + index
        org = self._organizations.get(org_id)
        if org is None or seq == 0:
            return None
        with self._lock:
            changed = self._changed.get(org_id, {}).get(ticket_id)
            if changed is not None:
                return changed
            for record in self._added.get(org_id, ()):
                if record.id == ticket_id:
                    return record
        if seq > org.ticket_count:
            return None
        return self._base_records(org)[seq - 1]

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

    # --- runtime changes (warm-refresh tests) -------------------------------------------------

    def _write_time(self) -> int:
        # Whole seconds from the clock, as Zendesk stamps them: two changes within one second
        # share updated_at (clients must re-read tickets updated exactly at their mark), and
        # no timestamp ever runs ahead of the clock.
        return int(self._clock())

    def create_ticket(self, payload: Mapping[str, Any]) -> TicketRecord:
        """Add a ticket from Zendesk ticket JSON (plus the demo's `metric_set` extension).

        Raises KeyError for an unknown organization, InvalidTicket for a bad payload.
        """
        raw_org = payload.get("organization_id")
        if raw_org is None:
            raise ticket_changes.InvalidTicket("organization_id: required by the demo")
        org = self._organizations[int(raw_org)]
        with self._lock:
            added = self._added.setdefault(org.id, [])
            ticket_id = (org.profile.index + 1) * TICKET_ID_STRIDE + org.ticket_count + len(added)
            requester = int(payload.get("requester_id") or ticket_id * 10 + 1)
            record = ticket_changes.new_record(
                payload, ticket_id + 1, org.id, requester, self._write_time()
            )
            added.append(record)
            self.version += 1
        return record

    def update_ticket(self, ticket_id: int, payload: Mapping[str, Any]) -> TicketRecord:
        """Apply a Zendesk ticket update; bumps updated_at. KeyError when the ticket is unknown."""
        with self._lock:
            record = self.ticket_record(ticket_id)
            if record is None:
                raise KeyError(ticket_id)
            changes = ticket_changes.changed_fields(record, payload)
            updated = dataclasses.replace(record, **changes, updated_at=self._write_time())
            added = self._added.get(record.organization_id, [])
            for position, existing in enumerate(added):
                if existing.id == ticket_id:
                    added[position] = updated
                    break
            else:
                self._changed.setdefault(record.organization_id, {})[ticket_id] = updated
            self.version += 1
        return updated


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


# --- generation ---------------------------------------------------------------------------------


def _anchor(now: datetime | None) -> int:
    """Midnight UTC of `now`'s date: the account only depends on the date, not the hour."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    return int(datetime(moment.year, moment.month, moment.day, tzinfo=UTC).timestamp())


def _names(rng: random.Random, count: int) -> list[str]:
    combos = [f"{start} {end}" for start in _NAME_STARTS for end in _NAME_ENDS]
    rng.shuffle(combos)
    names = combos[: min(count, len(combos))]
    names += [f"Customer {n}" for n in range(len(names) + 1, count + 1)]
    return names


def _tiers(rng: random.Random, count: int) -> list[Tier]:
    green = red = round(count * 0.2)
    tiers: list[Tier] = ["green"] * green
    tiers += ["red"] * red
    tiers += ["yellow"] * (count - green - red)
    rng.shuffle(tiers)
    return tiers


def _phases(rng: random.Random, count: int) -> list[str]:
    onboarding = round(count * 0.1)
    adoption = round(count * 0.2)
    phases = ["onboarding"] * onboarding + ["adoption"] * adoption
    phases += ["success"] * (count - len(phases))
    rng.shuffle(phases)
    return phases


def _revenue_fields(rng: random.Random, profile: OrganizationProfile) -> dict[str, Any]:
    """annual_revenue so that the support margin lands near the profile's target."""
    fields: dict[str, Any] = {"csm": rng.choice((*_CSMS, None))}
    if not profile.has_revenue:
        return fields
    one_touch = profile.touchpoints_now / 100.0
    minutes_per_ticket = 10 + 5 * (one_touch * 0.96 + (1 - one_touch) * (2 + 0.45 / 0.55))
    months = profile.history_days / 30.44
    tickets_per_year = max(profile.tickets, 1) / months * 12 * (1 + profile.volume_growth / 2)
    cost_per_year = tickets_per_year * minutes_per_ticket  # 60 per hour = 1 per minute
    revenue = max(1000.0, round(cost_per_year / (1 - profile.margin / 100.0), -2))
    # Some accounts keep the number in a text field: Zendesk then returns it as a string.
    fields["annual_revenue"] = f"{revenue:.0f}" if rng.random() < 0.2 else revenue
    return fields


def generate_account(
    *, seed: int = 7, organizations: int = 60, now: datetime | None = None, scale: float = 1.0
) -> DemoAccount:
    """The demo account; the same (seed, organizations, scale, date of now) gives the same data."""
    anchor = _anchor(now)
    rng = random.Random(f"{seed}:account")
    tiers = _tiers(rng, organizations)
    phases = _phases(rng, organizations)
    names = _names(rng, organizations)
    specials = ["high_volume", "no_revenue", "no_csat", "no_tickets", "high_volume", "high_volume"]
    chosen = rng.sample(range(organizations), min(len(specials), organizations))
    special_of = dict(zip(chosen, specials, strict=False))
    orgs = []
    for index in range(organizations):
        org_rng = random.Random(f"{seed}:organization:{index}")
        special = special_of.get(index)
        phase = "success" if special == "high_volume" else phases[index]
        profile = draw_profile(
            org_rng,
            index,
            tiers[index],
            phase,
            high_volume=special == "high_volume",
            no_tickets=special == "no_tickets",
            no_csat=special == "no_csat",
            no_revenue=special == "no_revenue",
        )
        count = round(profile.tickets * scale)
        orgs.append(
            DemoOrganization(
                id=ORGANIZATION_ID_BASE + index + 1,
                name=names[index],
                created_at=anchor - profile.age_days * DAY - org_rng.randint(0, DAY - 1),
                profile=profile,
                ticket_count=max(1, count) if profile.tickets else 0,
                fields=_revenue_fields(org_rng, profile),
            )
        )
    return DemoAccount(seed=seed, anchor=anchor, scale=scale, organizations=orgs)
