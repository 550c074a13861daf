"""Every refusal of a signed request: a 401 naming the failed check, never data, never a 500."""

from __future__ import annotations

import base64
import json
import time

import httpx
import pytest

from .support import SECRET, SUBDOMAIN, BackendFactory, bearer, get_health, sign

WHOAMI = "/api/v1/whoami"


def _unsigned(claims: dict[str, object], header: dict[str, object]) -> str:
    def part(value: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part(header)}.{part(claims)}."


NOW = int(time.time())

REFUSALS = {
    "garbage": ("not-a-jwt", "not a well-formed JWT"),
    "alg none": (
        _unsigned(
            {"iss": SUBDOMAIN, "aud": "customer-health", "iat": NOW, "exp": NOW + 60},
            {"alg": "none", "typ": "JWT"},
        ),
        "algorithm 'none' is not allowed",
    ),
    "HS384": (sign(algorithm="HS384"), "algorithm 'HS384' is not allowed"),
    "wrong secret": (sign("not-the-secret"), "signature does not match"),
    "unknown iss": (sign(iss="nobody-here"), "unknown issuer 'nobody-here'"),
    "no iss": (sign(drop=("iss",)), "no iss claim"),
    "expired": (sign(iat=NOW - 900, exp=NOW - 300), "token expired"),
    "iat in the future": (sign(iat=NOW + 600, exp=NOW + 900), "issued in the future"),
    "lifetime over 3600": (sign(iat=NOW, exp=NOW + 3601), "lifetime exceeds 3600"),
    "missing aud": (sign(drop=("aud",)), "missing aud claim"),
    "missing exp": (sign(drop=("exp",)), "missing exp claim"),
    "missing iat": (sign(drop=("iat",)), "missing iat claim"),
    "wrong aud": (sign(aud="someone-else"), "audience must be 'customer-health'"),
    "numeric sub": (sign(sub=900001), "sub claim must be a string"),
    "installation not a number": (sign(installation_id="x1"), "installation_id claim must be"),
    "oversize": (sign(padding="x" * 9000), "larger than 8192 bytes"),
}


@pytest.mark.parametrize("case", REFUSALS, ids=list(REFUSALS))
def test_each_refusal_is_a_401_with_its_reason(make_backend: BackendFactory, case: str) -> None:
    backend = make_backend()
    token, reason = REFUSALS[case]
    for path in (WHOAMI, "/api/v1/organizations/360100000001/health"):
        response = httpx.get(backend.url + path, headers=bearer(token))
        assert response.status_code == 401, (case, path, response.text)
        detail = response.json()["detail"]
        assert reason in detail, (case, detail)
        assert SECRET not in response.text
        assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({}, "missing Authorization header"),
        ({"Authorization": f"Basic {sign()}"}, "must be 'Bearer <token>'"),
        ({"Authorization": "Bearer"}, "must be 'Bearer <token>'"),
    ],
    ids=["no header", "not bearer", "empty bearer"],
)
def test_header_problems_are_401(
    make_backend: BackendFactory, headers: dict[str, str], reason: str
) -> None:
    response = httpx.get(make_backend().url + WHOAMI, headers=headers)
    assert response.status_code == 401
    assert reason in response.json()["detail"]


def test_valid_token_is_accepted(make_backend: BackendFactory) -> None:
    response = httpx.get(make_backend().url + WHOAMI, headers=bearer(sign()))
    assert response.status_code == 200
    assert response.json() == {"tenant": SUBDOMAIN, "installation_id": 1001}


def test_small_clock_skew_is_tolerated(make_backend: BackendFactory) -> None:
    backend = make_backend()
    just_expired = sign(iat=NOW - 400, exp=int(time.time()) - 30)
    slightly_early = sign(iat=int(time.time()) + 30, exp=int(time.time()) + 600)
    for token in (just_expired, slightly_early):
        assert httpx.get(backend.url + WHOAMI, headers=bearer(token)).status_code == 200


def test_refusals_are_logged_without_the_token(
    make_backend: BackendFactory, caplog: pytest.LogCaptureFixture
) -> None:
    token = sign("forged-secret")
    with caplog.at_level("WARNING", logger="backend.api.deps"):
        response = get_health(make_backend(), 360100000001, token)
    assert response.status_code == 401
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "signature does not match" in logged
    assert token not in logged and SECRET not in logged
