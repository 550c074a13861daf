"""The account sync at scale: the first pass over a big account, a rescore after a settings
change, and the sidebar while a sync runs (issue "The whole account in the store").

Run: .venv/bin/python benchmarks/sync.py [--tickets 1000000] [--organizations 5000]
     [--requests 600]

Every part runs as users run it, each in its own process: `customer-health demo-zendesk`
serving the generated account, `customer-health sync` reading it into a SQLite store (its peak
RSS is read when it exits), `customer-health serve` answering sidebars while a
`customer-health sync --full` runs beside it. The rescore runs in this process over the same
store, and the demo Zendesk's own request log proves it asked Zendesk nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime

import httpx
from sidebar import CLI, SECRET, SUBDOMAIN, free_port, measure, start_scaled_demo, wait_until_up

from backend.cli.token import sign_token
from backend.demo import generate_account
from backend.service.reports import Reports
from backend.service.settings_cache import effective_settings
from backend.store.db import create_db_engine
from backend.store.repository import Repository

RSS_BAR_MB = 300
RESCORE_BAR_S = 5.0
SIDEBAR_BAR = 2.0
EXPORT_PAGE = 1000
ZENDESK_EXPORT_LIMIT = 10  # export requests a minute on a standard plan (30 with High Volume)


def scale_for(tickets: int, organizations: int) -> float:
    unscaled = generate_account(organizations=organizations)
    drawn = sum(unscaled.ticket_count(i) for i in unscaled.organization_ids)
    return tickets / drawn


def requests_log(zendesk: str) -> dict[str, int]:
    counts: dict[str, int] = httpx.get(f"{zendesk}/_demo/requests", timeout=60).json()["counts"]
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--organizations", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=600)
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="sync-bench-")
    database = f"sqlite:///{workdir}/sync.db"
    zendesk_port = free_port()
    zendesk = f"http://127.0.0.1:{zendesk_port}"
    scale = scale_for(args.tickets, args.organizations)
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    env = {
        **os.environ,
        "LOG_LEVEL": "WARNING",
        "APP_SHARED_SECRET": SECRET,
        "ZENDESK_SUBDOMAIN": SUBDOMAIN,
        "ZENDESK_URL": zendesk,
        "ZENDESK_OAUTH_TOKEN": "demo-oauth-token",
        "DATABASE_URL": database,
        "ZENDESK_TIMEOUT_SECONDS": "120",
        "RATE_BUDGET_FRACTION": "1",
    }
    demo = start_scaled_demo(zendesk_port, args.organizations, scale, env)
    processes = [demo]
    try:
        wait_until_up(f"{zendesk}/_demo/requests", demo)
        account = generate_account(organizations=args.organizations, scale=scale)
        total = sum(account.ticket_count(i) for i in account.organization_ids)
        print(f"demo account: {args.organizations:,} organizations, {total:,} tickets\n")

        # --- the first pass -------------------------------------------------------------
        started = time.perf_counter()
        synced = subprocess.run([CLI, "sync"], env=env, capture_output=True, text=True)
        wall = time.perf_counter() - started
        if synced.returncode != 0:
            raise SystemExit(f"sync failed: {synced.stderr[-2000:]}")
        rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        calls = requests_log(zendesk)
        export_pages = calls.get("GET /api/v2/incremental/tickets/cursor", 0)
        org_pages = calls.get("GET /api/v2/incremental/organizations", 0)
        others = sum(calls.values()) - export_pages - org_pages
        minimum = math.ceil(total / EXPORT_PAGE) + math.ceil(args.organizations / EXPORT_PAGE)
        imposed = (export_pages + org_pages) / ZENDESK_EXPORT_LIMIT
        print(synced.stdout.strip())
        print(
            f"first pass: {wall:.0f} s against the demo; Zendesk calls: {export_pages:,} ticket "
            f"export pages + {org_pages} organization pages = {export_pages + org_pages:,} "
            f"(minimum {minimum:,}), plus {others} others (settings for the daily pass)"
        )
        print(
            f"  Zendesk's export limit ({ZENDESK_EXPORT_LIMIT}/min) would stretch it to "
            f"{imposed:.0f} min ({imposed / 3:.0f} min with High Volume)"
        )
        print(
            f"  peak RSS of the sync process: {rss_mb:.0f} MB "
            f"(bar < {RSS_BAR_MB} MB: {'PASS' if rss_mb < RSS_BAR_MB else 'FAIL'})\n"
        )

        # --- a settings change: everything rescored from the store ------------------------
        engine = create_db_engine(database)
        repository = Repository(engine)
        before = sum(requests_log(zendesk).values())
        changed = effective_settings(
            {**account.installation["settings"], "weight_sla": "1", "green_threshold": "65"}
        )
        started = time.perf_counter()
        reports = Reports(repository, max_age=300).rescore_all(SUBDOMAIN, changed)
        rescore = time.perf_counter() - started
        asked = sum(requests_log(zendesk).values()) - before
        engine.dispose()
        print(
            f"rescoring {len(reports):,} organizations after a settings change: {rescore:.2f} s, "
            f"{asked} Zendesk calls (bar < {RESCORE_BAR_S:g} s and 0 calls: "
            f"{'PASS' if rescore < RESCORE_BAR_S and asked == 0 else 'FAIL'})\n"
        )

        # --- the sidebar while a sync runs ------------------------------------------------
        backend_port = free_port()
        backend = f"http://127.0.0.1:{backend_port}"
        serve = subprocess.Popen(
            [CLI, "serve", "--port", str(backend_port)],
            env={**env, "SYNC_INTERVAL_SECONDS": "0", "FRESHNESS_SECONDS": "3600"},
            **quiet,
        )
        processes.append(serve)
        wait_until_up(f"{backend}/healthz", serve)
        headers = {"Authorization": f"Bearer {sign_token(SECRET, SUBDOMAIN, 1001)}"}
        biggest = max(account.organization_ids, key=account.ticket_count)
        health = f"{backend}/api/v1/organizations/{biggest}/health"
        warm = httpx.get(health, headers=headers, timeout=120)
        if warm.status_code != 200:
            raise SystemExit(f"warm-up answered {warm.status_code}: {warm.text}")
        background = subprocess.Popen([CLI, "sync", "--full"], env=env, **quiet)
        processes.append(background)
        time.sleep(2)  # well into its first pages
        whoami = asyncio.run(measure(f"{backend}/api/v1/whoami", headers, args.requests, 16))
        sidebar = asyncio.run(measure(health, headers, args.requests, 16))
        running = background.poll() is None
        ratio = sidebar["p50"] / whoami["p50"]
        print(
            f"sidebar while `sync --full` runs ({'still running' if running else 'finished'} "
            f"at the end), organization {biggest} ({account.ticket_count(biggest):,} tickets), "
            f"concurrency 16, {args.requests} requests each:"
        )
        for name, row in (("whoami", whoami), ("health", sidebar)):
            print(
                f"  {name:>7}: {row['rps']:6.0f} req/s, p50 {row['p50']:7.2f} ms, "
                f"p99 {row['p99']:7.2f} ms"
            )
        print(
            f"  health p50 / whoami p50 = {ratio:.2f}x (bar ≤ {SIDEBAR_BAR:g}x: "
            f"{'PASS' if ratio <= SIDEBAR_BAR else 'FAIL'})"
        )
        print(f"\nmeasured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores")
        return 0
    finally:
        for process in reversed(processes):
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
