"""Two `serve` processes on one PostgreSQL and one demo Zendesk behave as one backend: one fetch
per cold organization, one rate budget per account, one account sync that survives kill -9.

These need PostgreSQL (SQLite is the single-process embedded default): they run where
TEST_DATABASE_URL points at one, as `.ci/run` does.
"""

from __future__ import annotations

import math
import signal
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from backend.cli.token import sign_token
from backend.config import normalise_database_url
from backend.demo import (
    BackgroundServer,
    DemoAccount,
    RateLimits,
    create_demo_zendesk,
    generate_account,
)
from backend.service.account_sync import HISTORY_DAYS

from .support import CLI, POSTGRES, SECRET, environment, free_port, run_cli, stop, wait_until_up

pytestmark = pytest.mark.skipif(POSTGRES is None, reason="needs PostgreSQL (TEST_DATABASE_URL)")

Server = tuple[str, subprocess.Popen[str]]


@pytest.fixture
def database_url() -> Iterator[str]:
    assert POSTGRES is not None
    name = f"test_scale_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(normalise_database_url(POSTGRES), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.engine.make_url(POSTGRES).set(database=name).render_as_string(False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="module")
def account() -> DemoAccount:
    return generate_account(seed=7, organizations=24)


def _demo(demo_account: DemoAccount, **limits: int) -> BackgroundServer:
    limits = {"account": 100_000, "incremental_exports": 100_000, **limits}
    return BackgroundServer(create_demo_zendesk(demo_account, rate_limits=RateLimits(**limits)))


