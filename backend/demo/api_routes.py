"""The Zendesk Support API endpoints the product uses, with Zendesk's JSON envelopes.

One router under /api/v2 (every call authenticated) gathers the resource routers.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from backend.demo import incremental_routes, installation_routes, organization_routes, ticket_routes
from backend.demo.deps import DemoDep, require_auth
from backend.demo.errors import RecordNotFound

router = APIRouter(prefix="/api/v2", dependencies=[Depends(require_auth)])


@router.get("/users/me")
async def current_user(demo: DemoDep) -> dict[str, Any]:
    return {"user": demo.account.admin}


@router.get("/users/{user_id}")
async def show_user(user_id: int, demo: DemoDep) -> dict[str, Any]:
    for user in demo.account.users:
        if user["id"] == user_id:
            return {"user": user}
    raise RecordNotFound


for resource in (organization_routes, ticket_routes, incremental_routes, installation_routes):
    router.include_router(resource.router)
