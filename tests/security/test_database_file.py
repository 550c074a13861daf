"""The backend's SQLite database holds sealed secrets and ticket data: owner-only files."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from backend.api.main import create_app
from backend.config import AppConfig
from backend.store.db import create_db_engine


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    """umask 0: without care every new file would be readable and writable by everyone."""
    previous = os.umask(0)
    yield
    os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("permissive_umask")
def test_the_database_and_its_wal_and_shm_are_owner_only(tmp_path: Path) -> None:
    database = tmp_path / "health.db"
    app = create_app(AppConfig(database_url=f"sqlite:///{database}"))  # migrates: writes
    files = [database, Path(f"{database}-wal"), Path(f"{database}-shm")]
    assert all(f.exists() for f in files)
    assert {f.name: oct(_mode(f)) for f in files} == {f.name: "0o600" for f in files}
    app.state.repository.engine.dispose()


def test_an_existing_readable_database_is_kept_and_warned_about(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    database = tmp_path / "shared.db"
    database.touch()
    database.chmod(0o640)
    create_db_engine(f"sqlite:///{database}").dispose()
    assert _mode(database) == 0o640
    assert "can be read by other users (mode 640)" in caplog.text
