"""Requests/s and latency of the warm sidebar answer against a trivial signed endpoint (DESIGN §9).

Run: .venv/bin/python benchmarks/sidebar.py [--requests 1500] [--concurrency 1,16,64]

The demo Zendesk and `customer-health serve` run as separate processes, the load comes from
this one (httpx, one connection pool). For a warm organization of about 5,000 tickets, all of
them in the scoring window (window_days 730), the
health endpoint is measured beside `/api/v1/whoami` — a JWT-verified endpoint that does
nothing else — at each concurrency, in the same run, and the ratio of their p50 latencies
is checked against the bar of DESIGN §9: at most 2×.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from backend.cli.demo import demo_token

SECRET = "benchmark-shared-secret-0123456789abcdef"
SUBDOMAIN = "acme-demo"
BAR = 2.0
CLI = str(Path(sys.executable).with_name("customer-health"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    for _ in range(300):
        if process.poll() is not None:
            raise SystemExit(f"{url}: the process exited with {process.returncode}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not come up")


def start_scaled_demo(
    port: int, organizations: int, scale: float, env: dict[str, str]
) -> subprocess.Popen[bytes]:
    """`customer-health demo-zendesk` serving a scaled account as fast as it can: no export
    lag and limits no benchmark reaches, so the figures are the backend's, not the pacing's."""
    return subprocess.Popen(
        [
            CLI, "demo-zendesk", "--port", str(port),
            "--organizations", str(organizations), "--scale", f"{scale:.6f}",
            "--export-lag", "0", "--incremental-exports", "100000",
            "--account-limit", "1000000",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip


async def measure(
    url: str, headers: dict[str, str], total: int, concurrency: int
) -> dict[str, float]:
    latencies: list[float] = []
    remaining = total
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(headers=headers, limits=limits, timeout=60) as client:
        await client.get(url)  # open a connection before timing

        async def worker() -> None:
            nonlocal remaining
            while remaining > 0:
                remaining -= 1
                start = time.perf_counter()
                response = await client.get(url)
                latencies.append(time.perf_counter() - start)
                if response.status_code != 200:
                    raise SystemExit(f"{url} answered {response.status_code}: {response.text}")

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1500)
    parser.add_argument("--concurrency", default="1,16,64")
    args = parser.parse_args()
    levels = [int(c) for c in args.concurrency.split(",")]

    zendesk_port, backend_port = free_port(), free_port()
    workdir = tempfile.mkdtemp(prefix="sidebar-bench-")
    env = {**os.environ, "LOG_LEVEL": "WARNING"}
    processes = [
        subprocess.Popen(
            [CLI, "demo-zendesk", "--port", str(zendesk_port), "--organizations", "24"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    ]
    try:
        zendesk = f"http://127.0.0.1:{zendesk_port}"
        wait_until_up(f"{zendesk}/_demo/organizations", processes[0])
        organizations = httpx.get(f"{zendesk}/_demo/organizations").json()["organizations"]
        target = min(organizations, key=lambda o: abs(o["ticket_count"] - 5000))
        processes.append(
            subprocess.Popen(
                [CLI, "serve", "--port", str(backend_port)],
                env={
                    **env,
                    "APP_SHARED_SECRET": SECRET,
                    "ZENDESK_SUBDOMAIN": SUBDOMAIN,
                    "ZENDESK_URL": zendesk,
                    "ZENDESK_OAUTH_TOKEN": "demo-oauth-token",
                    "DATABASE_URL": f"sqlite:///{workdir}/bench.db",
                    "FRESHNESS_SECONDS": "3600",
                    "COLD_DEADLINE_SECONDS": "60",
                },
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        backend = f"http://127.0.0.1:{backend_port}"
        wait_until_up(f"{backend}/healthz", processes[1])
        # A two-year window puts all of the organization's tickets into the score.
        httpx.put(
            f"{zendesk}/api/v2/apps/installations/1001",
            headers={"Authorization": "Bearer demo-oauth-token"},
            json={"settings": {"window_days": "730"}},
        ).raise_for_status()
        headers = {"Authorization": f"Bearer {demo_token(SECRET, SUBDOMAIN, 1001)}"}
        health = f"{backend}/api/v1/organizations/{target['id']}/health"
        warm_up = httpx.get(health, headers=headers, timeout=120)
        if warm_up.status_code != 200:
            raise SystemExit(f"warm-up answered {warm_up.status_code}: {warm_up.text}")
        sample = sum(k["sample_size"] for k in warm_up.json()["kpis"] if k["key"] == "balance")
        print(
            f"warm organization {target['id']}: {target['ticket_count']} tickets "
            f"({sample} in the scoring window); {args.requests} requests per run\n"
        )
        print(
            f"{'concurrency':>11} {'endpoint':>9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}"
            f" {'p50 ratio':>10}"
        )
        verdicts = []
        for concurrency in levels:
            trivial = asyncio.run(
                measure(f"{backend}/api/v1/whoami", headers, args.requests, concurrency)
            )
            sidebar = asyncio.run(measure(health, headers, args.requests, concurrency))
            ratio = sidebar["p50"] / trivial["p50"]
            verdicts.append(ratio <= BAR)
            for name, row in (("whoami", trivial), ("health", sidebar)):
                print(
                    f"{concurrency:>11} {name:>9} {row['rps']:>8.0f} {row['p50']:>8.2f}"
                    f" {row['p99']:>8.2f} {ratio if name == 'health' else 1:>9.2f}x"
                )
        print(
            f"\nbar: health p50 ≤ {BAR:g}× whoami p50 at every concurrency: "
            f"{'PASS' if all(verdicts) else 'FAIL'}"
        )
        return 0 if all(verdicts) else 1
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
