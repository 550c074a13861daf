"""Demo-only control endpoints under /_demo/ (no auth): they do not exist in real Zendesk.

Tests use them to count a client's API calls, to switch faults on and off at runtime, and to
see which organizations the demo has and what each is meant to look like.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body

from backend.demo.deps import DemoDep
from backend.demo.errors import InvalidRequest
from backend.demo.faults import FaultConfig

router = APIRouter(prefix="/_demo", tags=["demo-only"])


@router.get("/requests")
async def requests_made(demo: DemoDep) -> dict[str, Any]:
    """API requests since start or reset: total, counts by "METHOD /path", and the log."""
    return demo.log.snapshot()


@router.post("/requests/reset")
async def reset_requests(demo: DemoDep) -> dict[str, Any]:
    """Forget the logged requests and start the rate-limit minutes afresh."""
    demo.log.reset()
    demo.reset_budgets()
    return {"total": 0}


@router.get("/faults")
async def current_faults(demo: DemoDep) -> dict[str, Any]:
    return demo.faults.config.to_dict()


@router.put("/faults")
async def change_faults(
    demo: DemoDep, payload: Annotated[dict[str, Any], Body()]
) -> dict[str, Any]:
    """Replace the fault config; fields left out take FaultConfig's defaults (no faults)."""
    try:
        config = FaultConfig(**payload)
    except (TypeError, ValueError) as error:
        raise InvalidRequest(str(error)) from None
    demo.faults.configure(config)
    return config.to_dict()


@router.get("/organizations")
async def organizations(demo: DemoDep) -> dict[str, Any]:
    """Every organization: id, name, ticket count and its intended (not measured) profile."""
    return {"organizations": demo.account.summary()}
