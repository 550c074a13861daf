"""/metrics in Prometheus format: request latency per route, Zendesk calls by endpoint and
status, and the recording functions the sync and the rate budget call."""

from __future__ import annotations

import math
import os
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from jose import jwt
from prometheus_client.parser import text_string_to_metric_families

from backend.api.main import create_app
from backend.demo import BackgroundServer, DemoAccount
from backend.observability.metrics import (
    exposition,
    record_answer_cache,
    record_rate_wait,
    set_sync_position,
    set_sync_progress,
)

from .conftest import METRICS_TOKEN, backend_config

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def _parse(text: str) -> Samples:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _scrape(backend: BackgroundServer) -> Samples:
    response = httpx.get(
        f"{backend.url}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=")
    return _parse(response.text)


def _value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def _sign(account: DemoAccount) -> dict[str, str]:
    now = int(time.time())
    claims = {
        "iss": account.subdomain,
        "aud": "customer-health",
        "iat": now,
        "exp": now + 600,
        "installation_id": account.installation["id"],
    }
    return {"Authorization": f"Bearer {jwt.encode(claims, account.shared_secret)}"}


@pytest.mark.parametrize(
    ("authorization", "status"),
    [(None, 401), ("Bearer wrong-token", 401), (f"Basic {METRICS_TOKEN}", 401)],
)
def test_metrics_need_the_metrics_token(
    backend: BackgroundServer, authorization: str | None, status: int
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = httpx.get(f"{backend.url}/metrics", headers=headers)
    assert response.status_code == status
    assert "customer_health" not in response.text


def test_request_latency_is_recorded_per_route_template(
    backend: BackgroundServer, account: DemoAccount
) -> None:
    route = "/api/v1/organizations/{organization_id}/health"
    series = {"method": "GET", "route": route, "status": "200"}
    count = "customer_health_http_request_duration_seconds_count"
    before = _value(_scrape(backend), count, **series)
    for organization in account.organization_ids[:2]:
        answer = httpx.get(
            f"{backend.url}/api/v1/organizations/{organization}/health",
            headers=_sign(account),
            timeout=30,
        )
        assert answer.status_code == 200
    samples = _scrape(backend)
    assert _value(samples, count, **series) == before + 2
    assert _value(samples, "customer_health_http_request_duration_seconds_sum", **series) > 0
    # An id is never a label: there is one series per route, however many organizations.
    assert not any(str(account.organization_ids[0]) in str(key) for key in samples)


def test_zendesk_calls_are_counted_by_endpoint_and_status(
    backend: BackgroundServer, zendesk: BackgroundServer, account: DemoAccount
) -> None:
    name = "customer_health_zendesk_requests_total"
    before = _scrape(backend)
    organization = account.organization_ids[2]
    assert httpx.get(
        f"{backend.url}/api/v1/organizations/{organization}/health",
        headers=_sign(account),
        timeout=30,
    ).is_success
    httpx.put(f"{zendesk.url}/_demo/faults", json={"rate_500": 1.0}).raise_for_status()
    try:
        failed = httpx.get(
            f"{backend.url}/api/v1/organizations/{account.organization_ids[3]}/health",
            headers=_sign(account),
            timeout=30,
        )
    finally:
        httpx.put(f"{zendesk.url}/_demo/faults", json={}).raise_for_status()
    assert failed.status_code == 503
    after = _scrape(backend)
    calls_made = httpx.get(f"{zendesk.url}/_demo/requests").json()["total"]
    assert calls_made > 0

    def grown(endpoint: str, status: str) -> float:
        labels = {"endpoint": endpoint, "status": status}
        return _value(after, name, **labels) - _value(before, name, **labels)

    assert grown("tickets_page", "200") >= 1
    assert grown("organization", "200") >= 1
    assert sum(grown(kind, "500") for kind in ("tickets_page", "organization", "installation")) >= 1


def test_the_sync_and_the_rate_budget_report(
    backend: BackgroundServer, account: DemoAccount
) -> None:
    """The account sync runs at start; its progress, tickets and position become series
    (the same figures /api/v1/sync reports)."""
    tenant = {"tenant": account.subdomain}
    deadline = time.monotonic() + 60
    while True:
        samples = _scrape(backend)
        if _value(samples, "customer_health_sync_tickets", **tenant) > 0:
            break
        assert time.monotonic() < deadline, "the account sync stored nothing within 60 s"
        time.sleep(0.5)
    assert 0 < _value(samples, "customer_health_sync_progress_ratio", **tenant) <= 1
    position = _value(samples, "customer_health_sync_position_timestamp_seconds", **tenant)
    assert 0 < position <= time.time()
    waits = "customer_health_zendesk_rate_wait_seconds_count"
    assert _value(samples, waits, priority="background") > 0  # the sync's pages


def test_answers_from_the_cache_count_as_hits(
    account: DemoAccount, zendesk: BackgroundServer, tmp_path: Path
) -> None:
    # Without the account sync, so nothing changes the organization between the requests.
    config = backend_config(
        account, zendesk.url, f"sqlite:///{tmp_path / 'h.db'}", sync_interval_seconds=0
    )
    with BackgroundServer(create_app(config)) as backend:
        cache = "customer_health_answer_cache_total"
        before = _scrape(backend)
        for _ in range(3):
            assert httpx.get(
                f"{backend.url}/api/v1/organizations/{account.organization_ids[5]}/health",
                headers=_sign(account),
                timeout=30,
            ).is_success
        after = _scrape(backend)
    grown = {
        r: _value(after, cache, result=r) - _value(before, cache, result=r) for r in ("hit", "miss")
    }
    assert grown["miss"] >= 1 and grown["hit"] >= 1
    assert grown["hit"] + grown["miss"] == 3


def test_the_recording_functions_export_their_series() -> None:
    record_rate_wait(0.25, "background")
    record_answer_cache(hit=True)
    record_answer_cache(hit=False)
    set_sync_progress("metrics-test", progress=0.5, tickets=1234)
    position = datetime(2026, 11, 1, tzinfo=UTC)
    set_sync_position("metrics-test", position)
    set_sync_progress("metrics-unknown", progress=None, tickets=0)
    samples = _parse(exposition()[0].decode())
    wait = "customer_health_zendesk_rate_wait_seconds"
    assert _value(samples, f"{wait}_count", priority="background") >= 1
    assert _value(samples, f"{wait}_sum", priority="background") >= 0.25
    assert _value(samples, "customer_health_answer_cache_total", result="hit") >= 1
    assert _value(samples, "customer_health_answer_cache_total", result="miss") >= 1
    tenant = {"tenant": "metrics-test"}
    assert _value(samples, "customer_health_sync_progress_ratio", **tenant) == 0.5
    assert _value(samples, "customer_health_sync_tickets", **tenant) == 1234
    assert (
        _value(samples, "customer_health_sync_position_timestamp_seconds", **tenant)
        == position.timestamp()
    )
    unknown = _value(samples, "customer_health_sync_progress_ratio", tenant="metrics-unknown")
    assert math.isnan(unknown)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_several_serve_processes_answer_for_all(tmp_path: Path, account: DemoAccount) -> None:
    """With PROMETHEUS_MULTIPROC_DIR, any process's /metrics counts every process's requests."""
    shared = tmp_path / "prometheus"
    shared.mkdir()
    command = [str(Path(sys.executable).parent / "customer-health"), "serve"]
    processes, urls = [], []
    for index in range(2):
        port = _free_port()
        env = {
            **os.environ,
            "PROMETHEUS_MULTIPROC_DIR": str(shared),
            "APP_SHARED_SECRET": account.shared_secret,
            "ZENDESK_SUBDOMAIN": account.subdomain,
            "ZENDESK_URL": "http://127.0.0.1:9",
            "ZENDESK_OAUTH_TOKEN": "unused",
            "DATABASE_URL": f"sqlite:///{tmp_path / f'health{index}.db'}",
            "METRICS_TOKEN": METRICS_TOKEN,
            "PORT": str(port),
        }
        processes.append(
            subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        )
        urls.append(f"http://127.0.0.1:{port}")
    try:
        for url in urls:
            _wait_until_up(url)
        for url, requests in zip(urls, (3, 5), strict=True):
            for _ in range(requests):
                assert httpx.get(f"{url}/api/v1/whoami", headers=_sign(account)).is_success
        series = {"method": "GET", "route": "/api/v1/whoami", "status": "200"}
        for url in urls:
            response = httpx.get(
                f"{url}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}
            )
            count = "customer_health_http_request_duration_seconds_count"
            assert _value(_parse(response.text), count, **series) == 8
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)


