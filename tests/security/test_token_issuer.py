"""The token's issuer picks the tenant, so only names that can be subdomains are looked up."""

from __future__ import annotations

import time

import pytest
from jose import jwt

from backend.api.signed_requests import SIGNATURE_REFUSED, InvalidToken, verify
from backend.tenants import Tenant

SECRET = "kelvin-shared-secret-0123456789abcdef"
KELVIN = Tenant("kelvin", "https://kelvin.zendesk.com", None, SECRET)


def _token(issuer: str) -> str:
    now = int(time.time())
    claims = {"iss": issuer, "aud": "customer-health", "iat": now, "exp": now + 60}
    token: str = jwt.encode(claims, SECRET, algorithm="HS256")
    return token


def test_an_issuer_in_other_case_finds_its_tenant() -> None:
    looked_up: list[str] = []

    def resolve(name: str) -> Tenant | None:
        looked_up.append(name)
        return KELVIN if name == "kelvin" else None

    assert verify(_token("KELVIN"), resolve).tenant is KELVIN
    assert looked_up == ["kelvin"]


@pytest.mark.parametrize(
    "issuer",
    ["\u212aelvin", "kelvin.evil", "kel vin", "-kelvin", "k" * 64],
    ids=["Kelvin sign folds to k", "dot", "space", "leading hyphen", "too long"],
)
def test_names_that_cannot_be_subdomains_are_never_looked_up(issuer: str) -> None:
    looked_up: list[str] = []

    def resolve(name: str) -> Tenant | None:
        looked_up.append(name)
        return KELVIN

    with pytest.raises(InvalidToken) as refused:
        verify(_token(issuer), resolve)
    assert str(refused.value) == SIGNATURE_REFUSED
    assert "unknown issuer" in refused.value.log_reason
    assert looked_up == []
