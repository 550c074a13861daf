"""`/metrics` for Prometheus, behind its own bearer token (METRICS_TOKEN).

Off when no token is configured: the series name tenants, which the token check keeps from
anyone who has not been given the token (see signed_requests.SIGNATURE_REFUSED).
"""

from __future__ import annotations

import secrets
from typing import Annotated

from anyio import to_thread
from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse, Response

from backend.config import AppConfig
from backend.observability.metrics import exposition

router = APIRouter(tags=["system"])


@router.get("/metrics", include_in_schema=False)
async def metrics(
    request: Request, authorization: Annotated[str | None, Header()] = None
) -> Response:
    config: AppConfig = request.app.state.config
    if config.metrics_token is None:
        return JSONResponse(
            {"detail": "metrics are off: set METRICS_TOKEN to turn them on", "code": "not_found"},
            status_code=404,
        )
    expected = f"Bearer {config.metrics_token.get_secret_value()}"
    if not secrets.compare_digest((authorization or "").encode(), expected.encode()):
        return JSONResponse(
            {"detail": "invalid token: /metrics needs METRICS_TOKEN", "code": "invalid_token"},
            status_code=401,
            headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
        )
    body, content_type = await to_thread.run_sync(exposition)  # reads files when multi-process
    return Response(body, media_type=content_type)
