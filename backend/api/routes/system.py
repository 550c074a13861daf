"""Liveness and readiness probes."""

from __future__ import annotations

from typing import Annotated

from anyio import to_thread
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from backend.api.deps import RepositoryDep
from backend.service.readiness import ZendeskReadiness
from backend.store.db import is_reachable

router = APIRouter(tags=["system"])


def _readiness(request: Request) -> ZendeskReadiness:
    readiness: ZendeskReadiness = request.app.state.readiness
    return readiness


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(
    repository: RepositoryDep, readiness: Annotated[ZendeskReadiness, Depends(_readiness)]
) -> JSONResponse:
    """The database answers, and Zendesk accepts the API credentials (checked at most once a
    minute, READINESS_ZENDESK_SECONDS). With several tenants, one tenant's failing Zendesk is
    reported but leaves the backend ready for the others.
    """
    if not await to_thread.run_sync(is_reachable, repository.engine):
        body: dict[str, object] = {
            "status": "unready",
            "detail": "database unreachable",
            "checks": {"database": {"ok": False}},
        }
        return JSONResponse(body, status_code=503)
    zendesk = await readiness.check()
    checks = {"database": {"ok": True}, "zendesk": zendesk.to_dict()}
    if zendesk.ready:
        return JSONResponse({"status": "ready", "checks": checks})
    body = {"status": "unready", "detail": zendesk.detail, "checks": checks}
    return JSONResponse(body, status_code=503)
