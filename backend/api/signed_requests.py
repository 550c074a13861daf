"""Verification of the ZAF-signed JWT on every sidebar request (DESIGN.md §3).

The issuer is read unverified only to pick the tenant; the signature is then checked with that
tenant's secret, HS256 only, so a token can never be verified with another tenant's key.
"""

from __future__ import annotations

import contextlib
import logging
import math
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jose import jws, jwt
from jose.exceptions import ExpiredSignatureError, JWSError, JWTClaimsError, JWTError

from backend.config import MIN_SHARED_SECRET_LENGTH
from backend.tenants import Tenant

log = logging.getLogger(__name__)

AUDIENCE = "customer-health"
ALGORITHM = "HS256"
MAX_LIFETIME_SECONDS = 3600
CLOCK_SKEW_SECONDS = 60
MAX_TOKEN_BYTES = 8 * 1024
REQUIRED_CLAIMS = ("iss", "aud", "exp", "iat")
MAX_INSTALLATION_ID = 2**63 - 1
# An unknown issuer and a wrong signature get this same answer, so that nobody can list the
# accounts registered with this backend by trying subdomains; the log tells them apart.
SIGNATURE_REFUSED = "signature does not match the shared secret of a registered account"
_MISSING = re.compile(r'missing required key "(\w+)"')
_ISSUER = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
# `str.isdigit` and `int` accept far more than 0-9 ("²", Arabic-Indic digits): ASCII only.
_ASCII_DIGITS = re.compile(r"[0-9]{1,19}")
# Verifying an unknown issuer's token against a key nobody knows costs what a wrong signature
# costs, so the two cannot be told apart by timing either.
_UNKNOWN_ISSUER_KEY = secrets.token_hex(32)


class InvalidToken(Exception):
    """The request's token was refused. `str()` is the reason answered to the caller;
    `log_reason` may say more, for the backend's log only."""

    def __init__(self, reason: str, *, log_reason: str | None = None) -> None:
        super().__init__(reason)
        self.log_reason = log_reason or reason


@dataclass(frozen=True, slots=True)
class SignedRequest:
    """The verified facts of one request: whose account, which installation, which agent."""

    tenant: Tenant
    installation_id: int | None  # None: the default settings apply (the app always sends it)
    agent_id: str | None


def bearer_token(authorization: str | None) -> str:
    if not authorization:
        raise InvalidToken("missing Authorization header")
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidToken("Authorization header must be 'Bearer <token>'")
    return token.strip()


def verify(
    token: str,
    resolve_tenant: Callable[[str], Tenant | None],
) -> SignedRequest:
    """Check every rule of DESIGN §3 and return the verified request, or raise InvalidToken."""
    if len(token.encode()) > MAX_TOKEN_BYTES:
        raise InvalidToken(f"token larger than {MAX_TOKEN_BYTES} bytes")
    try:
        header = jwt.get_unverified_header(token)
        unverified = jwt.get_unverified_claims(token)
    except JWTError:
        raise InvalidToken("token is not a well-formed JWT") from None
    algorithm = header.get("alg")
    if algorithm != ALGORITHM:
        raise InvalidToken(f"algorithm {algorithm!r} is not allowed; only {ALGORITHM}")
    if "crit" in header:
        # RFC 7515 §4.1.11: a recipient that does not understand a critical extension must
        # refuse the token; this backend understands none.
        raise InvalidToken("the crit header is not supported")
    issuer = unverified.get("iss")
    if not isinstance(issuer, str) or not issuer:
        raise InvalidToken("token has no iss claim")
    tenant = _tenant_for(issuer, resolve_tenant)
    if tenant is None:
        with contextlib.suppress(InvalidToken):  # always fails: it only spends the same time
            _decode(token, _UNKNOWN_ISSUER_KEY, issuer)
        raise InvalidToken(SIGNATURE_REFUSED, log_reason=f"unknown issuer {issuer[:63]!r}")
    if any(len(s) < MIN_SHARED_SECRET_LENGTH for s in _secrets(tenant)):
        # Registered before secrets had a minimum: anyone could forge a token signed with an
        # empty or short key, so none verifies. The operator must register a longer secret.
        log.error(
            "tenant %s has a shared secret shorter than %d characters: every token is refused",
            tenant.subdomain,
            MIN_SHARED_SECRET_LENGTH,
        )
        raise InvalidToken(
            SIGNATURE_REFUSED, log_reason=f"{tenant.subdomain!r} has a too short shared secret"
        )
    claims = _decode(token, _signing_secret(token, tenant), issuer)

    now = time.time()
    issued_at, expires_at = _numeric(claims, "iat"), _numeric(claims, "exp")
    if issued_at > now + CLOCK_SKEW_SECONDS:
        raise InvalidToken("token issued in the future (iat)")
    if expires_at - issued_at > MAX_LIFETIME_SECONDS:
        raise InvalidToken(f"token lifetime exceeds {MAX_LIFETIME_SECONDS} s")
    if expires_at <= issued_at:
        raise InvalidToken("token expires before it was issued")

    subject = claims.get("sub")
    return SignedRequest(
        tenant,
        _installation_id(claims.get("installation_id")),
        subject if isinstance(subject, str) else None,
    )


