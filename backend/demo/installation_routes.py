"""The Apps API's installations: list, install, show, update, uninstall (any app's)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Response
from fastapi.responses import JSONResponse

from backend.demo.deps import DemoDep
from backend.demo.errors import RecordNotFound

router = APIRouter(prefix="/apps/installations")


@router.get("")
async def list_installations(demo: DemoDep) -> dict[str, Any]:
    return {"installations": demo.account.installations.list_json()}


@router.post("")
async def install_app(demo: DemoDep, payload: Annotated[dict[str, Any], Body()]) -> JSONResponse:
    # Zendesk documents 200 (not 201) and the installation itself, not wrapped.
    return JSONResponse(demo.account.installations.install(payload))


@router.get("/{installation_id}")
async def show_installation(installation_id: int, demo: DemoDep) -> JSONResponse:
    try:
        return JSONResponse(demo.account.installations.show_json(installation_id))
    except KeyError:
        raise RecordNotFound from None


@router.put("/{installation_id}")
async def update_installation(
    installation_id: int, demo: DemoDep, payload: Annotated[dict[str, Any], Body()]
) -> JSONResponse:
    try:
        return JSONResponse(demo.account.installations.update(installation_id, payload))
    except KeyError:
        raise RecordNotFound from None


@router.delete("/{installation_id}", status_code=204)
async def uninstall_app(installation_id: int, demo: DemoDep) -> Response:
    try:
        demo.account.installations.uninstall(installation_id)
    except KeyError:
        raise RecordNotFound from None
    return Response(status_code=204)
