"""Rate-limit headers and budgets, injected faults, and the demo-only control endpoints."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from backend.demo import DemoAccount, FaultConfig, RateLimits
from backend.demo.faults import FaultInjector

from .conftest import BEARER


def test_rate_limit_headers_on_every_api_response(api: httpx.Client, account: DemoAccount) -> None:
    org_id = account.organization_ids[0]
    for path in ("/api/v2/users/me", f"/api/v2/organizations/{org_id}/tickets?page[size]=1"):
        headers = api.get(path).headers
        limit = int(headers["X-Rate-Limit"])
        assert limit == 700
        assert 0 <= int(headers["X-Rate-Limit-Remaining"]) < limit
        assert headers["ratelimit-limit"] == "700"
        assert headers["ratelimit-remaining"] == headers["X-Rate-Limit-Remaining"]
        assert 1 <= int(headers["ratelimit-reset"]) <= 60
    index = api.get(f"/api/v2/organizations/{org_id}/tickets?page[size]=1").headers
    total, remaining, resets = (
        part.split("=") for part in index["Zendesk-RateLimit-tickets-index"].split("; ")
    )
    assert total[0] == "total" and remaining[0] == "remaining" and resets[0] == "resets"
    assert "Zendesk-RateLimit-tickets-index" not in api.get("/api/v2/users/me").headers


def test_429_with_retry_after_when_the_minute_budget_is_spent(
    serve: Callable[..., str], fresh_account: DemoAccount
) -> None:
    url = serve(fresh_account, rate_limits=RateLimits(account=5))
    with httpx.Client(base_url=url, headers=BEARER) as client:
        remaining = [
            int(client.get("/api/v2/users/me").headers["X-Rate-Limit-Remaining"]) for _ in range(5)
        ]
        assert remaining == [4, 3, 2, 1, 0]
        limited = client.get("/api/v2/users/me")
        assert limited.status_code == 429
        assert 1 <= int(limited.headers["Retry-After"]) <= 60
        assert limited.headers["X-Rate-Limit-Remaining"] == "0"
        # The demo-only reset starts a new minute.
        httpx.post(f"{url}/_demo/requests/reset")
        assert client.get("/api/v2/users/me").status_code == 200


def test_incremental_export_has_its_own_budget(
    serve: Callable[..., str], fresh_account: DemoAccount
) -> None:
    url = serve(fresh_account, rate_limits=RateLimits(incremental_exports=2))
    with httpx.Client(base_url=url, headers=BEARER) as client:
        path = "/api/v2/incremental/tickets/cursor?start_time=0&per_page=1"
        first = client.get(path)
        assert first.headers["Zendesk-RateLimit-incremental-exports"].startswith(
            "total=2; remaining=1"
        )
        assert client.get(path).status_code == 200
        assert client.get(path).status_code == 429
        assert client.get("/api/v2/users/me").status_code == 200


def test_request_log_counts_calls(serve: Callable[..., str], fresh_account: DemoAccount) -> None:
    url = serve(fresh_account)
    org_id = fresh_account.organization_ids[0]
    with httpx.Client(base_url=url, headers=BEARER) as client:
        client.get("/api/v2/users/me.json")
        client.get(f"/api/v2/organizations/{org_id}.json")
        client.get(f"/api/v2/organizations/{org_id}")
        log = client.get("/_demo/requests").json()
        assert log["total"] == 3
        assert log["counts"] == {
            "GET /api/v2/users/me": 1,
            f"GET /api/v2/organizations/{org_id}": 2,
        }
        assert log["requests"][0]["status"] == 200
        client.post("/_demo/requests/reset")
        assert client.get("/_demo/requests").json()["total"] == 0


def test_demo_organizations_summary(api: httpx.Client, account: DemoAccount) -> None:
    organizations = api.get("/_demo/organizations").json()["organizations"]
    assert [o["id"] for o in organizations] == account.organization_ids
    first = organizations[0]
    assert first["ticket_count"] == account.ticket_count(first["id"])
    assert first["profile"]["tier"] in ("green", "yellow", "red")


# --- faults --------------------------------------------------------------------------------------


def _statuses(url: str, count: int) -> list[httpx.Response]:
    with httpx.Client(base_url=url, headers=BEARER) as client:
        return [client.get("/api/v2/users/me") for _ in range(count)]


def test_fault_429_with_retry_after_and_sometimes_html(
    serve: Callable[..., str], fresh_account: DemoAccount
) -> None:
    url = serve(fresh_account, faults=FaultConfig(rate_429=1, retry_after=3, seed=1))
    responses = _statuses(url, 12)
    assert {r.status_code for r in responses} == {429}
    assert {r.headers["Retry-After"] for r in responses} == {"3"}
    kinds = {r.headers["content-type"].split(";")[0] for r in responses}
    assert kinds == {"text/html", "application/json"}


@pytest.mark.parametrize("status", [500, 503])
def test_fault_5xx(serve: Callable[..., str], fresh_account: DemoAccount, status: int) -> None:
    faults = FaultConfig(seed=2, **{f"rate_{status}": 1.0})
    url = serve(fresh_account, faults=faults)
    responses = _statuses(url, 10)
    assert {r.status_code for r in responses} == {status}
    if status == 503:  # some with Retry-After, some without
        assert len({"Retry-After" in r.headers for r in responses}) == 2


def test_fault_slow_exceeds_a_client_timeout(
    serve: Callable[..., str], fresh_account: DemoAccount
) -> None:
    url = serve(fresh_account, faults=FaultConfig(rate_slow=1, slow_seconds=1.5))
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(f"{url}/api/v2/users/me", headers=BEARER, timeout=0.3)
    answered = httpx.get(f"{url}/api/v2/users/me", headers=BEARER, timeout=5)
    assert answered.status_code == 200


def test_fault_malformed_json(serve: Callable[..., str], fresh_account: DemoAccount) -> None:
    url = serve(fresh_account, faults=FaultConfig(rate_malformed=1))
    response = httpx.get(f"{url}/api/v2/organizations.json?page[size]=5", headers=BEARER)
    assert response.status_code == 200
    with pytest.raises(ValueError):
        response.json()


def test_faults_change_at_runtime_and_spare_demo_endpoints(
    serve: Callable[..., str], fresh_account: DemoAccount
) -> None:
    url = serve(fresh_account)
    assert _statuses(url, 1)[0].status_code == 200
    assert httpx.put(f"{url}/_demo/faults", json={"rate_500": 1}).status_code == 200
    assert _statuses(url, 1)[0].status_code == 500
    assert httpx.get(f"{url}/_demo/faults").json()["rate_500"] == 1
    assert httpx.put(f"{url}/_demo/faults", json={"rate_500": 2}).status_code == 400
    assert httpx.put(f"{url}/_demo/faults", json={}).status_code == 200
    assert _statuses(url, 1)[0].status_code == 200


def test_seeded_faults_are_deterministic() -> None:
    config = FaultConfig(rate_429=0.2, rate_500=0.1, rate_503=0.1, rate_malformed=0.1, seed=5)
    first, second = FaultInjector(config), FaultInjector(config)
    draws = [first.draw() for _ in range(200)]
    assert draws == [second.draw() for _ in range(200)]
    share = sum(d is not None for d in draws) / len(draws)
    assert 0.35 < share < 0.65


def test_fault_rates_are_validated() -> None:
    with pytest.raises(ValueError):
        FaultConfig(rate_429=0.7, rate_500=0.5)