def test_serve_workers_share_their_metrics_without_configuration(
    tmp_path: Path, account: DemoAccount
) -> None:
    """`serve --workers 2` makes its own shared folder: every scrape counts both workers."""
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"},
        "APP_SHARED_SECRET": account.shared_secret,
        "ZENDESK_SUBDOMAIN": account.subdomain,
        "ZENDESK_URL": "http://127.0.0.1:9",
        "ZENDESK_OAUTH_TOKEN": "unused",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'health.db'}",
        "METRICS_TOKEN": METRICS_TOKEN,
        "SYNC_INTERVAL_SECONDS": "0",
        "PORT": str(port),
    }
    command = [str(Path(sys.executable).parent / "customer-health"), "serve", "--workers", "2"]
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url)
        for _ in range(10):  # new connections: the kernel spreads them over the workers
            assert httpx.get(f"{url}/api/v1/whoami", headers=_sign(account)).is_success
        series = {"method": "GET", "route": "/api/v1/whoami", "status": "200"}
        count = "customer_health_http_request_duration_seconds_count"
        for _ in range(6):
            response = httpx.get(
                f"{url}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}
            )
            assert _value(_parse(response.text), count, **series) == 10
    finally:
        process.terminate()
        process.wait(timeout=15)


def _wait_until_up(url: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).is_success:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise TimeoutError(f"{url} did not start")
