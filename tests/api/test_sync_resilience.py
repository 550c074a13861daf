"""The account sync when things go wrong: a killed process, a page that stays broken, and a
Zendesk that fails a quarter of its answers while agents keep opening sidebars."""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from backend.demo import BackgroundServer, DemoAccount, create_demo_zendesk, generate_account
from backend.service.account_sync import HISTORY_DAYS

from .conftest import ROOMY
from .support import (
    DEMO_TOKEN,
    SECRET,
    SUBDOMAIN,
    BackendFactory,
    demo_requests,
    get_health,
    wait_for_sync,
)

CLI = str(Path(sys.executable).with_name("customer-health"))
EXPORT = "GET /api/v2/incremental/tickets/cursor"


def _faults(zendesk: BackgroundServer, **fields: Any) -> None:
    assert httpx.put(f"{zendesk.url}/_demo/faults", json=fields).status_code == 200


def _cli_env(zendesk: BackgroundServer, database: tuple[str, str | None]) -> dict[str, str]:
    url, schema = database
    if schema is not None:  # the CLI reads one URL: pin the test's schema in it
        url = f"{url}?options=-csearch_path%3D{schema}"
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("ZENDESK_", "APP_"))}
    return {
        **keep,
        "APP_SHARED_SECRET": SECRET,
        "ZENDESK_SUBDOMAIN": SUBDOMAIN,
        "ZENDESK_URL": zendesk.url,
        "ZENDESK_OAUTH_TOKEN": DEMO_TOKEN,
        "DATABASE_URL": url,
        "ZENDESK_MAX_RETRY_SECONDS": "1",
    }


def _stored(database: tuple[str, str | None]) -> tuple[int, int]:
    """(tickets stored, tickets the sync counted as read) from the test database."""
    url, schema = database
    engine = sa.create_engine(
        url.replace("postgresql://", "postgresql+psycopg://", 1),
        connect_args={"options": f"-csearch_path={schema}"} if schema else {},
    )
    try:
        with engine.connect() as connection:
            stored = connection.execute(sa.text("SELECT count(*) FROM ticket_facts")).scalar_one()
            read = connection.execute(
                sa.text("SELECT coalesce(max(tickets_synced), 0) FROM account_sync")
            ).scalar_one()
        return int(stored), int(read)
    except sa.exc.OperationalError:  # not created yet
        return 0, 0
    finally:
        engine.dispose()


def _store_contents(database: tuple[str, str | None]) -> tuple[set[int], int, int]:
    """(stored ticket ids, the pass's export start_time, tickets it counted as read)."""
    url, schema = database
    engine = sa.create_engine(
        url.replace("postgresql://", "postgresql+psycopg://", 1),
        connect_args={"options": f"-csearch_path={schema}"} if schema else {},
    )
    try:
        with engine.connect() as connection:
            ids = {r[0] for r in connection.execute(sa.text("SELECT ticket_id FROM ticket_facts"))}
            start, read = connection.execute(
                sa.text("SELECT pass_start_time, tickets_synced FROM account_sync")
            ).one()
        return ids, int(start), int(read)
    finally:
        engine.dispose()


def _first_exported(
    zendesk: BackgroundServer, start_time: int, count: int, account: DemoAccount
) -> set[int]:
    """The first `count` tickets of the export from `start_time` that the store keeps."""
    oldest = time.time() - HISTORY_DAYS * 86400
    created = {
        r.id: r.created_at for i in account.organization_ids for r in account.ticket_records(i)
    }
    seen: list[int] = []
    params: dict[str, Any] = {"start_time": start_time}
    while len(seen) < count:
        page = httpx.get(
            f"{zendesk.url}/api/v2/incremental/tickets/cursor",
            params=params,
            headers={"Authorization": f"Bearer {DEMO_TOKEN}"},
            timeout=30,
        ).json()
        seen.extend(t["id"] for t in page["tickets"])
        params = {"cursor": page["after_cursor"]}
    return {i for i in seen[:count] if created[i] >= oldest}


def _total(account: DemoAccount) -> int:
    """The tickets the store keeps: those created within the 730 days any window may reach."""
    oldest = time.time() - HISTORY_DAYS * 86400
    return sum(
        r.created_at >= oldest for i in account.organization_ids for r in account.ticket_records(i)
    )


