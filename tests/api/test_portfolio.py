"""The portfolio endpoints (DESIGN §11, docs/api.md) end to end: the demo Zendesk over HTTP, the
account sync, the real backend, a real database. Expected figures come from the scoring core
on the demo's own tickets, or from scikit-learn for the backtest, never from the endpoint."""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx
import pytest
from sklearn.metrics import roc_auc_score

from backend.demo import BackgroundServer, DemoAccount

from .support import BackendFactory, bearer, core_report, demo_requests, get_health, sign

COLOURS = ("green", "yellow", "red", "grey")


def get(backend: BackgroundServer, path: str, token: str | None = None, **params: Any) -> Any:
    return httpx.get(
        f"{backend.url}/api/v1/{path}",
        params=params,
        headers=bearer(token or sign()),
        timeout=60,
    )


def ok(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    return response.json()


def post_preview(backend: BackgroundServer, settings: dict[str, Any]) -> httpx.Response:
    return httpx.post(
        f"{backend.url}/api/v1/preview",
        json={"settings": settings},
        headers=bearer(sign()),
        timeout=60,
    )


@pytest.fixture
def backend(synced: BackendFactory) -> BackgroundServer:
    return synced(sync_interval_seconds=3600, settings_cache_seconds=0.2)


def test_every_organization_is_listed_with_the_sidebars_score(
    backend: BackgroundServer, account: DemoAccount, zendesk: BackgroundServer
) -> None:
    httpx.post(f"{zendesk.url}/_demo/requests/reset")
    answer = ok(get(backend, "portfolio"))
    rows = answer["organizations"]
    assert sorted(r["id"] for r in rows) == sorted(account.organization_ids)
    settings = httpx.get(
        f"{zendesk.url}/api/v2/apps/installations/1001", headers=bearer("demo-oauth-token")
    ).json()["settings"]
    for row in rows:
        expected = core_report(account, row["id"], settings)
        assert row["colour"] == expected.colour
        assert row["score"] == (None if expected.score is None else pytest.approx(expected.score))
        assert row["goal"]["target"] == expected.goal.target
        assert row["phase"] == expected.phase
        sidebar = ok(get_health(backend, row["id"]))
        assert (row["score"], row["colour"]) == (
            pytest.approx(sidebar["score"]) if sidebar["score"] is not None else None,
            sidebar["colour"],
        )
        assert row["kpis"] == {
            k["key"]: pytest.approx(k["score"]) if k["score"] is not None else None
            for k in sidebar["kpis"]
        }
        # The weakest KPI is the one the sidebar recommends first, among the weighted ones.
        weighted = {k["key"] for k in sidebar["kpis"] if k["weight"] > 0}
        recommended = [r["kpi"] for r in sidebar["recommendations"] if r["kpi"] in weighted]
        assert row["weakest_kpi"] == (recommended[0] if recommended else None)
    counted = {c: sum(r["colour"] == c for r in rows) for c in COLOURS}
    assert answer["distribution"] == counted
    assert counted["green"] and counted["red"], "the demo account has both"
    # Focus: every organization below its goal, highest potential first.
    below = {r["id"]: r for r in rows if r["goal"]["reached"] is False}
    assert set(answer["focus"]) == set(below)
    potentials = [below[i]["potential"] or 0.0 for i in answer["focus"]]
    assert potentials == sorted(potentials, reverse=True)
    assert answer["thresholds"] == {"green": 70.0, "red": 40.0}
    assert answer["sync"]["state"] == "idle"
    # Read from the store: Zendesk was asked for nothing but the installations.
    asked = {k for k in demo_requests(zendesk) if "installations" not in k}
    assert asked == set()


def test_filters_sort_and_csv(backend: BackgroundServer) -> None:
    everyone = ok(get(backend, "portfolio"))["organizations"]
    red = ok(get(backend, "portfolio", colour="red,yellow", sort="-score"))["organizations"]
    assert [r["id"] for r in red] == [
        r["id"]
        for r in sorted(
            (r for r in everyone if r["colour"] in ("red", "yellow")),
            key=lambda r: (-r["score"], r["id"]),
        )
    ]
    missed = ok(get(backend, "portfolio", goal="missed"))["organizations"]
    assert missed and all(r["goal"]["reached"] is False for r in missed)
    by_name = ok(get(backend, "portfolio", sort="name"))["organizations"]
    assert [r["name"].casefold() for r in by_name] == sorted(r["name"].casefold() for r in by_name)
    # Default sort: worst score first, organizations without a score last.
    scores = [r["score"] for r in everyone]
    scored = [s for s in scores if s is not None]
    assert scores[: len(scored)] == sorted(scored)

    response = get(backend, "portfolio", colour="red", sort="score", format="csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="customer-health-portfolio.csv"' in response.headers["content-disposition"]
    lines = list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))
    json_red = ok(get(backend, "portfolio", colour="red", sort="score"))["organizations"]
    assert [int(line["id"]) for line in lines] == [r["id"] for r in json_red]
    assert [line["colour"] for line in lines] == ["red"] * len(json_red)


