"""Liveness and readiness probes."""

from __future__ import annotations

from anyio import to_thread
from fastapi import APIRouter
from fastapi.responses import JSONResponse

from backend.api.deps import RepositoryDep
from backend.store.db import is_reachable

router = APIRouter(tags=["system"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(repository: RepositoryDep) -> JSONResponse:
    """The database answers."""
    if await to_thread.run_sync(is_reachable, repository.engine):
        return JSONResponse({"status": "ready"})
    return JSONResponse({"status": "unready", "detail": "database unreachable"}, status_code=503)
