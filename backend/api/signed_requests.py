"""Verification of the ZAF-signed JWT on every sidebar request (DESIGN.md §3).

The issuer is read unverified only to pick the tenant; the signature is then checked with that
tenant's secret, HS256 only, so a token can never be verified with another tenant's key.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

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
_MISSING = re.compile(r'missing required key "(\w+)"')


class InvalidToken(Exception):
    """The request's token was refused; the message says which check failed."""


class UnknownTenant(InvalidToken):
    """The token names an issuer this backend has no tenant for."""


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
    issuer = unverified.get("iss")
    if not isinstance(issuer, str) or not issuer:
        raise InvalidToken("token has no iss claim")
    tenant = resolve_tenant(issuer.lower())
    if tenant is None:
        raise UnknownTenant(f"unknown issuer {issuer[:63]!r}")
    if any(len(s) < MIN_SHARED_SECRET_LENGTH for s in _secrets(tenant)):
        # Registered before secrets had a minimum: anyone could forge a token signed with an
        # empty or short key, so none verifies. The operator must register a longer secret.
        log.error(
            "tenant %s has a shared secret shorter than %d characters: every token is refused",
            tenant.subdomain,
            MIN_SHARED_SECRET_LENGTH,
        )
        raise InvalidToken("signature does not match this account's shared secret")

    try:
        claims = jwt.decode(
            token,
            _signing_secret(token, tenant),
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
        raise InvalidToken("signature does not match this account's shared secret") from None
    except (TypeError, ValueError):
        raise InvalidToken("token claims have invalid types") from None

    now = time.time()
    issued_at, expires_at = _numeric(claims, "iat"), _numeric(claims, "exp")
    if issued_at > now + CLOCK_SKEW_SECONDS:
        raise InvalidToken("token issued in the future (iat)")
    if expires_at - issued_at > MAX_LIFETIME_SECONDS:
        raise InvalidToken(f"token lifetime exceeds {MAX_LIFETIME_SECONDS} s")
    if expires_at <= issued_at:
        raise InvalidToken("token expires before it was issued")

    installation_id = claims.get("installation_id")
    if isinstance(installation_id, str) and installation_id.isdigit():
        installation_id = int(installation_id)
    if installation_id is not None and (
        not isinstance(installation_id, int) or isinstance(installation_id, bool)
    ):
        raise InvalidToken("installation_id claim must be an integer")
    subject = claims.get("sub")
    return SignedRequest(tenant, installation_id, subject if isinstance(subject, str) else None)


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
    return float(value)


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
