"""The demo account's organizations: drawn per seed, changed at runtime, rendered as Zendesk JSON.

Each generated organization has an intended profile (`profiles.py`) its tickets are drawn
from, plus the custom fields and tags a portfolio needs: `annual_revenue` and `csm`, a
`churned` tag on a deterministic subset (mostly the low-health profiles, but a green customer
can churn too), the date field `churned_on` on most churned ones and the number field
`health_goal` on some. Organizations created at runtime have no profile and no tickets.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from backend.demo.profiles import OrganizationProfile, Tier, draw_profile
from backend.demo.ticket_json import iso
from backend.demo.tickets import DAY

ORGANIZATION_ID_BASE: Final = 360_100_000_000
CHURN_TAG: Final = "churned"

# (id, key, type, title): the organization fields of the account, in their display order.
ORGANIZATION_FIELDS: Final = (
    (360000010, "annual_revenue", "decimal", "Annual revenue"),
    (360000011, "csm", "text", "Customer success manager"),
    (360000012, "churned_on", "date", "Churned on"),
    (360000013, "health_goal", "integer", "Health goal"),
)
_FIELD_TYPES: Final = {key: kind for _, key, kind, _ in ORGANIZATION_FIELDS}
# Share of each tier that churned; a green customer can churn too (at least one of them).
_CHURN_SHARE: Final[dict[Tier, float]] = {"red": 0.5, "yellow": 0.08, "green": 0.05}
_DATED_SHARE: Final = 0.8  # churned organizations with a churned_on date
_GOALS: Final = (60, 65, 70, 75, 80, 85)

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


class InvalidOrganization(ValueError):
    """The payload cannot become an organization; the message names the field (a 422)."""


@dataclass(frozen=True, slots=True)
class DemoOrganization:
    """One organization of the demo account; `profile` is None for runtime-created ones."""

    id: int
    index: int  # position in the account; ticket ids of the organization derive from it
    name: str
    created_at: int
    updated_at: int
    profile: OrganizationProfile | None
    ticket_count: int  # generated tickets, before runtime additions
    fields: Mapping[str, Any]
    tags: tuple[str, ...] = ("customer",)
    deleted_at: int | None = None

    @property
    def phase(self) -> str:
        age_days = self.profile.age_days if self.profile else 0
        return "onboarding" if age_days < 90 else ("adoption" if age_days < 365 else "success")

    @property
    def churned(self) -> bool:
        return CHURN_TAG in self.tags


def organization_json(org: DemoOrganization, base_url: str) -> dict[str, Any]:
    """The organization as Zendesk's Organizations API returns it."""
    slug = org.name.lower().replace(" ", "-")
    return {
        "url": f"{base_url}/api/v2/organizations/{org.id}.json",
        "id": org.id,
        "name": org.name,
        "shared_tickets": False,
        "shared_comments": False,
        "external_id": f"CRM-{org.index + 1:04d}",
        "created_at": iso(org.created_at),
        "updated_at": iso(org.updated_at),
        "deleted_at": iso(org.deleted_at),
        "domain_names": [f"{slug}.example"],
        "details": "",
        "notes": "",
        "group_id": None,
        "tags": list(org.tags),
        "organization_fields": {key: org.fields.get(key) for key in _FIELD_TYPES},
    }


def organization_fields_json(base_url: str) -> list[dict[str, Any]]:
    return [
        {
            "url": f"{base_url}/api/v2/organization_fields/{field_id}.json",
            "id": field_id,
            "key": key,
            "type": kind,
            "title": title,
            "raw_title": title,
            "active": True,
            "position": position,
        }
        for position, (field_id, key, kind, title) in enumerate(ORGANIZATION_FIELDS)
    ]


def date_value(day: date) -> str:
    """A date field's value as Zendesk's API shows it (midnight UTC, with offset)."""
    return f"{day.isoformat()}T00:00:00+00:00"


# --- runtime changes -----------------------------------------------------------------------


def _field_value(key: str, value: Any) -> Any:
    kind = _FIELD_TYPES.get(key)
    if kind is None:
        known = ", ".join(_FIELD_TYPES)
        raise InvalidOrganization(f"organization_fields.{key}: no such field (known: {known})")
    if value is None:
        return None
    where = f"organization_fields.{key}"
    if kind in ("decimal", "integer"):
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise InvalidOrganization(f"{where}: not a number")
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise InvalidOrganization(f"{where}: not a number") from None
        if not number.is_finite():
            raise InvalidOrganization(f"{where}: not a number")
        if kind == "integer" and number != number.to_integral_value():
            raise InvalidOrganization(f"{where}: not a whole number")
        return value
    if kind == "date":
        try:
            return date_value(date.fromisoformat(str(value)[:10]))
        except ValueError:
            raise InvalidOrganization(f"{where}: not a date (YYYY-MM-DD)") from None
    return str(value)


