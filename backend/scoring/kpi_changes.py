"""What changed: the KPIs whose change moved the health score most since the 30-day baseline."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from backend.scoring.report import KpiChange, KpiResult


def kpi_changes(
    current: Sequence[KpiResult], baseline: Mapping[str, float | None] | None
) -> tuple[KpiChange, ...]:
    """delta = score now − score at the baseline; effect = weight · delta / Σ weight, the change
    of the KPI's weighted contribution, with today's weights over the KPIs counted today.

    Only KPIs counted in today's score with a score at the baseline; those that did not move
    are left out; the largest absolute effect first. Empty without a baseline.
    """
    if baseline is None:
        return ()
    counted = [k for k in current if k.score is not None and k.weight > 0]
    total_weight = sum(k.weight for k in counted)
    changes = []
    for kpi in counted:
        before = baseline.get(kpi.key)
        if before is None or kpi.score is None or kpi.score == before:
            continue
        delta = kpi.score - before
        changes.append(
            KpiChange(kpi.key, before, kpi.score, delta, kpi.weight * delta / total_weight)
        )
    changes.sort(key=lambda c: -abs(c.effect))
    return tuple(changes)
