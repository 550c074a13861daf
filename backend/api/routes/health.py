"""The sidebar endpoint: an organization's health (DESIGN.md §5)."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Path, Query, Response
from fastapi.responses import JSONResponse

from backend.api.deps import HealthServiceDep, SignedRequestDep
from backend.api.schemas import ComputingBody, ErrorBody, HealthBody, WhoAmIBody
from backend.service.health import Computing

router = APIRouter(prefix="/api/v1", tags=["health"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "The signed token was refused; detail says why."},
    404: {"model": ErrorBody, "description": "Zendesk does not know the organization."},
    422: {"model": ErrorBody, "description": "The organization id is not a positive integer."},
    503: {"model": ErrorBody, "description": "Zendesk is unavailable and nothing is stored."},
}


@router.get(
    "/organizations/{organization_id}/health",
    response_model=HealthBody,
    responses={
        202: {"model": ComputingBody, "description": "Still fetching; poll again."},
        **_ERRORS,
    },
)
async def organization_health(
    organization_id: Annotated[int, Path(gt=0, lt=2**63, description="Zendesk organization id")],
    signed: SignedRequestDep,
    service: HealthServiceDep,
    locale: Annotated[
        str, Query(max_length=35, pattern=r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$")
    ] = "en",
    refresh: bool = False,
) -> Response:
    answer = await service.health(signed, organization_id, locale=locale, refresh=refresh)
    if isinstance(answer, Computing):
        return JSONResponse(answer.to_dict(), status_code=202, headers={"Retry-After": "2"})
    # orjson: the answer is a few KB of JSON on every sidebar view; it encodes ~5x faster.
    return Response(orjson.dumps(answer), media_type="application/json")


@router.get(
    "/whoami",
    response_model=WhoAmIBody,
    responses={
        401: _ERRORS[401],
        503: {"model": ErrorBody, "description": "The backend cannot read the account's data."},
    },
)
async def whoami(signed: SignedRequestDep) -> WhoAmIBody:
    """The cheapest signed endpoint: which account and installation the token proves."""
    return WhoAmIBody(tenant=signed.tenant.subdomain, installation_id=signed.installation_id)
