"""The account sync's progress, for the portfolio page while the first sync runs."""

from __future__ import annotations

from typing import Annotated, Any

from anyio import to_thread
from fastapi import APIRouter, Depends, Request

from backend.api.deps import RepositoryDep, SignedRequestDep
from backend.api.schemas import ErrorBody, SyncBody
from backend.service.account_sync import AccountSync, sync_status

router = APIRouter(prefix="/api/v1", tags=["sync"])


async def _account_sync(request: Request) -> AccountSync:
    account_sync: AccountSync = request.app.state.account_sync
    return account_sync


@router.get(
    "/sync",
    response_model=SyncBody,
    responses={401: {"model": ErrorBody, "description": "The signed token was refused."}},
)
async def sync(
    signed: SignedRequestDep,
    repository: RepositoryDep,
    account_sync: Annotated[AccountSync, Depends(_account_sync)],
) -> dict[str, Any]:
    """How far the account sync got: state, phase, tickets and organizations read, ETA."""
    tenant = signed.tenant.subdomain
    state = await to_thread.run_sync(repository.account_sync, tenant)
    return sync_status(state, account_sync.progress.get(tenant))
