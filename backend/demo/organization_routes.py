"""Organizations: list, show, create, update, delete, and the organization fields."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Request, Response

from backend.demo.deps import DemoDep, base_url, query
from backend.demo.errors import InvalidRequest, RecordNotFound
from backend.demo.organizations import DemoOrganization, organization_fields_json, organization_json
from backend.demo.pagination import cursor_envelope, cursor_page, cursor_size, offset_page

router = APIRouter()


def _organization_payload(payload: dict[str, Any]) -> dict[str, Any]:
    organization = payload.get("organization")
    if not isinstance(organization, dict):
        raise InvalidRequest('body must be {"organization": {...}}')
    return organization


def _wrapped(org: DemoOrganization, request: Request) -> dict[str, Any]:
    return {"organization": organization_json(org, base_url(request))}


@router.get("/organizations")
async def list_organizations(request: Request, demo: DemoDep) -> dict[str, Any]:
    base = base_url(request)
    ids = sorted(demo.account.organization_ids)
    params = query(request)
    url = f"{base}/api/v2/organizations.json"
    size = cursor_size(params)
    if size is None:
        chosen, envelope = offset_page(ids, url, params)
    else:
        after, before = params.get("page[after]"), params.get("page[before]")
        page = cursor_page(ids, [(i,) for i in ids], "id", size, after, before)
        chosen, envelope = page.items, cursor_envelope(page, url, params, size)
    return {"organizations": [demo.account.organization(i, base) for i in chosen], **envelope}


@router.post("/organizations", status_code=201)
async def create_organization(
    request: Request, demo: DemoDep, payload: Annotated[dict[str, Any], Body()]
) -> Any:
    org = demo.account.create_organization(_organization_payload(payload))
    return _wrapped(org, request)


@router.get("/organizations/{organization_id}")
async def show_organization(organization_id: int, request: Request, demo: DemoDep) -> Any:
    try:
        return {"organization": demo.account.organization(organization_id, base_url(request))}
    except KeyError:
        raise RecordNotFound from None


@router.put("/organizations/{organization_id}")
async def update_organization(
    organization_id: int,
    request: Request,
    demo: DemoDep,
    payload: Annotated[dict[str, Any], Body()],
) -> Any:
    changes = _organization_payload(payload)
    try:
        org = demo.account.update_organization(organization_id, changes)
    except KeyError:
        raise RecordNotFound from None
    return _wrapped(org, request)


@router.delete("/organizations/{organization_id}", status_code=204)
async def delete_organization(organization_id: int, demo: DemoDep) -> Response:
    try:
        demo.account.delete_organization(organization_id)
    except KeyError:
        raise RecordNotFound from None
    return Response(status_code=204)


@router.get("/organization_fields")
async def organization_fields(request: Request) -> dict[str, Any]:
    fields = organization_fields_json(base_url(request))
    return {"organization_fields": fields, "next_page": None, "previous_page": None,
            "count": len(fields)}  # fmt: skip
