"""Zendesk calls and wall time of a cold and a warm organization fetch, against the demo Zendesk.

Run: .venv/bin/python benchmarks/fetch.py [--sizes 100,1000,5000] [--no-naive] [--no-paced]
     [--no-sustained]

For each size N an account is generated whose chosen organization has exactly N tickets, and
served by the demo Zendesk over loopback. Three ways of fetching it are compared:

- client: ZendeskClient — the organization, the installation settings, the ticket count, and
  ⌈N/100⌉ ticket pages with `include=metric_sets` (the cold minimum, DESIGN §9). Warm: one page
  from the high-water mark (the minimum is 1 call).
- naive: an inline client that lists the tickets without the sideload and then asks
  `/api/v2/tickets/{id}/metrics` for each ticket (the demo serves that endpoint, so its wall
  time is measured, not estimated). Without a high-water mark its warm refresh is a re-fetch.
- paced: the client with its default budget (20 % of the account limit) against the demo's
  realistic 700 requests/minute, to show what politeness costs in wall time.
- sustained: the default budget over two full windows (about 3 minutes with the wait before):
  the rate it keeps up, in requests a minute, against the configured one (fraction × the
  account's limit read from the headers).

The client and naive runs use a demo with a roomy rate limit and a budget of 100 % of it, so
they measure the calls themselves rather than the pacing. Server and client share this
process (and its GIL) on loopback: the absolute times are pessimistic, the ratios are the point.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from backend.demo import BackgroundServer, create_demo_zendesk, generate_account
from backend.demo.dataset import DemoAccount
from backend.demo.ratelimits import RateLimits
from backend.zendesk.auth import BearerToken
from backend.zendesk.client import ZendeskClient
from backend.zendesk.ratelimit import RateBudget

TOKEN = "demo-oauth-token"
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
ROOMY = RateLimits(account=10_000_000, tickets_index=10_000_000, incremental_exports=1000)


@dataclass(frozen=True)
class Run:
    calls: int
    seconds: float
    tickets: int


def account_with_organization_of(size: int) -> tuple[DemoAccount, int]:
    """An account whose largest organization, scaled, has exactly `size` tickets."""
    base = generate_account()
    org_id = max(base.organization_ids, key=lambda i: base.demo_organization(i).profile.tickets)
    scale = size / base.demo_organization(org_id).profile.tickets
    account = generate_account(scale=scale)
    if account.ticket_count(org_id) != size:
        raise SystemExit(f"could not build an organization of {size} tickets")
    return account, org_id


def demo_calls(url: str) -> int:
    total: int = httpx.get(f"{url}/_demo/requests").json()["total"]
    return total


def reset(url: str) -> None:
    httpx.post(f"{url}/_demo/requests/reset").raise_for_status()


async def client_cold(url: str, org_id: int, budget: RateBudget) -> tuple[Run, datetime]:
    async with ZendeskClient(url, BearerToken(TOKEN), budget=budget) as zendesk:
        started = time.perf_counter()
        await zendesk.list_installations()
        await zendesk.get_organization(org_id)
        await zendesk.count_organization_tickets(org_id)
        tickets = await zendesk.fetch_organization_tickets(org_id, updated_since=EPOCH)
        seconds = time.perf_counter() - started
    mark = max(t.updated_at for t in tickets)
    return Run(zendesk.stats.requests, seconds, len(tickets)), mark


async def client_warm(url: str, org_id: int, mark: datetime, budget: RateBudget) -> Run:
    async with ZendeskClient(url, BearerToken(TOKEN), budget=budget) as zendesk:
        started = time.perf_counter()
        tickets = await zendesk.fetch_organization_tickets(org_id, updated_since=mark)
        seconds = time.perf_counter() - started
    return Run(zendesk.stats.requests, seconds, len(tickets))


async def naive_fetch(url: str, org_id: int) -> Run:
    """What a straightforward client does: list the tickets, then ask each one's metrics."""
    headers = {"Authorization": f"Bearer {TOKEN}"}
    calls = 0
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30) as http:
        started = time.perf_counter()
        for path in ("/api/v2/apps/installations",
                     f"/api/v2/organizations/{org_id}",
                     f"/api/v2/organizations/{org_id}/tickets/count"):  # fmt: skip
            (await http.get(path)).raise_for_status()
            calls += 1
        tickets: list[dict[str, object]] = []
        params = {"page[size]": "100"}
        while True:
            response = await http.get(f"/api/v2/organizations/{org_id}/tickets", params=params)
            response.raise_for_status()
            calls += 1
            body = response.json()
            tickets.extend(body["tickets"])
            if not body["meta"]["has_more"]:
                break
            params = {"page[size]": "100", "page[after]": body["meta"]["after_cursor"]}
        for ticket in tickets:
            metrics = await http.get(f"/api/v2/tickets/{ticket['id']}/metrics")
            if metrics.status_code != 404:  # about 1 % of tickets have no metrics
                metrics.raise_for_status()
            calls += 1
        seconds = time.perf_counter() - started
    return Run(calls, seconds, len(tickets))


