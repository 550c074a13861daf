"""The demo's history backfill: one snapshot per earlier day, each the score of that day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from backend.demo.history import backfill_history
from backend.scoring import OrganizationFacts, TicketFacts, compute_health
from backend.service.settings_cache import effective_settings
from backend.store.db import create_db_engine, migrate
from backend.store.repository import Repository, SnapshotRecord

TODAY = datetime(2026, 11, 20, 12, tzinfo=UTC)


def _repository(tmp_path: Path) -> Repository:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'history.db'}")
    migrate(engine)
    return Repository(engine)


def _tickets() -> list[TicketFacts]:
    return [
        TicketFacts(
            id=number,
            created_at=TODAY - timedelta(days=number),
            updated_at=TODAY - timedelta(days=number),
            status="solved",
            satisfaction="good" if number % 4 else "bad",
            has_metrics=True,
            replies=number % 3,
            reply_minutes=30 * (number % 5),
            resolution_minutes=200 * (number % 7),
        )
        for number in range(1, 160)
    ]


def test_backfill_scores_each_earlier_day(tmp_path: Path) -> None:
    repository = _repository(tmp_path)
    organization = OrganizationFacts(
        7, "Acme", TODAY - timedelta(days=400), {"annual_revenue": 9e4}
    )
    repository.save_organization("acme", organization)
    repository.save_tickets("acme", 7, _tickets())
    effective = effective_settings({})
    known = (TODAY - timedelta(days=5)).date()
    fingerprint = effective.score_fingerprint
    repository.save_snapshots("acme", [SnapshotRecord(7, known, fingerprint, 12.5, "red")])

    written = backfill_history(repository, "acme", effective, TODAY)

    assert written == 89  # 90 days, one already known
    first_day = TODAY.date() - timedelta(days=90)
    snapshots = {s.day: s.score for s in repository.snapshots("acme", 7, first_day, fingerprint)}
    assert len(snapshots) == 90
    assert snapshots[known] == 12.5  # never overwritten
    day = (TODAY - timedelta(days=40)).date()
    moment = datetime.combine(day, datetime.max.time(), tzinfo=UTC)
    stored = repository.tickets("acme", 7, TODAY - timedelta(days=400))
    expected = compute_health(organization, stored, effective.settings, moment).score
    assert snapshots[day] == expected
    assert backfill_history(repository, "acme", effective, TODAY) == 0
    # Other settings score other snapshots: they get a history of their own.
    other = effective_settings({"window_days": "30"})
    assert backfill_history(repository, "acme", other, TODAY) == 90


def test_backfill_without_organizations_writes_nothing(tmp_path: Path) -> None:
    assert backfill_history(_repository(tmp_path), "acme", effective_settings({}), TODAY) == 0
