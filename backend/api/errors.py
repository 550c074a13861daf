"""Every refusal and failure mapped to one precise HTTP answer, in one place. Never a trace.

Each body is `{"detail": <English sentence>, "code": <machine code>}` (docs/api.md "Errors"):
the app words the code for agents in their language and shows the detail only to admins.
An exception type may carry its own `code` attribute (a subclass of `InvalidToken` or of
`HealthUnavailable` that names a more precise case); otherwise the handler's code applies.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException

from backend.api.middleware import headers_outside_the_layers
from backend.api.signed_requests import InvalidToken
from backend.scoring.calibration import InvalidTarget
from backend.scoring.portfolio_query import InvalidQuery
from backend.service.health import HealthUnavailable, OrganizationNotFound
from backend.service.portfolio import InvalidCandidate
from backend.service.settings_cache import UnknownInstallation
from backend.tenants import TenantUnavailable

log = logging.getLogger(__name__)

INVALID_TOKEN = "invalid_token"  # noqa: S105 (a code, not a secret)
ORGANIZATION_NOT_FOUND = "organization_not_found"
INVALID_REQUEST = "invalid_request"
ZENDESK_UNAVAILABLE = "zendesk_unavailable"
DATABASE_UNAVAILABLE = "database_unavailable"
TENANT_UNAVAILABLE = "tenant_unavailable"
INTERNAL_ERROR = "internal_error"
# Starlette's own refusals (an unknown path, a wrong method): by status.
HTTP_CODES = {404: "not_found", 405: "method_not_allowed"}
HTTP_ERROR = "http_error"


def _json(
    status: int, detail: str, code: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse({"detail": detail, "code": code}, status_code=status, headers=headers)


def _code(error: Exception, default: str) -> str:
    code = getattr(error, "code", None)
    return code if isinstance(code, str) and code else default


async def _invalid_token(_request: Request, error: Exception) -> JSONResponse:
    return _json(
        401,
        f"invalid token: {error}",
        _code(error, INVALID_TOKEN),
        {"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )


async def _unknown_installation(request: Request, error: Exception) -> JSONResponse:
    log.warning("refused %s %s: %s", request.method, request.url.path, error)
    return _json(
        401,
        f"invalid token: {error}",
        "unknown_installation",
        {"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )


async def _not_found(_request: Request, error: Exception) -> JSONResponse:
    return _json(404, str(error), ORGANIZATION_NOT_FOUND)


async def _unavailable(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HealthUnavailable)
    log.warning("503: %s", error)
    return _json(503, str(error), _code(error, ZENDESK_UNAVAILABLE), {"Retry-After": "30"})


async def _tenant_unavailable(_request: Request, error: Exception) -> JSONResponse:
    log.error("503: %s", error)  # the operator's to fix; the caller learns only that
    return _json(
        503,
        "the backend cannot use this account's registration; "
        "its operator must register the account again",
        TENANT_UNAVAILABLE,
    )


async def _validation(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    problems, fields = [], []
    for item in error.errors():
        where = ".".join(str(part) for part in item.get("loc", ()) if part not in ("path", "query"))
        problems.append(f"{where}: {item.get('msg', 'invalid')}")
        fields.append(where)
    detail = "; ".join(problems) or "invalid request"
    log.info("422 %s %s: %s", request.method, request.url.path, detail)
    body = {"detail": detail, "code": INVALID_REQUEST, "fields": list(dict.fromkeys(fields))}
    return JSONResponse(body, status_code=422)


async def _invalid_field(request: Request, error: Exception) -> JSONResponse:
    """A parameter the portfolio cannot use: 422 naming it, as a validation error would."""
    if isinstance(error, InvalidTarget):
        fields = list(error.fields)
    elif isinstance(error, InvalidQuery):
        fields = [error.parameter]
    else:
        assert isinstance(error, InvalidCandidate)
        fields = [error.field]
    log.info("422 %s %s: %s", request.method, request.url.path, error)
    return JSONResponse(
        {"detail": str(error), "code": INVALID_REQUEST, "fields": fields}, status_code=422
    )


async def _http(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    code = HTTP_CODES.get(error.status_code, HTTP_ERROR)
    return _json(error.status_code, str(error.detail), code, dict(error.headers or {}))


async def _database(request: Request, error: Exception) -> JSONResponse:
    # The driver's message can hold the connection URL; it goes to the log only.
    log.error("database error on %s %s: %s", request.method, request.url.path, error)
    return _json(
        503,
        "the backend's database is unavailable; try again shortly",
        DATABASE_UNAVAILABLE,
        {"Retry-After": "10"},
    )


async def _unexpected(request: Request, error: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=error)
    return _json(
        500,
        "internal error; the backend log has the details",
        INTERNAL_ERROR,
        headers_outside_the_layers(),
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(InvalidToken, _invalid_token)
    app.add_exception_handler(UnknownInstallation, _unknown_installation)
    app.add_exception_handler(OrganizationNotFound, _not_found)
    app.add_exception_handler(HealthUnavailable, _unavailable)
    app.add_exception_handler(TenantUnavailable, _tenant_unavailable)
    app.add_exception_handler(RequestValidationError, _validation)
    for invalid in (InvalidTarget, InvalidQuery, InvalidCandidate):
        app.add_exception_handler(invalid, _invalid_field)
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(DBAPIError, _database)
    app.add_exception_handler(Exception, _unexpected)