def _tenant_for(issuer: str, resolve_tenant: Callable[[str], Tenant | None]) -> Tenant | None:
    # Only a name that can be a Zendesk subdomain is looked up: Unicode case folding would
    # otherwise map other strings onto one ("\u212aacme".lower() is "kacme").
    name = issuer.lower() if issuer.isascii() else ""
    return resolve_tenant(name) if _ISSUER.fullmatch(name) else None


def _decode(token: str, secret: str, issuer: str) -> dict[str, Any]:
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            issuer=issuer,
            options={
                "leeway": CLOCK_SKEW_SECONDS,
                **{f"require_{c}": True for c in REQUIRED_CLAIMS},
            },
        )
    except ExpiredSignatureError:
        raise InvalidToken("token expired") from None
    except JWTClaimsError as error:
        raise InvalidToken(_claims_reason(str(error))) from None
    except JWTError as error:
        missing = _MISSING.search(str(error))
        if missing:
            raise InvalidToken(f"missing {missing.group(1)} claim") from None
        raise InvalidToken(
            SIGNATURE_REFUSED, log_reason=f"signature does not match the secret of {issuer!r}"
        ) from None
    except (TypeError, ValueError, ArithmeticError):
        # e.g. an exp of 1e400 (infinity) or a 400-digit iat: numbers no clock can hold.
        raise InvalidToken("token claims have invalid types or values") from None
    return claims


def _installation_id(value: object) -> int | None:
    """The claim as a positive integer: a JSON integer, or a string of ASCII digits."""
    if value is None:
        return None
    if isinstance(value, str) and _ASCII_DIGITS.fullmatch(value):
        value = int(value)
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not 0 < value <= MAX_INSTALLATION_ID
    ):
        raise InvalidToken("installation_id claim must be a positive integer")
    return value


def _secrets(tenant: Tenant) -> list[str]:
    return [tenant.shared_secret, *([tenant.previous_secret] if tenant.previous_secret else [])]


def _signing_secret(token: str, tenant: Tenant) -> str:
    """The secret to verify with: during a rotation the previous one if it signed the token
    (agents whose Zendesk still has the old setting keep working); otherwise the current one.
    """
    if tenant.previous_secret is None:
        return tenant.shared_secret
    for secret in _secrets(tenant):
        try:
            jws.verify(token, secret, algorithms=[ALGORITHM])
        except JWSError:
            continue
        return secret
    return tenant.shared_secret


def _numeric(claims: dict[str, object], name: str) -> float:
    value = claims.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidToken(f"{name} claim must be a number")
    try:
        number = float(value)
    except OverflowError:  # an integer of hundreds of digits
        number = math.inf
    if not math.isfinite(number):
        raise InvalidToken(f"{name} claim must be a finite number")
    return number


def _claims_reason(message: str) -> str:
    lowered = message.lower()
    if "audience" in lowered or "aud" in lowered:
        return f"audience must be {AUDIENCE!r}" if "missing" not in lowered else "missing aud claim"
    for claim in REQUIRED_CLAIMS:
        if f"'{claim}'" in lowered or f"({claim})" in lowered or f" {claim} " in f" {lowered} ":
            return f"invalid or missing {claim} claim"
    if "subject" in lowered:
        return "sub claim must be a string"
    return f"invalid claims: {message[:120]}"
