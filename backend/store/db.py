"""The database engine and its schema: SQLite by default (WAL mode), PostgreSQL when
DATABASE_URL says so, brought to the newest Alembic revision by `migrate`.
"""

from __future__ import annotations

import logging
import os
import re
import stat
from pathlib import Path
from typing import Any

import orjson
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

MIGRATIONS = Path(__file__).parent / "migrations"
# Any constant works: it only has to be the same in every process that migrates.
_MIGRATION_LOCK_KEY = 0x6368_6D69_6772_7465


class DatabaseUnavailable(Exception):
    """The database cannot be reached; the message is one line naming DATABASE_URL."""


class SchemaNotCurrent(Exception):
    """The schema is not at the revision this version needs; the message says what to run."""


log = logging.getLogger(__name__)


def create_db_engine(url: str, *, schema: str | None = None) -> Engine:
    """An engine for `url`; `schema` pins PostgreSQL's search_path (tests use a schema each)."""
    parsed = make_url(url)
    connect_args: dict[str, Any] = {}
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            _create_owner_only(Path(parsed.database))
        connect_args["check_same_thread"] = False
        engine = create_engine(url, connect_args=connect_args, json_deserializer=orjson.loads)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if schema:
        connect_args["options"] = f"-csearch_path={schema}"
    return create_engine(
        url,
        connect_args=connect_args,
        pool_pre_ping=True,
        pool_size=10,
        json_deserializer=orjson.loads,  # a rescore decodes every ticket's custom fields
    )


def _create_owner_only(database: Path) -> None:
    """Create the database file readable by its owner only: it holds the tenants' sealed
    secrets and the customers' ticket data. SQLite gives its -wal and -shm files the mode of
    the database file. An existing file keeps its mode (an operator may have chosen it), with
    a warning when others can read it."""
    try:
        os.close(os.open(database, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileNotFoundError:
        return  # no such folder: connecting reports it, naming DATABASE_URL
    except FileExistsError:
        mode = stat.S_IMODE(database.stat().st_mode)
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            log.warning(
                "%s can be read by other users (mode %o); `chmod 600` it and its -wal/-shm",
                database,
                mode,
            )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the sidebar read while a fetch writes; NORMAL sync is safe under WAL.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def check_connection(engine: Engine) -> None:
    """Connect once, or raise DatabaseUnavailable with the driver's reason on one line."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        shown = engine.url.render_as_string(hide_password=True)
        raise DatabaseUnavailable(
            f"DATABASE_URL: cannot use {shown}: {_driver_reason(error)}"
        ) from None


def _driver_reason(error: SQLAlchemyError) -> str:
    """The driver's first line, e.g. 'connection to server at "h", port 5 failed: refused'."""
    original = error.orig if isinstance(error, DBAPIError) else error
    lines = [line.strip() for line in str(original).splitlines() if line.strip()]
    reason = lines[0] if lines else type(original).__name__
    reason = reason.removeprefix("connection failed: ")
    return re.sub(r"\s+", " ", reason.replace("FATAL:", ""))[:300]


def _alembic_config(connection: Connection | None = None, schema: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    config.attributes["schema"] = schema
    return config


def head_revision() -> str:
    """The newest revision of the code's migrations."""
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None, "the migrations folder has no revision"
    return head


def current_revision(engine: Engine, *, schema: str | None = None) -> str | None:
    """The revision the database is at; None for a database never migrated."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"version_table_schema": schema})
        return context.get_current_revision()


def migrate(engine: Engine, *, schema: str | None = None, revision: str = "head") -> None:
    """Bring the schema to `revision` (default the newest), safe to run from several processes
    at once: they take turns on a database lock, and whoever comes second finds nothing to do.
    """
    _require_known(current_revision(engine, schema=schema))
    with engine.begin() as connection:
        _lock_for_migration(connection)
        command.upgrade(_alembic_config(connection, schema), revision)


def _lock_for_migration(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        # Held until the migration's transaction ends (PostgreSQL's DDL is transactional).
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY})
    elif connection.dialect.name == "sqlite":
        # Take the write lock before reading the version; others wait (busy_timeout).
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def require_current_schema(engine: Engine, *, schema: str | None = None) -> None:
    """Raise SchemaNotCurrent unless the database is at the code's newest revision."""
    current, head = current_revision(engine, schema=schema), head_revision()
    if current == head:
        return
    if current is None:
        raise SchemaNotCurrent(
            "the database has no schema yet: run `customer-health migrate` first"
        )
    _require_known(current)
    raise SchemaNotCurrent(
        f"the database schema is at revision {current}, this version needs {head}: "
        "run `customer-health migrate` first"
    )


def _require_known(current: str | None) -> None:
    scripts = ScriptDirectory.from_config(_alembic_config())
    if current is not None and current not in {s.revision for s in scripts.walk_revisions()}:
        raise SchemaNotCurrent(
            f"the database is at revision {current}, which this version ({head_revision()}) "
            "does not know: it was migrated by a newer version; run that version"
        )


def prepare_schema(engine: Engine, *, schema: str | None = None) -> None:
    """At a server's start: SQLite (one process, embedded) migrates itself; PostgreSQL, shared
    by several processes, is migrated once by `customer-health migrate` and only checked here.
    """
    if is_sqlite(engine):
        _require_known(current_revision(engine, schema=schema))
        migrate(engine, schema=schema)
    else:
        require_current_schema(engine, schema=schema)


def is_reachable(engine: Engine) -> bool:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:
        return False
    return True
