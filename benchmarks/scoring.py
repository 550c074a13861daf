"""How many ticket facts per second the scoring core turns into a health report (DESIGN §9).

Run with `.venv/bin/python benchmarks/scoring.py [SIZES...]`. Facts are built first, untimed;
each size is timed as the best of three runs of `compute_health`, beside a plain-Python floor
(a loop that reads one field of each fact) measured in the same run.
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from backend.scoring import OrganizationFacts, ScoringSettings, TicketFacts, compute_health

TARGET_FACTS_PER_SECOND = 500_000
DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
NOW = datetime(2026, 6, 1, tzinfo=UTC)
STATUSES = ("new", "open", "pending", "hold", "solved", "closed", "solved", "closed")
PRIORITIES = (None, "low", "normal", "normal", "high", "urgent")
RATINGS = (None, None, "offered", "good", "good_with_comment", "bad", "bad_with_comment")


def build_tickets(count: int, seed: int = 7) -> list[TicketFacts]:
    """A realistic mix of tickets, most inside the default 90-day window.

    Timestamps come from a pool of a few thousand datetimes, as many tickets share a minute in
    real data too; it keeps a million facts at a couple of hundred megabytes.
    """
    rng = random.Random(seed)
    times = [NOW - timedelta(minutes=m) for m in range(0, 100 * 24 * 60, 37)]
    tickets: list[TicketFacts] = []
    for ticket_id in range(1, count + 1):
        created = rng.choice(times)
        has_metrics = rng.random() < 0.9
        tickets.append(
            TicketFacts(
                id=ticket_id,
                created_at=created,
                updated_at=created,
                status=rng.choice(STATUSES),
                priority=rng.choice(PRIORITIES),
                satisfaction=rng.choice(RATINGS),
                has_metrics=has_metrics,
                replies=rng.randrange(0, 6) if has_metrics else None,
                reply_minutes=rng.randrange(0, 2000) if has_metrics else None,
                resolution_minutes=rng.randrange(0, 8000) if has_metrics else None,
                handle_seconds=rng.choice((None, None, 0, rng.randrange(60, 7200))),
            )
        )
    return tickets


def best_of(runs: int, work: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def floor_loop(tickets: Sequence[TicketFacts]) -> int:
    """The cheapest honest pass: read one field of every fact."""
    solved = 0
    for ticket in tickets:
        if ticket.status == "solved":
            solved += 1
    return solved


def main(argv: Sequence[str]) -> int:
    sizes = tuple(int(a) for a in argv) or DEFAULT_SIZES
    organization = OrganizationFacts(
        1, "Benchmark", NOW - timedelta(days=400), {"annual_revenue": 250_000}
    )
    settings = ScoringSettings(time_spent_field_id=360001)
    print(f"scoring core, best of 3, target {TARGET_FACTS_PER_SECOND:,} facts/s on one core")
    print(f"{'tickets':>10} {'core facts/s':>14} {'floor facts/s':>14} {'ratio':>7}  verdict")
    all_pass = True
    for size in sizes:
        tickets = build_tickets(size)
        report = compute_health(organization, tickets, settings, NOW)
        # Guard against timing a shortcut: every KPI must really have been computed.
        assert report.score is not None and all(k.score is not None for k in report.kpis)
        core = best_of(3, lambda t=tickets: compute_health(organization, t, settings, NOW))
        floor = best_of(3, lambda t=tickets: floor_loop(t))
        core_rate, floor_rate = size / core, size / floor
        verdict = "PASS" if core_rate >= TARGET_FACTS_PER_SECOND else "FAIL"
        all_pass = all_pass and verdict == "PASS"
        print(
            f"{size:>10,} {core_rate:>14,.0f} {floor_rate:>14,.0f} "
            f"{floor_rate / core_rate:>6.1f}×  {verdict}"
        )
        del tickets
    print("PASS" if all_pass else "FAIL", f"(≥ {TARGET_FACTS_PER_SECOND:,} facts/s at every size)")
    return 0 if all_pass else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
