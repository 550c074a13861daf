"""Migrations keep data: a database made by the first revision, with rows in every table, is
upgraded step by step to head, and after each step every row written so far is still there.

The test is generic over revisions: at each revision it writes a row into every table that has
none yet (values made from the column types), so revisions added later are covered too.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import SQLModel

import backend.store.models  # noqa: F401  (registers the tables)
from backend.config import normalise_database_url
from backend.store.db import (
    MIGRATIONS,
    SchemaNotCurrent,
    create_db_engine,
    current_revision,
    head_revision,
    migrate,
    require_current_schema,
)

DATABASES = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])
SKIPPED_TABLES = {"alembic_version"}
Rows = dict[str, dict[str, Any]]


@pytest.fixture(params=DATABASES)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str | None]]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.db'}", None
        return
    url = normalise_database_url(os.environ["TEST_DATABASE_URL"])
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(url)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield url, schema
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _revisions() -> list[str]:
    """Every revision from the first to head, in order."""
    scripts = ScriptDirectory(str(MIGRATIONS))
    return [script.revision for script in reversed(list(scripts.walk_revisions()))]


def _value(column: sa.Column[Any], table: str, rows: Rows) -> Any:
    for key in column.foreign_keys:
        return rows[key.column.table.name][key.column.name]
    kind = column.type
    if isinstance(kind, sa.Boolean):
        return True
    if isinstance(kind, sa.Integer):
        return 4_200_000_000 if isinstance(kind, sa.BigInteger) else 42
    if isinstance(kind, sa.Float | sa.Numeric):
        return 12.5
    if isinstance(kind, sa.DateTime):
        return datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC if kind.timezone else None)
    if isinstance(kind, sa.Date):
        return date(2026, 3, 4)
    if isinstance(kind, sa.JSON):
        return {"kept": [1, "two"]}
    if isinstance(kind, sa.LargeBinary):
        return b"\x00sealed\xff"
    if isinstance(kind, sa.String):
        return f"{table}.{column.name}"[: kind.length or 64]
    raise AssertionError(f"{table}.{column.name}: no sample value for {kind!r}; add one here")


def _fill_new_tables(engine: sa.Engine, schema: str | None, rows: Rows) -> None:
    metadata = sa.MetaData()
    metadata.reflect(engine, schema=schema)
    with engine.begin() as connection:
        for table in metadata.sorted_tables:
            if table.name in SKIPPED_TABLES or table.name in rows:
                continue
            row = {c.name: _value(c, table.name, rows) for c in table.columns}
            connection.execute(table.insert().values(**row))
            rows[table.name] = row


def _assert_rows_kept(engine: sa.Engine, schema: str | None, rows: Rows, step: str) -> None:
    metadata = sa.MetaData()
    metadata.reflect(engine, schema=schema)
    tables = {table.name: table for table in metadata.sorted_tables}
    with engine.connect() as connection:
        for name, row in rows.items():
            assert name in tables, f"{step}: table {name} is gone with its data"
            table = tables[name]
            kept = {k: v for k, v in row.items() if k in table.columns}
            found = connection.execute(
                sa.select(sa.func.count())
                .select_from(table)
                .where(*[table.columns[k] == v for k, v in kept.items() if not _is_json(table, k)])
            ).scalar_one()
            assert found == 1, f"{step}: the row written into {name} changed or vanished"
            for key in (k for k in kept if _is_json(table, k)):
                value = connection.execute(sa.select(table.columns[key])).scalar_one()
                assert value == kept[key], f"{step}: {name}.{key} changed"


def _is_json(table: sa.Table, column: str) -> bool:
    return isinstance(table.columns[column].type, sa.JSON)


def test_every_revision_upgrades_to_head_keeping_the_data(
    database: tuple[str, str | None],
) -> None:
    url, schema = database
    engine = create_db_engine(url, schema=schema)
    rows: Rows = {}
    revisions = _revisions()
    try:
        for revision in revisions:
            migrate(engine, schema=schema, revision=revision)
            assert current_revision(engine, schema=schema) == revision
            _assert_rows_kept(engine, schema, rows, f"upgrade to {revision}")
            _fill_new_tables(engine, schema, rows)
        assert revisions[-1] == head_revision()
        assert rows, "the first revision creates no table"
        require_current_schema(engine, schema=schema)  # does not raise at head
    finally:
        engine.dispose()


def test_the_migrated_schema_matches_the_models(database: tuple[str, str | None]) -> None:
    url, schema = database
    engine = create_db_engine(url, schema=schema)
    try:
        migrate(engine, schema=schema)
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={
                    "compare_type": True,
                    # With a schema per test, PostgreSQL also shows the version table.
                    "include_name": lambda name, *_: name not in SKIPPED_TABLES,
                },
            )
            differences = compare_metadata(context, SQLModel.metadata)
    finally:
        engine.dispose()
    assert differences == [], "the models changed without a migration revision"


def test_a_server_refuses_a_postgresql_schema_behind_head(
    database: tuple[str, str | None],
) -> None:
    url, schema = database
    engine = create_db_engine(url, schema=schema)
    try:
        with pytest.raises(SchemaNotCurrent, match="run `customer-health migrate` first"):
            require_current_schema(engine, schema=schema)
        migrate(engine, schema=schema)
        require_current_schema(engine, schema=schema)
    finally:
        engine.dispose()


MIGRATE_AT_ONCE = """
import sys
from backend.store.db import create_db_engine, migrate
engine = create_db_engine(sys.argv[1], schema=sys.argv[2] or None)
migrate(engine, schema=sys.argv[2] or None)
"""


def test_several_processes_migrating_at_once_take_turns(
    database: tuple[str, str | None],
) -> None:
    url, schema = database
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", MIGRATE_AT_ONCE, url, schema or ""],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(3)
    ]
    outputs = [process.communicate(timeout=120)[0] for process in processes]
    assert [process.returncode for process in processes] == [0, 0, 0], outputs
    engine = create_db_engine(url, schema=schema)
    try:
        assert current_revision(engine, schema=schema) == head_revision()
    finally:
        engine.dispose()


def test_a_database_from_a_newer_version_is_refused(database: tuple[str, str | None]) -> None:
    url, schema = database
    engine = create_db_engine(url, schema=schema)
    try:
        migrate(engine, schema=schema)
        with engine.begin() as connection:
            connection.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
        with pytest.raises(SchemaNotCurrent, match="migrated by a newer version"):
            migrate(engine, schema=schema)
        with pytest.raises(SchemaNotCurrent, match="migrated by a newer version"):
            require_current_schema(engine, schema=schema)
    finally:
        engine.dispose()