def roomy_budget() -> RateBudget:
    return RateBudget(fraction=1.0, limit_per_minute=ROOMY.account)


async def bench_size(size: int, naive: bool, paced: bool) -> list[str]:
    account, org_id = account_with_organization_of(size)
    lines: list[str] = []
    with BackgroundServer(create_demo_zendesk(account, rate_limits=ROOMY)) as server:
        url = server.url
        # Warm the demo's own caches (its sorted ticket view) so no run pays for the server.
        await client_cold(url, org_id, roomy_budget())
        reset(url)
        cold, mark = await client_cold(url, org_id, roomy_budget())
        assert demo_calls(url) == cold.calls, "the client's count disagrees with the demo's"
        reset(url)
        warm = await client_warm(url, org_id, mark, roomy_budget())
        # Zendesk lists no archived ticket (closed 120+ days ago): the minimum is of those listed.
        cold_minimum = math.ceil(cold.tickets / 100) + 3
        naive_run = None
        if naive:
            reset(url)
            naive_run = await naive_fetch(url, org_id)
            assert demo_calls(url) == naive_run.calls
    naive_cold = f"{naive_run.calls:>7} {naive_run.seconds:>8.2f}" if naive_run else "skipped"
    naive_calls = naive_run.calls if naive_run else size + math.ceil(size / 100) + 3
    lines.append(
        f"cold {size:>5}  {cold.tickets:>6} {cold.calls:>6} {cold_minimum:>8} "
        f"{cold.seconds:>8.2f}   {naive_cold}  ({naive_calls / cold.calls:.0f}x the calls)"
    )
    naive_warm = naive_cold + "  (re-fetch)" if naive_run else "skipped"
    lines.append(
        f"warm {size:>5}  {warm.tickets:>6} {warm.calls:>6} {1:>8} {warm.seconds:>8.2f}   "
        f"{naive_warm}"
    )
    if paced:
        with BackgroundServer(create_demo_zendesk(account)) as realistic:  # 700/minute
            budget = RateBudget()  # the default: 20 % of what the headers say
            await client_cold(realistic.url, org_id, RateBudget(fraction=1.0))  # warm the demo
            reset(realistic.url)
            run, _ = await client_cold(realistic.url, org_id, budget)
        lines.append(
            f"paced {size:>4}  {run.tickets:>6} {run.calls:>6} {cold_minimum:>8} "
            f"{run.seconds:>8.2f}   (default budget: {budget.requests_per_minute:.0f} of "
            f"{budget.limit_per_minute}/min)"
        )
    return lines


async def sustained_rate() -> str:
    """The rate the default budget sustains against the demo's 700 requests a minute: after
    one call teaches it the account's limit, 2 × its share + 1 calls span two full windows;
    the first of them starts the clock."""
    account, org_id = account_with_organization_of(100)
    with BackgroundServer(create_demo_zendesk(account)) as realistic:
        budget = RateBudget()  # the default: 20 % of what the headers say
        async with ZendeskClient(realistic.url, BearerToken(TOKEN), budget=budget) as zendesk:
            await zendesk.get_organization(org_id)  # learns the limit from the headers
            per_minute = budget.requests_per_minute
            await asyncio.sleep(61)  # an empty window, so the run starts from nothing
            calls = 2 * per_minute + 1
            started = time.perf_counter()
            for _ in range(calls):
                await zendesk.get_organization(org_id)
            seconds = time.perf_counter() - started
    rate = (calls - 1) / seconds * 60
    return (
        f"sustained: {calls} calls in {seconds:.1f} s = {rate:.1f} a minute against a "
        f"configured {per_minute} ({budget.fraction:.0%} of {budget.limit_per_minute}): "
        f"{rate / per_minute:.1%}"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,5000")
    parser.add_argument("--no-naive", action="store_true", help="skip the naive client")
    parser.add_argument("--no-paced", action="store_true", help="skip the paced client")
    parser.add_argument(
        "--no-sustained", action="store_true", help="skip the sustained rate (2 minutes)"
    )
    args = parser.parse_args()
    print("Zendesk calls and wall time per organization fetch (demo Zendesk over loopback)")
    print("scenario   tickets  calls  minimum   wall_s   naive_calls naive_s")
    for size in (int(part) for part in args.sizes.split(",")):
        for line in await bench_size(size, naive=not args.no_naive, paced=not args.no_paced):
            print(line, flush=True)
    print("calls: the client's HTTP requests, equal to the demo's own request log;")
    print("minimum: ⌈N/100⌉ ticket pages + organization + installation settings + ticket count")
    print("(cold), 1 page (warm); naive: list pages + one /tickets/{id}/metrics call per ticket.")
    if not args.no_sustained:
        print(await sustained_rate())


if __name__ == "__main__":
    asyncio.run(main())
