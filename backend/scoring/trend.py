"""The score's trend from daily snapshots: the 30-day delta and the 90-day history."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from backend.scoring.report import Snapshot, Trend

DELTA_DAYS = 30
DELTA_MAX_AGE_DAYS = 37
HISTORY_DAYS = 90


def trend(current: float | None, snapshots: Iterable[Snapshot], today: date) -> Trend:
    """delta_30d = now − the latest snapshot ≥ 30 days old, if it is from the last 37 days."""
    history = tuple(
        sorted(
            (s for s in snapshots if today - timedelta(days=HISTORY_DAYS) <= s.day <= today),
            key=lambda s: s.day,
        )
    )
    newest_allowed = today - timedelta(days=DELTA_DAYS)
    oldest_allowed = today - timedelta(days=DELTA_MAX_AGE_DAYS)
    baseline = next(
        (
            s
            for s in reversed(history)
            if oldest_allowed <= s.day <= newest_allowed and s.score is not None
        ),
        None,
    )
    if current is None or baseline is None or baseline.score is None:
        return Trend(None, history)
    return Trend(current - baseline.score, history)
