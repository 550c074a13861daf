"""Every refusal of a signed request: a 401 naming the failed check, never data, never a 500."""

from __future__ import annotations

import base64
import json
import time

import httpx
import pytest
from jose import jws

from .support import SECRET, SUBDOMAIN, BackendFactory, bearer, get_health, sign

WHOAMI = "/api/v1/whoami"


def _unsigned(claims: dict[str, object], header: dict[str, object]) -> str:
    def part(value: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part(header)}.{part(claims)}."


def _raw(payload: str, **header: object) -> str:
    """A correctly signed token whose claims are exactly `payload` (JSON no library writes)."""
    token: str = jws.sign(payload.encode(), SECRET, headers=header, algorithm="HS256")
    return token


def _now() -> int:
    return int(time.time())


CLAIMS = f'"iss": "{SUBDOMAIN}", "aud": "customer-health"'
SIGNATURE_REFUSED = "signature does not match the shared secret of a registered account"

REFUSALS = {
    "garbage": (lambda: "not-a-jwt", "not a well-formed JWT"),
    "alg none": (
        lambda: _unsigned(
            {"iss": SUBDOMAIN, "aud": "customer-health", "iat": _now(), "exp": _now() + 60},
            {"alg": "none", "typ": "JWT"},
        ),
        "algorithm 'none' is not allowed",
    ),
    "HS384": (lambda: sign(algorithm="HS384"), "algorithm 'HS384' is not allowed"),
    "wrong secret": (lambda: sign("not-the-secret"), SIGNATURE_REFUSED),
    "unknown iss": (lambda: sign(iss="nobody-here"), SIGNATURE_REFUSED),
    "crit header": (
        lambda: _raw(f'{{{CLAIMS}, "iat": {_now()}, "exp": {_now() + 60}}}', crit=["exp"]),
        "crit",
    ),
    "exp 1e400": (
        lambda: _raw(f'{{{CLAIMS}, "iat": {_now()}, "exp": 1e400}}'),
        "invalid types or values",
    ),
    "iat of 400 digits": (
        lambda: _raw(f'{{{CLAIMS}, "iat": 1{"0" * 400}, "exp": {_now() + 10**6}}}'),
        "iat claim",
    ),
    "no iss": (lambda: sign(drop=("iss",)), "no iss claim"),
    "expired": (lambda: sign(iat=_now() - 900, exp=_now() - 300), "token expired"),
    "iat in the future": (lambda: sign(iat=_now() + 600, exp=_now() + 900), "issued in the future"),
    "lifetime over 3600": (lambda: sign(iat=_now(), exp=_now() + 3601), "lifetime exceeds 3600"),
    "missing aud": (lambda: sign(drop=("aud",)), "missing aud claim"),
    "missing exp": (lambda: sign(drop=("exp",)), "missing exp claim"),
    "missing iat": (lambda: sign(drop=("iat",)), "missing iat claim"),
    "wrong aud": (lambda: sign(aud="someone-else"), "audience must be 'customer-health'"),
    "numeric sub": (lambda: sign(sub=900001), "sub claim must be a string"),
    "installation not a number": (
        lambda: sign(installation_id="x1"),
        "installation_id claim must be",
    ),
    # str.isdigit() accepts these and int() either fails on them or reads them as numbers.
    "installation ²": (lambda: sign(installation_id="²"), "installation_id claim must be"),
    "installation 1²": (lambda: sign(installation_id="1²"), "installation_id claim must be"),
    "installation Arabic-Indic": (
        lambda: sign(installation_id="١٠٠١"),
        "installation_id claim must be",
    ),
    "installation 0": (lambda: sign(installation_id=0), "installation_id claim must be"),
    "installation negative": (lambda: sign(installation_id=-1001), "installation_id claim must be"),
    "installation over 2^63": (
        lambda: sign(installation_id=2**63),
        "installation_id claim must be",
    ),
    "installation true": (lambda: sign(installation_id=True), "installation_id claim must be"),
    "oversize": (lambda: sign(padding="x" * 9000), "larger than 8192 bytes"),
}


@pytest.mark.parametrize("case", REFUSALS, ids=list(REFUSALS))
def test_each_refusal_is_a_401_with_its_reason(make_backend: BackendFactory, case: str) -> None:
    backend = make_backend()
    make_token, reason = REFUSALS[case]
    token = make_token()  # signed now: a slow run must not turn "in the future" into the past
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


def test_an_installation_id_of_ascii_digits_is_read_as_a_number(
    make_backend: BackendFactory,
) -> None:
    response = httpx.get(make_backend().url + WHOAMI, headers=bearer(sign(installation_id="1001")))
    assert response.json() == {"tenant": SUBDOMAIN, "installation_id": 1001}


def test_unknown_issuer_and_wrong_signature_get_the_same_answer(
    make_backend: BackendFactory, caplog: pytest.LogCaptureFixture
) -> None:
    """Else anyone could list the subdomains registered with the backend by trying names."""
    backend = make_backend()
    with caplog.at_level("WARNING", logger="backend.api.deps"):
        unknown = httpx.get(backend.url + WHOAMI, headers=bearer(sign(iss="nobody-here")))
        forged = httpx.get(backend.url + WHOAMI, headers=bearer(sign("not-the-secret")))
    assert unknown.status_code == forged.status_code == 401
    assert unknown.content == forged.content

    def comparable(response: httpx.Response) -> dict[str, str]:
        return {k: v for k, v in response.headers.items() if k not in ("date", "x-request-id")}

    assert comparable(unknown) == comparable(forged)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "unknown issuer 'nobody-here'" in logged  # the operator still sees the difference
    assert f"signature does not match the secret of '{SUBDOMAIN}'" in logged


def test_small_clock_skew_is_tolerated(make_backend: BackendFactory) -> None:
    backend = make_backend()
    just_expired = sign(iat=_now() - 400, exp=_now() - 30)
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
