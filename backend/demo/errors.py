"""The demo's error types and the Zendesk-shaped answers they map to, in one place."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from backend.demo.installations import InvalidInstallation
from backend.demo.organizations import InvalidOrganization
from backend.demo.pagination import InvalidPagination
from backend.demo.ticket_changes import InvalidTicket


class NotAuthenticated(Exception):
    """No or wrong credentials."""


class RecordNotFound(Exception):
    """An organization, ticket, user or installation that does not exist (or no longer)."""


class InvalidRequest(ValueError):
    """A malformed body or parameter (400); the message says what is wrong."""


async def _not_authenticated(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(
        {"error": "Couldn't authenticate you"},
        status_code=401,
        headers={"WWW-Authenticate": 'Basic realm="Web Password"'},
    )


async def _not_found(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse({"error": "RecordNotFound", "description": "Not found"}, status_code=404)


async def _invalid_pagination(request: Request, exc: Exception) -> JSONResponse:
    body = {"error": "InvalidPaginationParameter", "description": str(exc)}
    return JSONResponse(body, status_code=400)


async def _record_invalid(request: Request, exc: Exception) -> JSONResponse:
    body = {
        "error": "RecordInvalid",
        "description": "Record validation errors",
        "details": {"base": [{"description": str(exc), "error": "InvalidValue"}]},
    }
    return JSONResponse(body, status_code=422)


async def _invalid_request(request: Request, exc: Exception) -> JSONResponse:
    body = {"error": "InvalidParameter", "description": str(exc)}
    return JSONResponse(body, status_code=400)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 404:
        return JSONResponse({"error": "InvalidEndpoint", "description": "Not found"}, 404)
    if exc.status_code == 405:
        return JSONResponse({"error": "InvalidEndpoint", "description": "Not found"}, 405)
    return JSONResponse({"error": str(exc.detail)}, status_code=exc.status_code)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(NotAuthenticated, _not_authenticated)
    app.add_exception_handler(RecordNotFound, _not_found)
    app.add_exception_handler(InvalidPagination, _invalid_pagination)
    for invalid in (InvalidTicket, InvalidOrganization, InvalidInstallation):
        app.add_exception_handler(invalid, _record_invalid)
    app.add_exception_handler(InvalidRequest, _invalid_request)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(StarletteHTTPException, _http_error)