def test_kill_9_mid_pass_loses_nothing_and_repeats_at_most_one_page(
    zendesk: BackgroundServer, account: DemoAccount, database: tuple[str, str | None]
) -> None:
    env = _cli_env(zendesk, database)
    _faults(zendesk, rate_slow=1.0, slow_seconds=0.25)  # every page takes a while
    process = subprocess.Popen(
        [CLI, "sync"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 60
        while _stored(database)[1] < 4000:
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    stored, read = _stored(database)
    assert 0 < stored <= read < _total(account)
    _faults(zendesk)
    finished = subprocess.run([CLI, "sync"], env=env, capture_output=True, text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr
    assert "full pass done" in finished.stdout
    assert _stored(database)[0] == _total(account)
    pages = demo_requests(zendesk)[EXPORT]
    assert pages <= math.ceil(_total(account) / 1000) + 2  # one page repeated (+ the last one)


def test_a_page_that_stays_broken_stops_the_sync_where_it_was(
    zendesk: BackgroundServer, account: DemoAccount, database: tuple[str, str | None]
) -> None:
    env = _cli_env(zendesk, database)
    _faults(zendesk, rate_slow=1.0, slow_seconds=0.2)
    process = subprocess.Popen(
        [CLI, "sync"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 60
    while _stored(database)[1] < 3000:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    _faults(zendesk, rate_malformed=1.0)  # truncated JSON from now on, every time
    _out, err = process.communicate(timeout=60)
    assert process.returncode == 1
    assert "sync stopped" in err and "not JSON" in err
    _faults(zendesk)
    # Exactly the whole pages before the broken one are stored, and the cursor sits after them.
    stored_ids, start_time, read = _store_contents(database)
    assert read % 1000 == 0
    assert stored_ids == _first_exported(zendesk, start_time, read, account)
    finished = subprocess.run([CLI, "sync"], env=env, capture_output=True, text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr
    assert _stored(database)[0] == _total(account)


# --- a quarter of Zendesk's answers failing -------------------------------------------------

FAULTS = {
    "rate_429": 0.05,
    "retry_after": 15,
    "rate_500": 0.05,
    "rate_503": 0.05,
    "rate_slow": 0.05,
    "slow_seconds": 12,
    "rate_malformed": 0.05,
    "seed": 8,
}


@pytest.fixture(scope="module")
def big_account() -> DemoAccount:
    return generate_account(seed=7, organizations=60)


@pytest.fixture(scope="module")
def big_zendesk(big_account: DemoAccount) -> Iterator[BackgroundServer]:
    with BackgroundServer(create_demo_zendesk(big_account, rate_limits=ROOMY)) as server:
        yield server


def _timed(backend: BackgroundServer, organization_id: int) -> tuple[int, float, dict[str, Any]]:
    started = time.monotonic()
    try:
        response = get_health(backend, organization_id)
    except httpx.TransportError as error:  # a dropped connection fails the test below
        return -1, time.monotonic() - started, {"error": repr(error)}
    return response.status_code, time.monotonic() - started, response.json()


def test_a_quarter_of_zendesk_failing_never_slows_or_breaks_a_sidebar(
    make_backend: BackendFactory,
    big_zendesk: BackgroundServer,
    big_account: DemoAccount,
    database: tuple[str, str | None],
) -> None:
    deadline = 2.0
    backend = make_backend(
        zendesk_url=big_zendesk.url,
        sync_interval_seconds=0.5,
        settings_cache_seconds=1,
        cold_deadline_seconds=deadline,
        zendesk_max_retry_seconds=20,
        zendesk_timeout_seconds=5,
    )
    wait_for_sync(backend, timeout=120)
    stored = list(big_account.organization_ids)
    reference = {i: get_health(backend, i).json() for i in stored}
    newcomers = [
        httpx.post(
            f"{big_zendesk.url}/api/v2/organizations",
            headers={"Authorization": f"Bearer {DEMO_TOKEN}"},
            json={"organization": {"name": f"Late {n} {uuid.uuid4().hex[:6]}"}},
        ).json()["organization"]["id"]
        for n in range(4)
    ]
    time.sleep(1.2)  # the settings cache has expired
    _faults(big_zendesk, **FAULTS)
    try:
        with ThreadPoolExecutor(max_workers=16) as pool:
            results = list(pool.map(lambda i: (i, *_timed(backend, i)), stored * 2 + newcomers))
    finally:
        _faults(big_zendesk)
    assert any(r[2] for r in results)
    for organization_id, status, elapsed, body in results:
        assert elapsed <= deadline + 1, (organization_id, status, elapsed)
        if organization_id in newcomers:
            assert status in (200, 202), (organization_id, status, body)
        else:
            assert status == 200, (organization_id, status, body)
    served = demo_requests(big_zendesk)
    assert served  # the faults were live while the sync and the settings refresh ran

    wait_for_sync(backend, after=datetime.now(UTC).isoformat(), timeout=120)
    for organization_id in stored:
        body = get_health(backend, organization_id).json()
        assert (body["score"], body["colour"]) == (
            reference[organization_id]["score"],
            reference[organization_id]["colour"],
        )
    for organization_id in newcomers:
        end = time.monotonic() + 30
        while (response := get_health(backend, organization_id)).status_code != 200:
            assert time.monotonic() < end, response.text
            time.sleep(0.2)
