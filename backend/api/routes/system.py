"""Liveness and readiness probes."""

from __future__ import annotations

from typing import Annotated

from anyio import to_thread
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from backend.api.deps import RepositoryDep
from backend.service.account_sync import sync_summary
from backend.service.background import SyncScheduler
from backend.service.readiness import ZendeskReadiness
from backend.store.db import is_reachable

router = APIRouter(tags=["system"])


async def _readiness(request: Request) -> ZendeskReadiness:
    readiness: ZendeskReadiness = request.app.state.readiness
    return readiness


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(
    request: Request,
    repository: RepositoryDep,
    readiness: Annotated[ZendeskReadiness, Depends(_readiness)],
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
    states = await to_thread.run_sync(repository.account_syncs)
    scheduler: SyncScheduler = request.app.state.scheduler
    # The sync does not decide readiness: before its first pass, organizations are fetched
    # one by one; the summary says how far it is.
    sync = sync_summary(states, leader=scheduler.leading)
    checks = {"database": {"ok": True}, "zendesk": zendesk.to_dict()}
    if zendesk.ready:
        return JSONResponse({"status": "ready", "checks": checks, "sync": sync})
    body = {"status": "unready", "detail": zendesk.detail, "checks": checks, "sync": sync}
    return JSONResponse(body, status_code=503)
