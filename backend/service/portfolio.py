"""The portfolio: every organization of the account scored from the store (DESIGN §11).

Measuring the KPIs reads every ticket in the window, so it is done once per tenant and
measurement settings (`MEASUREMENT_SETTINGS`), then again only for the organizations whose
facts changed (their revision moved) and in full when the window has slid (`max_age`).
Scoring a measurement under a set of settings (weights, thresholds, goals) costs a few
microseconds an organization: a what-if on those reads no ticket, and nothing here asks Zendesk.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from anyio import to_thread
from cachetools import LRUCache

from backend.scoring.backtest import (
    Churn,
    Outcome,
    backtest,
    churn_of,
    churn_source,
    score_for_backtest,
)
from backend.scoring.calibration import calibrate
from backend.scoring.facts import OrganizationFacts
from backend.scoring.health import assess, measure, score_and_colour
from backend.scoring.portfolio import Distribution, PortfolioRow, distribution, focus, portfolio_row
from backend.scoring.preview import ScoredOrganization, preview
from backend.scoring.report import HealthReport, KpiResult
from backend.scoring.settings import SETTING_NAMES, measurement_key
from backend.scoring.trend import DELTA_DAYS, DELTA_MAX_AGE_DAYS, baseline
from backend.service.account_sync import AccountSync, sync_status
from backend.service.settings_cache import EffectiveSettings, effective_settings
from backend.store.repository import Repository

log = logging.getLogger(__name__)

# The store's revisions are compared at most this often (another process may sync); this
# process's own sync makes the next request compare at once (`facts_changed`).
REVISIONS_SECONDS = 2.0
# A backtest judges a churned organization by a snapshot from at most this long before.
BACKTEST_LOOKBACK_DAYS = 730
_MeasurementKey = tuple[str, tuple[object, ...]]


class InvalidCandidate(ValueError):
    """A what-if setting that cannot be used; `field` names it (`settings.<name>`)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


@dataclass(frozen=True, slots=True)
class Measurement:
    """Every organization's measured KPIs at `at`, and the revisions they were measured at."""

    at: datetime
    revisions: Mapping[int, int]
    organizations: Mapping[int, OrganizationFacts]
    kpis: Mapping[int, tuple[KpiResult, ...]]


@dataclass(frozen=True, slots=True)
class PortfolioView:
    """The portfolio under one installation's settings, from one measurement."""

    rows: tuple[PortfolioRow, ...]  # by id
    distribution: Distribution
    focus: tuple[int, ...]
    as_of: datetime
    warnings: tuple[str, ...]  # the churn date field's unusable values, for admins
    churns: Mapping[int, Churn]  # by organization id, for the backtest