def _tags(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(t, str) and t.strip() for t in value):
        raise InvalidOrganization("tags: expected a list of words")
    # Zendesk keeps tags lower-case, without spaces, each once.
    return tuple(dict.fromkeys(t.strip().lower().replace(" ", "_") for t in value))


def organization_changes(
    payload: Mapping[str, Any], current: DemoOrganization | None, taken_names: set[str]
) -> dict[str, Any]:
    """The DemoOrganization fields a create (current None) or update payload sets.

    Raises InvalidOrganization for a missing or duplicate name, bad tags or field values.
    """
    changes: dict[str, Any] = {}
    if "name" in payload or current is None:
        name = payload.get("name")
        if not isinstance(name, str) or not name.strip():
            raise InvalidOrganization("name: required")
        if name.strip().lower() in taken_names:
            raise InvalidOrganization("name: has already been taken")
        changes["name"] = name.strip()
    if "tags" in payload:
        changes["tags"] = _tags(payload["tags"])
    if "organization_fields" in payload:
        raw = payload["organization_fields"]
        if not isinstance(raw, Mapping):
            raise InvalidOrganization("organization_fields: expected an object")
        fields = dict(current.fields) if current else {}
        fields.update({key: _field_value(key, value) for key, value in raw.items()})
        changes["fields"] = {k: v for k, v in fields.items() if v is not None}
    return changes


def new_organization(index: int, now: int, changes: Mapping[str, Any]) -> DemoOrganization:
    blank = DemoOrganization(
        id=ORGANIZATION_ID_BASE + index + 1,
        index=index,
        name="",
        created_at=now,
        updated_at=now,
        profile=None,
        ticket_count=0,
        fields={},
        tags=(),
    )
    return dataclasses.replace(blank, **changes)


# --- generation ----------------------------------------------------------------------------


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


def _churned(seed: int, tiers: Sequence[Tier]) -> tuple[set[int], set[int]]:
    """Indexes of the churned organizations (a share of each tier) and of those of them with
    a churn date (four in five), drawn once per account."""
    rng = random.Random(f"{seed}:churn")
    churned: set[int] = set()
    for tier, share in _CHURN_SHARE.items():
        members = [i for i, t in enumerate(tiers) if t == tier]
        wanted = min(len(members), max(1, round(share * len(members)))) if members else 0
        churned.update(rng.sample(members, wanted))
    dated = set(rng.sample(sorted(churned), round(_DATED_SHARE * len(churned))))
    return churned, dated


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


def _portfolio_fields(
    rng: random.Random, churn_dated: bool, anchor: int, created_at: int
) -> dict[str, Any]:
    """churned_on (when the churn is dated) and health_goal (about a third of them)."""
    fields: dict[str, Any] = {}
    if churn_dated:
        # Within the last weeks, so a demo with 90 days of history has scores from before.
        day = max(created_at + DAY, anchor - rng.randint(7, 80) * DAY)
        fields["churned_on"] = date_value(datetime.fromtimestamp(day, UTC).date())
    if rng.random() < 0.35:
        fields["health_goal"] = rng.choice(_GOALS)
    return fields


def generate_organizations(
    seed: int, count: int, anchor: int, scale: float
) -> list[DemoOrganization]:
    """The account's organizations; the same arguments give the same ones.

    `scale` multiplies each profile's ticket count (an organization with tickets keeps one).
    """
    rng = random.Random(f"{seed}:account")
    tiers = _tiers(rng, count)
    phases = _phases(rng, count)
    names = _names(rng, count)
    specials = ["high_volume", "no_revenue", "no_csat", "no_tickets", "high_volume", "high_volume"]
    chosen = rng.sample(range(count), min(len(specials), count))
    special_of = dict(zip(chosen, specials, strict=False))
    churned, dated = _churned(seed, tiers)
    organizations = []
    for index in range(count):
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
        created_at = anchor - profile.age_days * DAY - org_rng.randint(0, DAY - 1)
        fields = _revenue_fields(org_rng, profile)
        extra_rng = random.Random(f"{seed}:organization-fields:{index}")
        fields |= _portfolio_fields(extra_rng, index in dated, anchor, created_at)
        # Distinct times (to the second), so the incremental export has few ties to handle.
        updated_at = max(created_at, anchor - extra_rng.randint(DAY, 60 * DAY))
        organizations.append(
            DemoOrganization(
                id=ORGANIZATION_ID_BASE + index + 1,
                index=index,
                name=names[index],
                created_at=created_at,
                updated_at=updated_at,
                profile=profile,
                ticket_count=max(1, round(profile.tickets * scale)) if profile.tickets else 0,
                fields=fields,
                tags=("customer", CHURN_TAG) if index in churned else ("customer",),
            )
        )
    return organizations
