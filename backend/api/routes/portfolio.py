"""The portfolio endpoints for the customer-success lead (DESIGN §11, docs/api.md)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import orjson
from anyio import to_thread
from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from backend.api.deps import PortfolioDep, SettingsDep, SignedRequestDep
from backend.api.schemas import (
    BacktestBody,
    CalibrationBody,
    ErrorBody,
    PortfolioBody,
    PreviewBody,
    PreviewRequest,
)
from backend.scoring.portfolio_csv import portfolio_csv
from backend.scoring.portfolio_query import SORT_COLUMNS, InvalidQuery, PortfolioQuery


def _query_names(dependant: Dependant) -> set[str]:
    names = {p.alias for p in dependant.query_params}
    for dependency in dependant.dependencies:
        names |= _query_names(dependency)
    return names


async def _known_parameters(request: Request) -> None:
    """A parameter these endpoints do not take is refused, not ignored: `?colur=red` would
    otherwise show every organization as if filtered."""
    route = request.scope.get("route")
    known = _query_names(route.dependant) if isinstance(route, APIRoute) else set()
    for name in request.query_params:
        if name not in known:
            listed = ", ".join(sorted(known)) or "none"
            raise InvalidQuery(name, f"is not a parameter of this endpoint (it takes: {listed})")


router = APIRouter(prefix="/api/v1", tags=["portfolio"], dependencies=[Depends(_known_parameters)])

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "The signed token was refused; detail says why."},
    422: {"model": ErrorBody, "description": "A parameter is invalid; detail names it."},
}
# The grammar the parameters are parsed by (PortfolioQuery.parse), so the schema says it too.
_COLOURS = "(green|yellow|red|grey)"
_PHASES = "(onboarding|adoption|success)"
_COLOUR = Query(pattern=f"^({_COLOURS}(,{_COLOURS})*)?$", max_length=200)
_PHASE = Query(pattern=f"^({_PHASES}(,{_PHASES})*)?$", max_length=200)
_GOAL = Query(pattern="^(reached|missed)?$")
_SORT = Query(pattern=f"^(-?({'|'.join(SORT_COLUMNS)}))?$", max_length=40)
_SHARE = {"ge": 0, "le": 100, "allow_inf_nan": False}
CSV_FILENAME = "customer-health-portfolio.csv"


def _json(body: dict[str, Any]) -> Response:
    # orjson: 5,000 rows encode in a few milliseconds rather than tens.
    return Response(orjson.dumps(body), media_type="application/json")


@router.get(
    "/portfolio",
    response_model=PortfolioBody,
    responses={
        200: {"content": {"text/csv": {"schema": {"type": "string"}}}},
        **_ERRORS,
    },
)
async def portfolio(
    signed: SignedRequestDep,
    settings: SettingsDep,
    service: PortfolioDep,
    colour: Annotated[str | None, _COLOUR] = None,
    phase: Annotated[str | None, _PHASE] = None,
    goal: Annotated[str | None, _GOAL] = None,
    sort: Annotated[str | None, _SORT] = None,
    format: Annotated[Literal["json", "csv"], Query()] = "json",
) -> Response:
    """Every organization of the account with its score, colour, 30-day delta, phase, goal and
    weakest KPI; the colour distribution; the focus list. Filters and sort apply to the list."""
    query = PortfolioQuery.parse(colour=colour, phase=phase, goal=goal, sort=sort)
    tenant = signed.tenant.subdomain
    view = await service.view(tenant, settings)
    if format == "csv":
        text = await to_thread.run_sync(lambda: portfolio_csv(query.apply(view.rows)))
        return Response(
            text,
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{CSV_FILENAME}"'},
        )
    rows = await to_thread.run_sync(lambda: [r.to_dict() for r in query.apply(view.rows)])
    sync = await to_thread.run_sync(service.sync, tenant)
    return _json(
        {
            "organizations": rows,
            "distribution": view.distribution.to_dict(),
            "focus": list(view.focus),
            "thresholds": {
                "green": settings.settings.green_threshold,
                "red": settings.settings.red_threshold,
            },
            "as_of": view.as_of.isoformat(),
            "sync": sync,
            "settings_warnings": [*settings.warnings, *view.warnings],
        }
    )


@router.get("/calibration", response_model=CalibrationBody, responses=_ERRORS)
async def calibration(
    signed: SignedRequestDep,
    settings: SettingsDep,
    service: PortfolioDep,
    green: Annotated[float, Query(description="target share of green, percent", **_SHARE)] = 20,
    red: Annotated[float, Query(description="target share of red, percent", **_SHARE)] = 20,
) -> Response:
    """The thresholds that split the scored organizations into the target shares."""
    return _json(await service.calibration(signed.tenant.subdomain, settings, green, red))


@router.post(
    "/preview",
    response_model=PreviewBody,
    responses={
        400: {"model": ErrorBody, "description": "The body could not be read as JSON."},
        **_ERRORS,
    },
)
async def preview(
    body: PreviewRequest,
    signed: SignedRequestDep,
    settings: SettingsDep,
    service: PortfolioDep,
) -> Response:
    """What candidate settings would do: the distribution and every change of colour. Nothing
    is stored, and the installation's settings stay as they are."""
    return _json(await service.preview(signed.tenant.subdomain, settings, body.settings))


@router.get("/backtest", response_model=BacktestBody, responses=_ERRORS)
async def backtest(
    signed: SignedRequestDep, settings: SettingsDep, service: PortfolioDep
) -> Response:
    """How well a low score singled out the organizations that churned: ROC AUC, top-decile
    lift and the counts behind them."""
    return _json(await service.backtest(signed.tenant.subdomain, settings))
