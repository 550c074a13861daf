"""What a million-ticket demo account costs: start-up, the export index, and a serving process.

Run: .venv/bin/python benchmarks/demo_zendesk.py [--tickets 1000000] [--organizations 5000]
     [--pages 30]

In this process: `generate_account(organizations=5000, scale=…)` with about `--tickets`
tickets; the time to build the incremental export's index (which draws every ticket once)
beside the time to only draw every ticket (the floor any index over all tickets pays), and
the bytes the account then keeps.

In its own process, as users run it: `customer-health demo-zendesk` over the same account,
its resident memory at start, after the first export page (the index is built then) and
after `--pages` pages of 1,000 tickets with metric sets, beside the same process serving a
one-organization account (Python, FastAPI and uvicorn alone).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx

from backend.demo import generate_account
from backend.demo.dataset import DemoAccount

BEARER = {"Authorization": "Bearer demo-oauth-token"}
CLI = str(Path(sys.executable).with_name("customer-health"))


def scale_for(tickets: int, organizations: int) -> float:
    unscaled = generate_account(organizations=organizations)
    drawn = sum(o.profile.tickets for o in unscaled.organizations if o.profile)
    return tickets / drawn


def in_process(organizations: int, scale: float) -> None:
    started = time.perf_counter()
    account = generate_account(organizations=organizations, scale=scale)
    created = time.perf_counter() - started
    total = sum(account.ticket_count(i) for i in account.organization_ids)
    print(f"account: {organizations:,} organizations, {total:,} tickets, in {created:.2f} s")

    draw_only = _draw_every_ticket(account)
    started = time.perf_counter()
    index = account.export_index()
    built = time.perf_counter() - started
    print(f"drawing every ticket once (the floor): {draw_only:6.1f} s")
    print(f"building the export index:             {built:6.1f} s ({built / draw_only:.2f}x)")
    packed = account.packed_bytes
    print(
        f"kept: tickets packed {packed / 1e6:.1f} MB ({packed / total:.0f} B each), "
        f"index {index.nbytes / 1e6:.1f} MB ({index.nbytes / total:.0f} B each)"
    )


def _draw_every_ticket(account: DemoAccount) -> float:
    """Seconds to draw every ticket's row once, keeping nothing: what any index must pay."""
    started = time.perf_counter()
    for org_id in account.organization_ids:
        for _ in account.generated_rows(org_id):
            pass
    return time.perf_counter() - started


def _rss_mb(pid: int) -> tuple[float, float]:
    """(current, peak) resident memory of a process in MB, from /proc."""
    status = Path(f"/proc/{pid}/status").read_text()
    values = {k: int(re.search(rf"{k}:\s+(\d+)", status).group(1)) for k in ("VmRSS", "VmHWM")}  # type: ignore[union-attr]
    return values["VmRSS"] / 1024, values["VmHWM"] / 1024


def serving_process(organizations: int, scale: float, pages: int) -> tuple[float, float]:
    """Resident memory (final, peak) in MB of a demo-zendesk process walking the export."""
    command = [CLI, "demo-zendesk", "--port", "0", "--organizations", str(organizations)]
    command += ["--scale", str(scale), "--export-lag", "0", "--incremental-exports", "100000"]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=os.environ)
    try:
        assert process.stdout is not None
        url = re.search(r"at (http://\S+)", process.stdout.readline()).group(1)  # type: ignore[union-attr]
        with httpx.Client(base_url=url, headers=BEARER, timeout=600) as client:
            client.get("/api/v2/users/me").raise_for_status()
            ready = time.perf_counter() - started
            at_start, _ = _rss_mb(process.pid)
            started = time.perf_counter()
            next_url = "/api/v2/incremental/tickets/cursor.json?start_time=0&include=metric_sets"
            body = client.get(next_url).json()
            first = time.perf_counter() - started
            after_first, _ = _rss_mb(process.pid)
            started = time.perf_counter()
            for _ in range(pages - 1):
                if body["end_of_stream"]:
                    break
                body = client.get(body["after_url"]).json()
            per_page = (time.perf_counter() - started) / max(1, pages - 1)
        final, peak = _rss_mb(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)
    print(
        f"  {organizations:,} organizations, scale {scale:.3f}: answering after {ready:.1f} s, "
        f"first export page {first:.1f} s, then {per_page:.2f} s a page"
    )
    print(
        f"  RSS: {at_start:.0f} MB at start, {after_first:.0f} MB after the first page, "
        f"{final:.0f} MB after {pages} pages (peak {peak:.0f} MB)"
    )
    return final, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--organizations", type=int, default=5000)
    parser.add_argument("--pages", type=int, default=30)
    args = parser.parse_args()
    scale = scale_for(args.tickets, args.organizations)
    in_process(args.organizations, scale)
    print("demo-zendesk in its own process:")
    baseline, _ = serving_process(1, 0.01, 2)
    big, _ = serving_process(args.organizations, scale, args.pages)
    extra = big - baseline
    print(f"  the big account costs {extra:.0f} MB over an empty demo ({big / baseline:.1f}x)")


if __name__ == "__main__":
    main()
