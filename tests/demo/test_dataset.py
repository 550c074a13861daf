"""The generated account: determinism, shape, laziness at scale, and its colour spread."""

from __future__ import annotations

import itertools
import time
import tracemalloc
from collections import Counter
from datetime import datetime

import pytest

from backend.demo import DemoAccount, generate_account
from backend.scoring import ScoringSettings

from .conftest import NOW
from .scoring_view import score_organization


def test_same_seed_same_data() -> None:
    first, second = generate_account(seed=3, now=NOW), generate_account(seed=3, now=NOW)
    assert first.organization_ids == second.organization_ids
    for org_id in first.organization_ids[:5]:
        assert first.organization(org_id) == second.organization(org_id)
        assert list(first.tickets(org_id)) == list(second.tickets(org_id))


def test_only_the_date_of_now_matters() -> None:
    morning = generate_account(now=NOW.replace(hour=1), organizations=5)
    evening = generate_account(now=NOW.replace(hour=23), organizations=5)
    org_id = morning.organization_ids[0]
    assert list(morning.tickets(org_id)) == list(evening.tickets(org_id))


def test_other_seed_other_data() -> None:
    first, second = generate_account(seed=1, now=NOW), generate_account(seed=2, now=NOW)
    names = [first.organization(i)["name"] for i in first.organization_ids]
    assert names != [second.organization(i)["name"] for i in second.organization_ids]


