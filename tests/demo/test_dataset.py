"""The generated account: determinism, shape, laziness at scale, and its colour spread."""

from __future__ import annotations

import itertools
import time
import tracemalloc
from collections import Counter

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
    assert sum("annual_revenue" not in f for f in revenue) == 1
    assert any(isinstance(f.get("annual_revenue"), str) for f in revenue)
    assert any(isinstance(f.get("annual_revenue"), float) for f in revenue)
    traits = Counter(t for o in account.summary() for t in o["profile"]["traits"])
    for trait in ("no CSAT", "loss-making", "profitable", "ping-pong", "SLA-breaking", "unhappy"):
        assert traits[trait] >= 1, trait
    phases = Counter(o["profile"]["phase"] for o in account.summary())
    assert phases["onboarding"] >= 3 and phases["adoption"] >= 5 and phases["success"] >= 30
    trends = Counter(o["profile"]["trend"] for o in account.summary())
    assert trends["improving"] >= 5 and trends["declining"] >= 5


def test_tickets_span_18_months_with_realistic_fields(account: DemoAccount) -> None:
    org_id = max(account.organization_ids, key=account.ticket_count)
    records = account.ticket_records(org_id)
    span_days = (records[-1].created_at - records[0].created_at) / 86400
    assert 500 <= span_days <= 548
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
    first = fresh_account.ticket_records(org_id)[0]
    updated = fresh_account.update_ticket(first.id, {"status": "open"})
    again = fresh_account.update_ticket(first.id, {"priority": "high"})
    # Whole seconds, like Zendesk: later changes never go back, and never run ahead of now.
    assert first.updated_at < updated.updated_at <= again.updated_at <= time.time()
    assert fresh_account.ticket_records(org_id)[0] == again
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