class Portfolio:
    def __init__(
        self, repository: Repository, account_sync: AccountSync, *, max_age: float
    ) -> None:
        self._repository = repository
        self._account_sync = account_sync
        self._max_age = max_age
        self._lock = threading.Lock()
        self._measurements: LRUCache[_MeasurementKey, Measurement] = LRUCache(maxsize=8)
        self._checked: dict[_MeasurementKey, float] = {}
        self._running: dict[_MeasurementKey, asyncio.Task[Measurement]] = {}
        self._views: LRUCache[tuple[str, str], tuple[Measurement, PortfolioView]] = LRUCache(16)

    def facts_changed(self, tenant: str, _organization_ids: set[int]) -> None:
        """This process's sync stored changes: the next request compares revisions."""
        with self._lock:
            for key in [k for k in self._checked if k[0] == tenant]:
                self._checked.pop(key, None)

    def sync(self, tenant: str) -> dict[str, object]:
        """The account sync's progress (thread pool: reads the store)."""
        state = self._repository.account_sync(tenant)
        return sync_status(state, self._account_sync.progress.get(tenant))

    async def view(self, tenant: str, effective: EffectiveSettings) -> PortfolioView:
        measurement = await self.measurement(tenant, effective)
        key = (tenant, effective.fingerprint)
        with self._lock:
            cached = self._views.get(key)
        if cached is not None and cached[0] is measurement:
            return cached[1]
        view = await to_thread.run_sync(self._view, tenant, effective, measurement)
        with self._lock:
            self._views[key] = (measurement, view)
        return view

    async def measurement(self, tenant: str, effective: EffectiveSettings) -> Measurement:
        key = (tenant, measurement_key(effective.settings))
        with self._lock:
            known = self._measurements.get(key)
            checked = self._checked.get(key, 0.0)
        if known is not None and time.monotonic() - checked < REVISIONS_SECONDS:
            return known
        task = self._running.get(key)
        if task is None:
            task = asyncio.get_running_loop().create_task(
                to_thread.run_sync(self._measure, tenant, effective, known)
            )
            self._running[key] = task
            task.add_done_callback(lambda _t: self._running.pop(key, None))
        measurement = await asyncio.shield(task)
        with self._lock:
            self._measurements[key] = measurement
            self._checked[key] = time.monotonic()
        return measurement

    def _measure(
        self, tenant: str, effective: EffectiveSettings, known: Measurement | None
    ) -> Measurement:
        """`known` again when no revision moved; its changed organizations measured anew; all
        of them when it is older than `max_age` (tickets left and entered the window)."""
        started = time.perf_counter()
        now = datetime.now(UTC)
        revisions = self._repository.revisions(tenant)
        fresh = known is not None and (now - known.at).total_seconds() < self._max_age
        if known is not None and fresh and revisions == known.revisions:
            return known
        organizations = {o.facts.id: o.facts for o in self._repository.organizations(tenant)}
        if known is not None and fresh:
            at = known.at
            changed = {i for i in organizations if known.revisions.get(i) != revisions.get(i)}
            kpis = {i: k for i, k in known.kpis.items() if i in organizations and i not in changed}
        else:
            at, changed, kpis = now, set(organizations), {}
        settings = effective.settings
        since = at - timedelta(days=settings.window_days)
        if changed:
            ids = None if len(changed) == len(organizations) else changed
            for organization_id, tickets in self._repository.tickets_by_organization(
                tenant, since, ids
            ):
                organization = organizations.get(organization_id)
                if organization is not None:
                    kpis[organization_id] = measure(organization, tickets, settings, at)
        for organization_id in changed - kpis.keys():  # no ticket in the window
            kpis[organization_id] = measure(organizations[organization_id], (), settings, at)
        log.info(
            "portfolio of %s: %d of %d organizations measured in %.0f ms",
            tenant,
            len(changed),
            len(organizations),
            1000 * (time.perf_counter() - started),
        )
        known_revisions = {i: revisions[i] for i in organizations if i in revisions}
        return Measurement(at, known_revisions, organizations, kpis)

    def _view(
        self, tenant: str, effective: EffectiveSettings, measurement: Measurement
    ) -> PortfolioView:
        settings = effective.settings
        today = measurement.at.date()
        snapshots = self._repository.snapshots_between(
            tenant,
            today - timedelta(days=DELTA_MAX_AGE_DAYS),
            today - timedelta(days=DELTA_DAYS),
            effective.score_fingerprint,
        )
        rows, warnings, churns = [], [], {}
        for organization_id, report in sorted(self._reports(effective, measurement).items()):
            organization = measurement.organizations[organization_id]
            then = baseline(snapshots.get(organization_id, ()), today)
            delta = None
            if report.score is not None and then is not None and then.score is not None:
                delta = report.score - then.score
            churn = churn_of(organization_id, organization.tags, organization.fields, settings)
            churns[organization_id] = churn
            if churn.problem is not None:
                warnings.append(churn.problem)
            rows.append(
                portfolio_row(
                    organization, report, settings, delta_30d=delta, churned=churn.churned
                )
            )
        return PortfolioView(
            tuple(rows),
            distribution(r.colour for r in rows),
            focus(rows),
            measurement.at,
            tuple(warnings),
            churns,
        )

    @staticmethod
    def _reports(effective: EffectiveSettings, measurement: Measurement) -> dict[int, HealthReport]:
        return {
            organization_id: assess(
                measurement.organizations[organization_id],
                kpis,
                effective.settings,
                measurement.at,
                locale=None,
            )
            for organization_id, kpis in measurement.kpis.items()
        }

    async def preview(
        self, tenant: str, effective: EffectiveSettings, candidate: Mapping[str, object]
    ) -> dict[str, Any]:
        """What `candidate` (some settings, Zendesk's string form) would do to the colours, on
        top of the installation's other settings; nothing stored."""
        settings = candidate_settings(effective, candidate)
        current = await self.view(tenant, effective)
        measurement = await self.measurement(tenant, settings)

        def compare() -> dict[str, Any]:
            after = [
                ScoredOrganization(
                    i,
                    measurement.organizations[i].name,
                    *score_and_colour(kpis, settings.settings),
                )
                for i, kpis in sorted(measurement.kpis.items())
            ]
            before = [ScoredOrganization(r.id, r.name, r.score, r.colour) for r in current.rows]
            answer = preview(before, after).to_dict()
            problems = settings.settings.problems
            return {
                **answer,
                "thresholds": {
                    "green": settings.settings.green_threshold,
                    "red": settings.settings.red_threshold,
                },
                "settings_warnings": [p.message for p in problems],
                "settings_problems": [p.to_dict() for p in problems],
            }

        return await to_thread.run_sync(compare)

    async def calibration(
        self, tenant: str, effective: EffectiveSettings, green: float, red: float
    ) -> dict[str, Any]:
        view = await self.view(tenant, effective)
        return calibrate((r.score for r in view.rows), green, red).to_dict()

    async def backtest(self, tenant: str, effective: EffectiveSettings) -> dict[str, Any]:
        view = await self.view(tenant, effective)
        return await to_thread.run_sync(self._backtest, tenant, effective, view)

    def _backtest(
        self, tenant: str, effective: EffectiveSettings, view: PortfolioView
    ) -> dict[str, Any]:
        outcomes = []
        for row in view.rows:
            churn = view.churns[row.id]
            score = row.score
            if churn.on is not None:
                history = self._repository.snapshots(
                    tenant,
                    row.id,
                    churn.on - timedelta(days=BACKTEST_LOOKBACK_DAYS),
                    effective.score_fingerprint,
                )
                score = score_for_backtest(row.score, churn, history)
            outcomes.append(Outcome(score, churn.churned))
        source = churn_source(view.churns.values(), effective.settings)
        answer = backtest(outcomes, source).to_dict()
        return {**answer, "settings_warnings": list(view.warnings)}


def candidate_settings(
    effective: EffectiveSettings, candidate: Mapping[str, object]
) -> EffectiveSettings:
    """The installation's settings with `candidate`'s values instead; a candidate value that is
    not a setting, or that the settings page would not accept, is an InvalidCandidate."""
    for name, value in candidate.items():
        if name not in SETTING_NAMES:
            raise InvalidCandidate(f"settings.{name}", "is not a setting of this app")
        if value is not None and not isinstance(value, str | int | float | bool):
            raise InvalidCandidate(f"settings.{name}", "must be a string or a number")
    merged = effective_settings({**effective.raw, **candidate})
    for problem in merged.settings.problems:
        if problem.setting in candidate:
            reason = problem.message.removeprefix(f"{problem.setting}: ")
            raise InvalidCandidate(f"settings.{problem.setting}", reason)
    return merged
