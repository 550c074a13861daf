"""Sidebars under a failing Zendesk: 1,000 requests at concurrency 32 across two `serve`
processes on one PostgreSQL while the demo Zendesk fails a fifth of its answers.

Run: .venv/bin/python benchmarks/soak.py [--requests 1000] [--concurrency 32]
     (PostgreSQL from TEST_DATABASE_URL or postgresql://postgres@127.0.0.1:5432/test)

1. Fault-free: both processes start, one runs the account sync's first pass.
2. Four organizations are created in Zendesk (the store does not have them yet), and the demo
   Zendesk starts failing 20 % of its answers: 429 with Retry-After 15 s, 500, 503, 12 s stalls
   and truncated JSON, 4 % each. The requests go to both processes, every stored organization
   and the new ones; their answers are counted: fresh 200, stale 200, 202, 503, other 5xx,
   dropped connections.
3. Faults off: once a sync run succeeded, the store is compared with a fault-free sync of the
   same account into a new database: the same organizations and the same ticket facts.
Bar: no 5xx but 503 with a code, nothing dropped, every stored organization answered 200.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
import uuid
from collections import Counter
from datetime import datetime
from typing import Any

import httpx
import sqlalchemy as sa
from sidebar import CLI, SECRET, SUBDOMAIN, free_port, wait_until_up

from backend.cli.token import sign_token
from backend.config import normalise_database_url

POSTGRES = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
FAULTS = {
    "rate_429": 0.04,
    "retry_after": 15,
    "rate_500": 0.04,
    "rate_503": 0.04,
    "rate_slow": 0.04,
    "slow_seconds": 12,
    "rate_malformed": 0.04,
}
FACTS = (
    "SELECT ticket_id, organization_id, created_at, updated_at, status, priority, satisfaction, "
    "replies, reply_minutes, resolution_minutes FROM ticket_facts"
)


class Databases:
    def __init__(self) -> None:
        self.admin = sa.create_engine(
            normalise_database_url(POSTGRES), isolation_level="AUTOCOMMIT"
        )
        self.names: list[str] = []

    def new(self) -> str:
        name = f"bench_soak_{uuid.uuid4().hex[:8]}"
        with self.admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        self.names.append(name)
        return sa.engine.make_url(POSTGRES).set(database=name).render_as_string(False)

    def drop(self) -> None:
        with self.admin.connect() as connection:
            for name in self.names:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.admin.dispose()


def contents(url: str) -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    engine = sa.create_engine(normalise_database_url(url))
    try:
        with engine.connect() as connection:
            facts = {tuple(r) for r in connection.execute(sa.text(FACTS))}
            organizations = {
                (r[0], r[1])
                for r in connection.execute(
                    sa.text("SELECT organization_id, name FROM organizations")
                )
            }
        return facts, organizations
    finally:
        engine.dispose()


def sync_state(url: str) -> dict[str, Any]:
    response = httpx.get(f"{url}/api/v1/sync", headers=HEADERS, timeout=30)
    response.raise_for_status()
    state: dict[str, Any] = response.json()
    return state


HEADERS = {"Authorization": f"Bearer {sign_token(SECRET, SUBDOMAIN, 1001)}"}


def wait_for_sync(url: str, after: float, timeout: float = 1200) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = sync_state(url)
        success = state["last_success_at"]
        if state["state"] == "idle" and success and _epoch(success) > after:
            return
        time.sleep(1)
    raise SystemExit(f"the sync did not succeed in time: {sync_state(url)}")


def _epoch(iso: str) -> float:
    return datetime.fromisoformat(iso).timestamp()


async def soak(
    targets: list[tuple[str, int]], concurrency: int
) -> tuple[Counter[str], list[float], set[int]]:
    outcomes: Counter[str] = Counter()
    latencies: list[float] = []
    answered: set[int] = set()
    queue = list(targets)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(headers=HEADERS, limits=limits, timeout=60) as client:

        async def worker() -> None:
            while queue:
                base, organization_id = queue.pop()
                started = time.perf_counter()
                try:
                    response = await client.get(
                        f"{base}/api/v1/organizations/{organization_id}/health"
                    )
                except httpx.TransportError:
                    outcomes["dropped connection"] += 1
                    continue
                latencies.append(time.perf_counter() - started)
                status = response.status_code
                if status == 200:
                    stale = response.json()["stale"]
                    outcomes["stale 200" if stale else "fresh 200"] += 1
                    answered.add(organization_id)
                elif status == 503 and response.json().get("code"):
                    outcomes[f"503 {response.json()['code']}"] += 1
                elif status >= 500:
                    outcomes[f"{status} (a server error)"] += 1
                else:
                    outcomes[str(status)] += 1

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return outcomes, latencies, answered


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--organizations", type=int, default=60)
    args = parser.parse_args()

    databases = Databases()
    processes: list[subprocess.Popen[bytes]] = []
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    try:
        url = databases.new()
        zendesk_port = free_port()
        zendesk = f"http://127.0.0.1:{zendesk_port}"
        env = {
            **os.environ,
            "LOG_LEVEL": "WARNING",
            "APP_SHARED_SECRET": SECRET,
            "ZENDESK_SUBDOMAIN": SUBDOMAIN,
            "ZENDESK_URL": zendesk,
            "ZENDESK_OAUTH_TOKEN": "demo-oauth-token",
            "DATABASE_URL": url,
            "RATE_BUDGET_FRACTION": "1",
            "SYNC_INTERVAL_SECONDS": "5",
            "SETTINGS_CACHE_SECONDS": "5",
            "ZENDESK_TIMEOUT_SECONDS": "5",
        }
        demo = subprocess.Popen(
            [
                CLI, "demo-zendesk", "--port", str(zendesk_port),
                "--organizations", str(args.organizations), "--export-lag", "0",
                "--incremental-exports", "100000", "--account-limit", "100000",
            ],
            env=env,
            **quiet,
        )  # fmt: skip
        processes.append(demo)
        wait_until_up(f"{zendesk}/_demo/requests", demo)
        subprocess.run([CLI, "migrate"], env=env, check=True, **quiet)
        backends = []
        for _ in range(2):
            port = free_port()
            serve = subprocess.Popen([CLI, "serve", "--port", str(port)], env=env, **quiet)
            processes.append(serve)
            backends.append(f"http://127.0.0.1:{port}")
            wait_until_up(f"{backends[-1]}/healthz", serve)
        started = time.time()
        wait_for_sync(backends[0], after=0)
        stored = [
            o["id"] for o in httpx.get(f"{zendesk}/_demo/organizations").json()["organizations"]
        ]
        print(
            f"1. first pass of {len(stored)} organizations done in "
            f"{time.time() - started:.0f} s (two processes, one PostgreSQL)"
        )

        admin = {"Authorization": "Bearer demo-oauth-token"}
        newcomers = [
            httpx.post(
                f"{zendesk}/api/v2/organizations",
                headers=admin,
                json={"organization": {"name": f"Newcomer {n}"}},
            ).json()["organization"]["id"]
            for n in range(4)
        ]
        httpx.put(f"{zendesk}/_demo/faults", json=FAULTS).raise_for_status()
        everyone = stored + newcomers
        targets = [(backends[n % 2], everyone[n % len(everyone)]) for n in range(args.requests)]
        started = time.perf_counter()
        outcomes, latencies, answered = asyncio.run(soak(targets, args.concurrency))
        wall = time.perf_counter() - started
        served = httpx.get(f"{zendesk}/_demo/requests").json()["total"]
        latencies.sort()
        print(
            f"2. {args.requests} requests at concurrency {args.concurrency} in {wall:.0f} s "
            f"while Zendesk failed 20 % of {served} answers; p50 "
            f"{1000 * latencies[len(latencies) // 2]:.0f} ms, max {1000 * latencies[-1]:.0f} ms"
        )
        for outcome, count in sorted(outcomes.items(), key=lambda item: -item[1]):
            print(f"   {outcome:<32} {count:>5}")
        server_errors = sum(
            c for o, c in outcomes.items() if "server error" in o or o == "dropped connection"
        )
        missing = set(stored) - answered

        httpx.put(f"{zendesk}/_demo/faults", json={}).raise_for_status()
        healed = time.time()
        wait_for_sync(backends[0], after=healed)
        reference = databases.new()
        subprocess.run([CLI, "migrate"], env={**env, "DATABASE_URL": reference}, **quiet)
        subprocess.run([CLI, "sync"], env={**env, "DATABASE_URL": reference}, check=True, **quiet)
        soaked, clean = contents(url), contents(reference)
        same = soaked == clean
        print(
            f"3. afterwards: {len(soaked[0]):,} ticket facts and {len(soaked[1])} organizations; "
            f"a fault-free sync into a new database: {len(clean[0]):,} and {len(clean[1])}: "
            f"{'identical' if same else 'DIFFERENT'}"
        )
        ok = server_errors == 0 and not missing and same
        print(
            f"\nbar: no server error or dropped connection ({server_errors}), every stored "
            f"organization answered 200 ({len(stored) - len(missing)}/{len(stored)}), the store "
            f"as a fault-free run's: {'PASS' if ok else 'FAIL'}"
        )
        return 0 if ok else 1
    finally:
        for process in reversed(processes):
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=30)
        databases.drop()


if __name__ == "__main__":
    sys.exit(main())
