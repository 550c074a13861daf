"""The score's trend from daily snapshots: the 30-day delta, the 90-day history and what changed."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from backend.scoring.kpi_changes import kpi_changes
from backend.scoring.report import KpiResult, Snapshot, Trend

DELTA_DAYS = 30
DELTA_MAX_AGE_DAYS = 37
HISTORY_DAYS = 90


def baseline(snapshots: Iterable[Snapshot], today: date) -> Snapshot | None:
    """The latest snapshot with a score that is 30 to 37 days old: what the delta compares to."""
    newest_allowed = today - timedelta(days=DELTA_DAYS)
    oldest_allowed = today - timedelta(days=DELTA_MAX_AGE_DAYS)
    candidates = [
        s for s in snapshots if oldest_allowed <= s.day <= newest_allowed and s.score is not None
    ]
    return max(candidates, key=lambda s: s.day, default=None)


def trend(
    current: float | None,
    snapshots: Iterable[Snapshot],
    today: date,
    kpis: Sequence[KpiResult] = (),
) -> Trend:
    """delta_30d = now − the baseline (see `baseline`); the KPI changes over the same period
    (`kpi_changes`, from today's `kpis` and the baseline's KPI scores)."""
    history = tuple(
        sorted(
            (s for s in snapshots if today - timedelta(days=HISTORY_DAYS) <= s.day <= today),
            key=lambda s: s.day,
        )
    )
    then = baseline(history, today)
    if current is None or then is None or then.score is None:
        return Trend(None, history)
    return Trend(current - then.score, history, kpi_changes(kpis, then.kpis))
