"""The built-in demo Zendesk as a FastAPI app: `create_demo_zendesk(account)`."""

from __future__ import annotations

from fastapi import FastAPI

from backend.demo import api_routes, control_routes, oauth_routes
from backend.demo.auth import DemoCredentials
from backend.demo.dataset import DemoAccount
from backend.demo.errors import install_error_handlers
from backend.demo.faults import FaultConfig
from backend.demo.middleware import StripJsonSuffix, zendesk_edge
from backend.demo.ratelimits import RateLimits
from backend.demo.state import DemoZendesk, MetricSetsStyle


def create_demo_zendesk(
    account: DemoAccount,
    *,
    faults: FaultConfig | None = None,
    credentials: DemoCredentials = DemoCredentials(),  # noqa: B008 - frozen, safe to share
    rate_limits: RateLimits = RateLimits(),  # noqa: B008 - frozen, safe to share
    metric_sets_style: MetricSetsStyle = "top_level",
    export_lag_seconds: int = 0,
) -> FastAPI:
    """A demo Zendesk serving `account`; its state is at `app.state.demo` (a `DemoZendesk`).

    `export_lag_seconds`: the incremental exports hold back changes this recent (Zendesk
    never returns the most recent minute: 60; tests that want their changes at once: 0).
    """
    app = FastAPI(
        title=f"Demo Zendesk ({account.subdomain})",
        description="A local stand-in for Zendesk's Support API. Paths under /_demo/ are "
        "demo-only controls that real Zendesk does not have.",
        docs_url="/_demo/docs",
        openapi_url="/_demo/openapi.json",
        redoc_url=None,
    )
    app.state.demo = DemoZendesk(
        account, credentials, faults, rate_limits, metric_sets_style, export_lag_seconds
    )
    install_error_handlers(app)
    app.include_router(oauth_routes.router)
    app.include_router(api_routes.router)
    app.include_router(control_routes.router)
    app.middleware("http")(zendesk_edge)
    app.add_middleware(StripJsonSuffix)  # outermost, so everything inside sees the plain path
    return app