@pytest.fixture
def servers(
    database_url: str, account: DemoAccount
) -> Iterator[Callable[..., tuple[BackgroundServer, list[Server]]]]:
    """Start a demo Zendesk, migrate the database once, then two `serve` processes."""
    started: list[subprocess.Popen[str]] = []
    demos: list[BackgroundServer] = []

    def start(
        *, limits: dict[str, int] | None = None, **env: str
    ) -> tuple[BackgroundServer, list[Server]]:
        demo = _demo(account, **(limits or {})).start()
        demos.append(demo)
        values = {
            "APP_SHARED_SECRET": SECRET,
            "ZENDESK_SUBDOMAIN": account.subdomain,
            "ZENDESK_URL": demo.url,
            "ZENDESK_OAUTH_TOKEN": "demo-oauth-token",
            "DATABASE_URL": database_url,
            "LOG_LEVEL": "INFO",
            **env,
        }
        migrated = run_cli("migrate", **values)
        assert migrated.returncode == 0, migrated.stderr
        pair: list[Server] = []
        for _ in range(2):
            port = free_port()
            process = subprocess.Popen(
                [CLI, "serve"],
                env=environment(**values, PORT=str(port)),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            started.append(process)
            url = f"http://127.0.0.1:{port}"
            wait_until_up(f"{url}/healthz", process)
            pair.append((url, process))
        return demo, pair

    yield start
    for process in started:
        if process.poll() is None:
            stop(process)
    for demo in demos:
        demo.stop()


def _health(url: str, organization_id: int, account: DemoAccount) -> httpx.Response:
    token = sign_token(SECRET, account.subdomain, 1001)
    return httpx.get(
        f"{url}/api/v1/organizations/{organization_id}/health",
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    )


def _log(demo: BackgroundServer) -> dict[str, Any]:
    body: dict[str, Any] = httpx.get(f"{demo.url}/_demo/requests").json()
    return body


def test_fifty_requests_for_one_cold_organization_make_one_fetch(
    servers: Callable[..., tuple[BackgroundServer, list[Server]]], account: DemoAccount
) -> None:
    demo, pair = servers(SYNC_INTERVAL_SECONDS="0", COLD_DEADLINE_SECONDS="30")
    organization_id = max(account.organization_ids, key=lambda i: len(account.tickets(i)))
    urls = [pair[n % 2][0] for n in range(50)]
    with ThreadPoolExecutor(max_workers=50) as pool:
        answers = list(pool.map(lambda url: _health(url, organization_id, account), urls))
    assert {a.status_code for a in answers} == {200}
    assert len({a.json()["score"] for a in answers}) == 1
    counts = _log(demo)["counts"]
    # One cold fetch: the organization and its count once, its window's pages once each.
    assert counts[f"GET /api/v2/organizations/{organization_id}"] == 1
    assert counts[f"GET /api/v2/organizations/{organization_id}/tickets/count"] == 1
    pages = counts[f"GET /api/v2/organizations/{organization_id}/tickets"]
    window = [t for t in account.tickets(organization_id) if _within_days(t["updated_at"], 90)]
    assert pages <= math.ceil(len(window) / 100) + 1


def test_both_processes_together_keep_the_accounts_budget(
    servers: Callable[..., tuple[BackgroundServer, list[Server]]], account: DemoAccount
) -> None:
    # 0.03 of the demo's 700 a minute: 21 requests in any 60 seconds, for both processes.
    budget = math.floor(700 * 0.03)
    demo, pair = servers(
        limits={"account": 700},
        SYNC_INTERVAL_SECONDS="0",
        RATE_BUDGET_FRACTION="0.03",
        COLD_DEADLINE_SECONDS="1",
    )
    started = time.time()
    # Every cold organization asked of both processes: far more calls than the budget allows.
    while time.time() - started < 75:
        for n, organization_id in enumerate(account.organization_ids):
            _health(pair[n % 2][0], organization_id, account)
        time.sleep(1)
    moments = sorted(r["time"] for r in _log(demo)["requests"] if r["path"].startswith("/api/v2"))
    busiest = max(sum(1 for t in moments if start <= t < start + 60) for start in moments)
    assert busiest <= budget
    assert busiest >= budget - 2  # and they did use it: the demand was there


def test_kill_9_of_the_syncing_process_hands_the_sync_to_the_other(
    servers: Callable[..., tuple[BackgroundServer, list[Server]]],
    account: DemoAccount,
    database_url: str,
) -> None:
    demo, pair = servers(SYNC_INTERVAL_SECONDS="1", ZENDESK_TIMEOUT_SECONDS="30")
    httpx.put(f"{demo.url}/_demo/faults", json={"rate_slow": 1.0, "slow_seconds": 0.3})
    leader = _wait_for(lambda: _leader(pair), "a process to lead the sync")
    _wait_for(lambda: _tickets_synced(database_url) >= 5000, "the first pass to be under way")
    leader[1].send_signal(signal.SIGKILL)
    leader[1].wait(timeout=10)
    follower = next(server for server in pair if server[0] != leader[0])
    _wait_for(lambda: _leader([follower]) is not None, "the other process to take over", 90)
    httpx.put(f"{demo.url}/_demo/faults", json={})
    _wait_for(lambda: _first_pass_done(database_url), "the first pass to finish", 180)

    oldest = time.time() - HISTORY_DAYS * 86400
    expected = sum(
        r.created_at >= oldest for i in account.organization_ids for r in account.ticket_records(i)
    )
    assert _count(database_url, "SELECT count(*) FROM ticket_facts") == expected
    finished = _count(
        database_url, "SELECT extract(epoch FROM first_pass_completed_at) FROM account_sync"
    )
    exports = [
        r["time"]
        for r in _log(demo)["requests"]
        if r["path"] == "/api/v2/incremental/tickets/cursor"
    ]
    total = sum(len(account.ticket_records(i)) for i in account.organization_ids)
    # The first pass read every page once, but for the one in flight when its process died.
    assert sum(t <= finished + 1 for t in exports) <= math.ceil(total / 1000) + 1
    assert _health(follower[0], account.organization_ids[0], account).status_code == 200


def _within_days(stamp: str, days: int) -> bool:
    updated = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return updated >= datetime.now(UTC) - timedelta(days=days)


def _leader(pair: list[Server]) -> Server | None:
    for url, process in pair:
        if process.poll() is None:
            ready = httpx.get(f"{url}/readyz", timeout=30).json()
            assert "sync" in ready, ready
            if ready["sync"]["leader"]:
                return url, process
    return None


def _wait_for(check: Callable[[], Any], what: str, timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _count(database_url: str, query: str) -> int:
    engine = sa.create_engine(normalise_database_url(database_url))
    try:
        with engine.connect() as connection:
            return int(connection.execute(sa.text(query)).scalar() or 0)
    finally:
        engine.dispose()


def _tickets_synced(database_url: str) -> int:
    return _count(database_url, "SELECT coalesce(max(tickets_synced), 0) FROM account_sync")


def _first_pass_done(database_url: str) -> bool:
    query = "SELECT count(*) FROM account_sync WHERE first_pass_completed_at IS NOT NULL"
    return _count(database_url, query) == 1