BAD_QUERIES = (
    ({"colour": "purple"}, "colour"),
    ({"phase": "teenage"}, "phase"),
    ({"goal": "maybe"}, "goal"),
    ({"sort": "-password"}, "sort"),
    ({"format": "xlsx"}, "format"),
    ({"colur": "red"}, "colur"),  # a typo is refused, not ignored
)
IMPOSSIBLE_TARGETS: tuple[tuple[dict[str, Any], list[str]], ...] = (
    ({"green": -5}, ["green"]),
    ({"red": 101}, ["red"]),
    ({"green": 60, "red": 50}, ["green", "red"]),
    ({"green": "nan"}, ["green"]),
    ({"green": "twenty"}, ["green"]),
)
INVALID_CANDIDATES = (
    ({"weight_sla": "-1"}, "settings.weight_sla"),
    ({"red_threshold": "abc"}, "settings.red_threshold"),
    ({"window_days": "100000"}, "settings.window_days"),
    ({"shared_secret": "x"}, "settings.shared_secret"),
    ({"weight_sla": ["1"]}, None),
)


def test_bad_input_is_a_422_naming_the_field(make_backend: BackendFactory) -> None:
    """Impossible filters, target shares and candidate settings: 422, the field named."""
    backend = make_backend()
    for params, field in BAD_QUERIES:
        response = get(backend, "portfolio", **params)
        assert response.status_code == 422, (params, response.text)
        assert response.json()["code"] == "invalid_request"
        assert response.json()["detail"].startswith(field)
        assert response.json()["fields"] == [field]
    for params, fields in IMPOSSIBLE_TARGETS:
        response = get(backend, "calibration", **params)
        assert response.status_code == 422, (params, response.text)
        body = response.json()
        assert body["code"] == "invalid_request"
        assert body["fields"] == fields
        assert body["detail"].startswith(fields[0])
    for settings, name in INVALID_CANDIDATES:
        response = post_preview(backend, settings)
        assert response.status_code == 422, (settings, response.text)
        body = response.json()
        assert body["code"] == "invalid_request"
        if name is not None:
            assert body["fields"] == [name]
        assert (name or "settings.weight_sla") in body["detail"]


def test_calibration_splits_the_scores_as_asked(backend: BackgroundServer) -> None:
    rows = ok(get(backend, "portfolio"))["organizations"]
    scores = [r["score"] for r in rows if r["score"] is not None]
    for green, red in ((20, 20), (30, 10), (50, 50), (0, 0)):
        answer = ok(get(backend, "calibration", green=green, red=red))
        assert answer["organizations"] == len(scores)
        high, low = answer["green_threshold"], answer["red_threshold"]
        shares = {
            "green": 100 * sum(s >= high for s in scores) / len(scores),
            "red": 100 * sum(s < low for s in scores) / len(scores),
        }
        assert answer["shares"]["green"] == pytest.approx(shares["green"])
        assert answer["shares"]["red"] == pytest.approx(shares["red"])
        if answer["exact"]:
            # Exact means the closest count the organizations allow: within one of them.
            assert abs(shares["green"] - green) <= 100 / len(scores)
            assert abs(shares["red"] - red) <= 100 / len(scores)
        else:
            assert answer["note"]
        assert answer["target"] == {"green": green, "yellow": 100 - green - red, "red": red}


