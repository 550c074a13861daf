"""Every refusal and failure mapped to one precise HTTP answer, in one place. Never a trace."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException

from backend.api.middleware import headers_outside_the_layers
from backend.api.signed_requests import InvalidToken
from backend.service.health import HealthUnavailable, OrganizationNotFound
from backend.service.settings_cache import UnknownInstallation
from backend.tenants import TenantUnavailable

log = logging.getLogger(__name__)


def _json(
    status: int, detail: str, headers: dict[str, str] | None = None, code: str | None = None
) -> JSONResponse:
    body = {"detail": detail} if code is None else {"detail": detail, "code": code}
    return JSONResponse(body, status_code=status, headers=headers)


async def _invalid_token(_request: Request, error: Exception) -> JSONResponse:
    return _json(
        401, f"invalid token: {error}", {"WWW-Authenticate": 'Bearer error="invalid_token"'}
    )


async def _unknown_installation(request: Request, error: Exception) -> JSONResponse:
    log.warning("refused %s %s: %s", request.method, request.url.path, error)
    return _json(
        401,
        f"invalid token: {error}",
        {"WWW-Authenticate": 'Bearer error="invalid_token"'},
        "unknown_installation",
    )


async def _not_found(_request: Request, error: Exception) -> JSONResponse:
    return _json(404, str(error))


async def _unavailable(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HealthUnavailable)
    log.warning("503: %s", error)
    return _json(503, str(error), {"Retry-After": "30"}, error.code)


async def _tenant_unavailable(_request: Request, error: Exception) -> JSONResponse:
    log.error("503: %s", error)  # the operator's to fix; the caller learns only that
    return _json(
        503,
        "the backend cannot use this account's registration; "
        "its operator must register the account again",
        code="tenant_unavailable",
    )


async def _validation(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    problems = []
    for item in error.errors():
        where = ".".join(str(part) for part in item.get("loc", ()) if part not in ("path", "query"))
        problems.append(f"{where}: {item.get('msg', 'invalid')}")
    detail = "; ".join(problems) or "invalid request"
    log.info("422 %s %s: %s", request.method, request.url.path, detail)
    return _json(422, detail)


async def _http(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    return _json(error.status_code, str(error.detail), dict(error.headers or {}))


async def _database(request: Request, error: Exception) -> JSONResponse:
    # The driver's message can hold the connection URL; it goes to the log only.
    log.error("database error on %s %s: %s", request.method, request.url.path, error)
    return _json(
        503, "the backend's database is unavailable; try again shortly", {"Retry-After": "10"}
    )


async def _unexpected(request: Request, error: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=error)
    return _json(
        500, "internal error; the backend log has the details", headers_outside_the_layers()
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(InvalidToken, _invalid_token)
    app.add_exception_handler(UnknownInstallation, _unknown_installation)
    app.add_exception_handler(OrganizationNotFound, _not_found)
    app.add_exception_handler(HealthUnavailable, _unavailable)
    app.add_exception_handler(TenantUnavailable, _tenant_unavailable)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(DBAPIError, _database)
    app.add_exception_handler(Exception, _unexpected)
