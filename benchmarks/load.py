"""Warm sidebar answers under load with wrk, on PostgreSQL, beside `/api/v1/whoami`.

Run: .venv/bin/python benchmarks/load.py [--duration 10] [--facts 1000000]
     (PostgreSQL from TEST_DATABASE_URL or postgresql://postgres@127.0.0.1:5432/test;
      wrk from `scripts/ensure-bench-tools`)

1. The cost of a warm answer: one `serve` process pinned to core 0, wrk pinned to core 1
   (`taskset`), at concurrency 1, 16 and 64; the p50 of the health answer against whoami's,
   a JWT-verified endpoint that does nothing else. Bar: at most 1.15x at each.
2. Two processes (`serve --workers 2`) on the same PostgreSQL: requests/s, p50 and p99 at
   concurrency 16 and 64, health beside whoami.
3. The peak resident memory of the `serve` process of part 1, whose store holds `--facts`
   ticket facts (synced from the demo Zendesk by `customer-health sync`, which also scored
   every organization), after it answered the biggest organizations and every wrk run.
The demo Zendesk runs as its own process throughout.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import sqlalchemy as sa
from sidebar import CLI, SECRET, SUBDOMAIN, free_port, start_scaled_demo, wait_until_up

from backend.cli.token import sign_token
from backend.config import normalise_database_url
from backend.demo import generate_account

BAR = 1.15
POSTGRES = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


def wrk(url: str, token: str, connections: int, duration: int, core: str) -> dict[str, float]:
    command = [
        "taskset", "-c", core, "wrk", "--latency", "-t1", f"-c{connections}",
        f"-d{duration}s", "-H", f"Authorization: Bearer {token}", url,
    ]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in output:
        raise SystemExit(f"{url} answered errors under load:\n{output}")
    latency = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", output, re.M))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    return {"rps": rps, "p50": _ms(latency["50"]), "p99": _ms(latency["99"])}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(\w+)", text).groups()  # type: ignore[union-attr]
    return float(number) * UNITS[unit]


def database() -> tuple[str, sa.Engine, str]:
    name = f"bench_load_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(normalise_database_url(POSTGRES), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(POSTGRES).set(database=name).render_as_string(False)
    return url, admin, name


def peak_rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024  # type: ignore[union-attr]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--facts", type=int, default=1_000_000)
    parser.add_argument("--organizations", type=int, default=5000)
    args = parser.parse_args()

    url, admin, name = database()
    zendesk_port = free_port()
    zendesk = f"http://127.0.0.1:{zendesk_port}"
    unscaled = generate_account(organizations=args.organizations)
    drawn = sum(unscaled.ticket_count(i) for i in unscaled.organization_ids)
    scale = args.facts / drawn
    account = generate_account(organizations=args.organizations, scale=scale)
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    env = {
        **os.environ,
        "LOG_LEVEL": "WARNING",
        "APP_SHARED_SECRET": SECRET,
        "ZENDESK_SUBDOMAIN": SUBDOMAIN,
        "ZENDESK_URL": zendesk,
        "ZENDESK_OAUTH_TOKEN": "demo-oauth-token",
        "DATABASE_URL": url,
        "ZENDESK_TIMEOUT_SECONDS": "120",
        "RATE_BUDGET_FRACTION": "1",
        "SYNC_INTERVAL_SECONDS": "0",
        "FRESHNESS_SECONDS": "3600",
    }
    processes: list[subprocess.Popen[bytes]] = []
    try:
        demo = start_scaled_demo(zendesk_port, args.organizations, scale, env)
        processes.append(demo)
        wait_until_up(f"{zendesk}/_demo/requests", demo)
        subprocess.run([CLI, "migrate"], env=env, check=True, **quiet)
        started = time.perf_counter()
        subprocess.run([CLI, "sync"], env=env, check=True, **quiet)
        total = sum(account.ticket_count(i) for i in account.organization_ids)
        print(
            f"store: {total:,} ticket facts of {args.organizations:,} organizations on "
            f"PostgreSQL, synced in {time.perf_counter() - started:.0f} s\n"
        )
        token = sign_token(SECRET, SUBDOMAIN, 1001)
        biggest = sorted(account.organization_ids, key=account.ticket_count)[-20:]
        organization = biggest[-1]

        # --- 1. one process, one core: the cost of a warm answer ---------------------------
        port = free_port()
        backend = f"http://127.0.0.1:{port}"
        serve = subprocess.Popen(
            ["taskset", "-c", "0", CLI, "serve", "--port", str(port)],  # noqa: S607
            env=env,
            **quiet,
        )
        processes.append(serve)
        wait_until_up(f"{backend}/healthz", serve)
        health = f"{backend}/api/v1/organizations/{organization}/health"
        headers = {"Authorization": f"Bearer {token}"}
        for organization_id in biggest:  # warm: the answers are computed and kept
            path = f"{backend}/api/v1/organizations/{organization_id}/health"
            httpx.get(path, headers=headers, timeout=300).raise_for_status()
        print(
            f"1. one process on core 0, wrk on core 1, organization {organization} "
            f"({account.ticket_count(organization):,} tickets), {args.duration} s a run"
        )
        print(f"{'conc.':>5} {'whoami p50':>11} {'health p50':>11} {'ratio':>7}")
        verdicts = []
        for connections in (1, 16, 64):
            trivial = wrk(f"{backend}/api/v1/whoami", token, connections, args.duration, "1")
            sidebar = wrk(health, token, connections, args.duration, "1")
            ratio = sidebar["p50"] / trivial["p50"]
            verdicts.append(ratio <= BAR)
            print(
                f"{connections:>5} {trivial['p50']:>9.2f}ms {sidebar['p50']:>9.2f}ms {ratio:>6.2f}x"
            )
        print(f"bar ≤ {BAR}x at every concurrency: {'PASS' if all(verdicts) else 'FAIL'}\n")

        rss = peak_rss_mb(serve.pid)  # part 3, read before the process goes
        serve.terminate()
        serve.wait(timeout=30)
        processes.remove(serve)

        # --- 2. two processes on one PostgreSQL ---------------------------------------------
        port = free_port()
        backend = f"http://127.0.0.1:{port}"
        pair = subprocess.Popen(
            [CLI, "serve", "--port", str(port), "--workers", "2"], env=env, **quiet
        )
        processes.append(pair)
        wait_until_up(f"{backend}/healthz", pair)
        health = f"{backend}/api/v1/organizations/{organization}/health"
        for _ in range(20):
            httpx.get(health, headers=headers, timeout=300).raise_for_status()
        print("2. serve --workers 2 on PostgreSQL (wrk unpinned, same 2 cores)")
        print(f"{'conc.':>5} {'endpoint':>8} {'req/s':>8} {'p50':>9} {'p99':>9}")
        for connections in (16, 64):
            for label, target in (("whoami", f"{backend}/api/v1/whoami"), ("health", health)):
                row = wrk(target, token, connections, args.duration, "0,1")
                print(
                    f"{connections:>5} {label:>8} {row['rps']:>8.0f} {row['p50']:>7.2f}ms "
                    f"{row['p99']:>7.2f}ms"
                )
        print(
            f"\n3. peak RSS of the serve process of part 1 (its store holds {total:,} ticket "
            f"facts; it answered the 20 biggest organizations and every wrk run): {rss:.0f} MB"
        )
        return 0 if all(verdicts) else 1
    finally:
        for process in reversed(processes):
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=30)
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    sys.exit(main())
