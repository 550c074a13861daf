"""The portfolio endpoints for a big account: latency of the portfolio, calibration, what-if
preview and backtest beside `/api/v1/whoami` in the same run (issue "The portfolio page").

Run: .venv/bin/python benchmarks/portfolio.py [--organizations 5000] [--tickets 200000]
     [--requests 100]

As users run it, each part in its own process: `customer-health demo-zendesk` serves the
generated account, `customer-health sync` reads it into a SQLite store, `customer-health serve`
answers; this process signs the requests and times them one after the other (concurrency 1,
keep-alive). The first portfolio request after start measures every organization's KPIs from
the store (printed as "cold"); the figures after it are the warm store's, as the page sees
them. A what-if on weights and thresholds reuses that measurement; one on the window measures
again (its first request is printed as "cold" too).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
import time
from typing import Any

import httpx
from sidebar import CLI, SECRET, SUBDOMAIN, free_port, start_scaled_demo, wait_until_up
from sync import scale_for

from backend.cli.token import sign_token
from backend.demo import generate_account

PORTFOLIO_BAR_MS = 200.0
PREVIEW_BAR_MS = 1000.0


def timed(client: httpx.Client, method: str, url: str, body: Any = None) -> float:
    started = time.perf_counter()
    response = client.request(method, url, json=body)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{method} {url} answered {response.status_code}: {response.text[:500]}")
    return elapsed


def series(
    client: httpx.Client, method: str, url: str, requests: int, body: Any = None
) -> dict[str, float]:
    latencies = sorted(timed(client, method, url, body) for _ in range(requests))
    return {
        "p50": statistics.median(latencies),
        "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organizations", type=int, default=5000)
    parser.add_argument("--tickets", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="portfolio-bench-")
    zendesk_port, backend_port = free_port(), free_port()
    zendesk = f"http://127.0.0.1:{zendesk_port}"
    backend = f"http://127.0.0.1:{backend_port}"
    scale = scale_for(args.tickets, args.organizations)
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    env = {
        **os.environ,
        "LOG_LEVEL": "WARNING",
        "APP_SHARED_SECRET": SECRET,
        "ZENDESK_SUBDOMAIN": SUBDOMAIN,
        "ZENDESK_URL": zendesk,
        "ZENDESK_OAUTH_TOKEN": "demo-oauth-token",
        "DATABASE_URL": f"sqlite:///{workdir}/portfolio.db",
        "ZENDESK_TIMEOUT_SECONDS": "120",
        "RATE_BUDGET_FRACTION": "1",
        "SYNC_INTERVAL_SECONDS": "0",  # the store stays as synced: every figure is warm
    }
    demo = start_scaled_demo(zendesk_port, args.organizations, scale, env)
    processes = [demo]
    try:
        wait_until_up(f"{zendesk}/_demo/requests", demo)
        account = generate_account(organizations=args.organizations, scale=scale)
        total = sum(account.ticket_count(i) for i in account.organization_ids)
        synced = subprocess.run([CLI, "sync"], env=env, capture_output=True, text=True)
        if synced.returncode != 0:
            raise SystemExit(f"sync failed: {synced.stderr[-2000:]}")
        print(f"store: {args.organizations:,} organizations, {total:,} tickets (synced)\n")

        server = subprocess.Popen(
            [CLI, "serve", "--host", "127.0.0.1", "--port", str(backend_port)], env=env, **quiet
        )
        processes.append(server)
        wait_until_up(f"{backend}/healthz", server)
        token = sign_token(SECRET, SUBDOMAIN, account.installation["id"], lifetime=3600)
        headers = {"Authorization": f"Bearer {token}"}
        weights = {"weight_sla": "0", "weight_feedback": "3", "green_threshold": "65"}
        window = {"window_days": "365"}
        with httpx.Client(base_url=backend, headers=headers, timeout=600) as client:
            cold = timed(client, "GET", "/api/v1/portfolio")
            cold_window = timed(client, "POST", "/api/v1/preview", {"settings": window})
            n = args.requests
            rows = {
                "whoami": series(client, "GET", "/api/v1/whoami", n),
                "portfolio": series(client, "GET", "/api/v1/portfolio", n),
                "portfolio ?colour=red&sort=-score": series(
                    client, "GET", "/api/v1/portfolio?colour=red&sort=-score", n
                ),
                "portfolio CSV": series(client, "GET", "/api/v1/portfolio?format=csv", n),
                "calibration 20/60/20": series(client, "GET", "/api/v1/calibration", n),
                "preview weights+threshold": series(
                    client, "POST", "/api/v1/preview", n, {"settings": weights}
                ),
                "preview window 365 d": series(
                    client, "POST", "/api/v1/preview", n, {"settings": window}
                ),
                "backtest": series(client, "GET", "/api/v1/backtest", n),
            }
        whoami = rows["whoami"]["p50"]
        print(f"concurrency 1, {n} requests each, warm store:")
        for name, figures in rows.items():
            print(
                f"  {name:34} p50 {figures['p50']:8.1f} ms  p99 {figures['p99']:8.1f} ms  "
                f"({figures['p50'] / whoami:6.1f}x whoami)"
            )
        print(
            f"\ncold (first request after start: every organization's KPIs measured): "
            f"portfolio {cold / 1000:.2f} s, preview of another window {cold_window / 1000:.2f} s"
        )
        portfolio_ok = rows["portfolio"]["p50"] < PORTFOLIO_BAR_MS
        slowest_preview = max(
            rows["preview weights+threshold"]["p50"], rows["preview window 365 d"]["p50"]
        )
        preview_ok = slowest_preview < PREVIEW_BAR_MS
        print(
            f"bars: portfolio p50 < {PORTFOLIO_BAR_MS:g} ms: {'PASS' if portfolio_ok else 'FAIL'}; "
            f"preview p50 < {PREVIEW_BAR_MS:g} ms: {'PASS' if preview_ok else 'FAIL'}"
        )
        stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        print(f"\nmeasured {stamp}, {os.cpu_count()} cores")
        return 0 if portfolio_ok and preview_ok else 1
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)


if __name__ == "__main__":
    raise SystemExit(main())