def test_the_account_has_every_kind_of_customer(account: DemoAccount) -> None:
    assert account.subdomain == "acme-demo"
    assert len(account.organization_ids) == 60
    counts = [account.ticket_count(i) for i in account.organization_ids]
    assert counts.count(0) == 1
    assert sum(c >= 5000 for c in counts) >= 3
    assert sorted(counts)[len(counts) // 2] >= 200  # hundreds of tickets per organization
    revenue = [account.organization(i)["organization_fields"] for i in account.organization_ids]
    assert sum(f["annual_revenue"] is None for f in revenue) == 1
    assert any(isinstance(f.get("annual_revenue"), str) for f in revenue)
    assert any(isinstance(f.get("annual_revenue"), float) for f in revenue)
    traits = Counter(t for o in account.summary() for t in o["profile"]["traits"])
    for trait in ("no CSAT", "loss-making", "profitable", "ping-pong", "SLA-breaking", "unhappy"):
        assert traits[trait] >= 1, trait
    phases = Counter(o["profile"]["phase"] for o in account.summary())
    assert phases["onboarding"] >= 3 and phases["adoption"] >= 5 and phases["success"] >= 30
    trends = Counter(o["profile"]["trend"] for o in account.summary())
    assert trends["improving"] >= 5 and trends["declining"] >= 5


def test_tickets_span_two_years_with_realistic_fields(account: DemoAccount) -> None:
    org_id = max(account.organization_ids, key=account.ticket_count)
    records = account.ticket_records(org_id)
    span_days = (records[-1].created_at - records[0].created_at) / 86400
    assert 700 <= span_days <= 730
    statuses = Counter(r.status for r in records)
    assert (statuses["closed"] + statuses["solved"]) / len(records) > 0.9
    assert {"new", "open", "pending"} <= set(statuses)
    priorities = Counter(r.priority for r in records)
    assert priorities[None] > 0 and priorities["urgent"] > 0
    ratings = Counter(r.satisfaction for r in records)
    assert {None, "offered", "unoffered", "good", "bad"} <= set(ratings)
    assert any(r.satisfaction_comment for r in records)
    assert any(r.metrics is None for r in records)
    assert any(r.time_spent is None for r in records)


def test_runtime_changes_bump_updated_at(fresh_account: DemoAccount) -> None:
    org_id = fresh_account.organization_ids[0]
    first = fresh_account.listed_ticket_records(org_id)[0]
    position = fresh_account.ticket_records(org_id).index(first)
    updated = fresh_account.update_ticket(first.id, {"status": "open"})
    again = fresh_account.update_ticket(first.id, {"priority": "high"})
    # Whole seconds, like Zendesk: later changes never go back, and never run ahead of now.
    assert first.updated_at < updated.updated_at <= again.updated_at <= time.time()
    assert first.revision == 0 < updated.revision < again.revision
    assert fresh_account.ticket_records(org_id)[position] == again
    created = fresh_account.create_ticket({"organization_id": org_id})
    assert fresh_account.ticket_records(org_id)[-1] == created
    assert fresh_account.ticket_record(created.id) == created


def test_a_million_ticket_account_is_created_lazily() -> None:
    started = time.perf_counter()
    big = generate_account(now=NOW, scale=25)
    assert time.perf_counter() - started < 1.0
    total = sum(big.ticket_count(i) for i in big.organization_ids)
    assert total >= 1_000_000
    org_id = max(big.organization_ids, key=big.ticket_count)
    assert big.ticket_count(org_id) > 100_000
    # Streaming 30,000 tickets of the biggest organization holds only a few at a time
    # (holding them all would take well over 10 MB).
    tracemalloc.start()
    try:
        seen = sum(1 for _ in itertools.islice(big.iter_ticket_records(org_id), 30_000))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert seen == 30_000
    assert peak < 2_000_000


def test_default_settings_spread_colours_about_20_60_20(account: DemoAccount) -> None:
    settings = ScoringSettings()
    installation, warnings = ScoringSettings.from_zendesk(account.installation["settings"])
    assert warnings == ()
    for chosen in (settings, installation):
        colours = Counter(
            score_organization(account, org_id, chosen, NOW).colour
            for org_id in account.organization_ids
        )
        scored = sum(colours[c] for c in ("green", "yellow", "red"))
        assert colours["grey"] <= 1
        for colour in ("green", "yellow", "red"):
            assert colours[colour] >= 0.1 * scored, colours
        assert colours["yellow"] > max(colours["green"], colours["red"]), colours
        assert colours["yellow"] >= 0.4 * scored, colours


@pytest.mark.parametrize("seed", [1, 2])
def test_other_seeds_spread_colours_too(seed: int) -> None:
    other = generate_account(seed=seed, now=NOW)
    colours = Counter(
        score_organization(other, org_id, ScoringSettings(), NOW).colour
        for org_id in other.organization_ids
    )
    assert colours["yellow"] > max(colours["green"], colours["red"]), colours
    assert min(colours["green"], colours["red"]) >= 6, colours


def test_tickets_are_kept_packed(fresh_account: DemoAccount) -> None:
    """A kept ticket costs tens of bytes, not the hundreds a Python object would."""
    org_id = max(fresh_account.organization_ids, key=fresh_account.ticket_count)
    count = fresh_account.ticket_count(org_id)
    assert count > 2000
    tracemalloc.start()
    try:
        records = fresh_account.ticket_records(org_id)
        kept, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(records) == count
    assert kept / count < 60
    assert records[count // 2] == fresh_account.ticket_record(records[count // 2].id)


# --- portfolio data -------------------------------------------------------------------------


def test_churn_tags_and_fields(account: DemoAccount) -> None:
    organizations = account.organizations
    churned = [o for o in organizations if "churned" in o.tags]
    tiers = Counter(o.profile.tier for o in churned if o.profile)
    assert 0.1 * len(organizations) <= len(churned) <= 0.25 * len(organizations)
    assert tiers["red"] > len(churned) / 2  # mostly the low-health profiles
    assert tiers["green"] >= 1  # a green customer can churn too
    with_date = [o for o in churned if "churned_on" in o.fields]
    assert len(with_date) >= 0.6 * len(churned)
    assert all("churned_on" not in o.fields for o in organizations if o not in churned)
    for org in with_date:
        shown = account.organization(org.id)["organization_fields"]["churned_on"]
        assert shown.endswith("T00:00:00+00:00")
        day = datetime.fromisoformat(shown)
        assert 7 <= (NOW - day).days <= 81
    goals = [o.fields["health_goal"] for o in organizations if "health_goal" in o.fields]
    assert 0.15 * len(organizations) <= len(goals) <= 0.6 * len(organizations)
    assert all(isinstance(goal, int) and 60 <= goal <= 85 for goal in goals)


def test_churn_is_deterministic_and_scales(account: DemoAccount) -> None:
    again = generate_account(now=NOW)
    assert [o.tags for o in again.organizations] == [o.tags for o in account.organizations]
    large = generate_account(now=NOW, organizations=5000)
    churned = [o for o in large.organizations if o.churned]
    tiers = Counter(o.profile.tier for o in churned if o.profile)
    assert tiers["red"] == 500 and tiers["yellow"] == 240 and tiers["green"] == 50
