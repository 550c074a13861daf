"""`customer-health migrate`: bring the database to the newest schema, once per upgrade."""

from __future__ import annotations

import argparse

from backend.cli.environment import add_command, fail, load_config, open_database
from backend.store.db import SchemaNotCurrent, current_revision, head_revision, migrate


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = add_command(
        subparsers,
        "migrate",
        help="bring the database to the newest schema (run once before starting servers)",
        description=(
            "Apply the schema migrations this version brings. Safe to run again, and from "
            "several places at once: they take turns and later ones find nothing to do."
        ),
        reads=("DATABASE_URL", "LOG_LEVEL"),
    )
    parser.set_defaults(func=run)


def run(_args: argparse.Namespace) -> int:
    engine = open_database(load_config(), prepare=False)
    try:
        before = current_revision(engine)
        migrate(engine)
        after = current_revision(engine)
    except SchemaNotCurrent as error:
        fail(str(error))
    finally:
        engine.dispose()
    if before == after:
        print(f"database already at revision {after} (newest: {head_revision()})")
    else:
        print(f"database migrated from revision {before or 'none'} to {after}")
    return 0