def test_preview_scores_candidate_settings_from_the_store_and_stores_nothing(
    backend: BackgroundServer, account: DemoAccount, zendesk: BackgroundServer
) -> None:
    before = ok(get(backend, "portfolio"))
    httpx.post(f"{zendesk.url}/_demo/requests/reset")
    installation = httpx.get(
        f"{zendesk.url}/api/v2/apps/installations/1001", headers=bearer("demo-oauth-token")
    ).json()["settings"]
    for candidate in (
        {"weight_sla": "0", "green_threshold": "60"},
        {"window_days": "365", "red_threshold": "50"},  # a new measurement, same store
    ):
        response = post_preview(backend, candidate)
        answer = ok(response)
        current = {r["id"]: r for r in before["organizations"]}
        changes = {c["id"]: c for c in answer["changes"]}
        counted = dict.fromkeys(COLOURS, 0)
        for organization_id in account.organization_ids:
            expected = core_report(account, organization_id, {**installation, **candidate})
            counted[expected.colour] += 1
            was = current[organization_id]
            if expected.colour == was["colour"]:
                assert organization_id not in changes
            else:
                change = changes[organization_id]
                assert (change["from"], change["to"]) == (was["colour"], expected.colour)
                assert change["score"] == pytest.approx(expected.score)
                assert change["previous_score"] == pytest.approx(was["score"])
        assert answer["distribution"] == counted
        assert answer["changes"], f"{candidate} changes some colour in the demo account"
        assert answer["thresholds"]["green"] == float(candidate.get("green_threshold", 70))
    # Nothing stored, nothing asked: the portfolio is as before, Zendesk heard nothing.
    after = ok(get(backend, "portfolio"))
    assert after["organizations"] == before["organizations"]
    assert {k for k in demo_requests(zendesk) if "installations" not in k} == set()


def test_the_backtest_auc_is_scikit_learns_on_the_portfolio(backend: BackgroundServer) -> None:
    rows = ok(get(backend, "portfolio"))["organizations"]
    answer = ok(get(backend, "backtest"))
    scored = [r for r in rows if r["score"] is not None]
    churned = [r["churned"] for r in scored]
    assert answer["churned"] == sum(churned) > 0
    assert answer["retained"] == len(scored) - sum(churned) > 0
    # A churned organization is judged by its snapshot before the churn date; in a store
    # synced today the snapshots are today's, i.e. the portfolio's scores.
    expected = roc_auc_score(churned, [-r["score"] for r in scored])
    assert answer["auc"] == pytest.approx(expected, abs=1e-9)
    assert answer["source"] in ("tag", "both")
    decile = answer["top_decile"]
    assert decile["organizations"] >= 1
    base = sum(churned) / len(scored)
    assert answer["top_decile_lift"] == pytest.approx(
        decile["churned"] / decile["organizations"] / base
    )


def test_an_account_with_nothing_stored_answers_empty_never_an_error(
    make_backend: BackendFactory,
) -> None:
    backend = make_backend()  # the account sync is off: nothing in the store
    answer = ok(get(backend, "portfolio"))
    assert answer["organizations"] == [] and answer["focus"] == []
    assert answer["distribution"] == dict.fromkeys(COLOURS, 0)
    assert answer["sync"]["state"] == "never"
    calibration = ok(get(backend, "calibration"))
    assert (calibration["green_threshold"], calibration["red_threshold"]) == (None, None)
    assert calibration["organizations"] == 0
    backtest = ok(get(backend, "backtest"))
    assert (backtest["auc"], backtest["top_decile_lift"], backtest["churned"]) == (None, None, 0)
    preview = ok(post_preview(backend, {"weight_sla": "0"}))
    assert preview["changes"] == [] and preview["organizations"] == 0


def test_every_portfolio_endpoint_refuses_a_forged_or_foreign_token(
    make_backend: BackendFactory,
) -> None:
    backend = make_backend()
    for method, path in (
        ("GET", "portfolio"),
        ("GET", "calibration"),
        ("POST", "preview"),
        ("GET", "backtest"),
    ):
        for token in (
            sign(secret="someone-elses-secret-0123456789abcdef"),
            sign(iss="another-account"),
            sign(exp=1),
            sign(installation_id=424242),
        ):
            response = httpx.request(
                method,
                f"{backend.url}/api/v1/{path}",
                json={"settings": {}} if method == "POST" else None,
                headers=bearer(token),
                timeout=30,
            )
            assert response.status_code == 401, (path, response.text)
            assert "organizations" not in response.text
