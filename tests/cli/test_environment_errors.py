"""A bad environment is one line naming the variable, exit code 2, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from .support import POSTGRES, SECRET, free_port, run_cli

TENANT = {"APP_SHARED_SECRET": SECRET, "ZENDESK_SUBDOMAIN": "acme", "ZENDESK_OAUTH_TOKEN": "t"}


def _missing_database_url() -> str:
    assert POSTGRES is not None
    return make_url(POSTGRES).set(database="no_such_database").render_as_string(False)


CASES = [
    ("foo", {"DATABASE_URL": "foo"}, "error: DATABASE_URL: 'foo' is not a database URL"),
    (
        "mysql",
        {"DATABASE_URL": "mysql://u:p@127.0.0.1/db"},
        "error: DATABASE_URL: mysql databases are not supported",
    ),
    (
        "refused postgresql port",
        {"DATABASE_URL": f"postgresql://postgres@127.0.0.1:{free_port()}/test"},
        "Connection refused",
    ),
    (
        "sqlite folder missing",
        {"DATABASE_URL": "sqlite:////nonexistent-folder/health.db"},
        "error: DATABASE_URL: the folder /nonexistent-folder of the SQLite file does not exist",
    ),
    (
        "log level",
        {"LOG_LEVEL": "verbose"},
        "error: LOG_LEVEL: 'verbose' is not a log level; use one of DEBUG, INFO",
    ),
    (
        "encryption key",
        {"ENCRYPTION_KEY": "garbage"},
        "error: ENCRYPTION_KEY: must be one or more comma-separated Fernet keys",
    ),
    (
        "short secret",
        {"APP_SHARED_SECRET": "s" * 31},
        "error: APP_SHARED_SECRET: must be at least 32 characters (it has 31)",
    ),
    (
        "empty secret",
        {"APP_SHARED_SECRET": ""},
        "error: APP_SHARED_SECRET: must be at least 32 characters (it has 0)",
    ),
    ("port", {"PORT": "eighty"}, "error: PORT: 'eighty' is not a number"),
]
if POSTGRES:
    CASES.append(
        (
            "missing postgresql database",
            {"DATABASE_URL": "missing"},
            'database "no_such_database" does not exist',
        )
    )


@pytest.mark.parametrize(
    ("variables", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_serve_names_the_variable_in_one_line(
    tmp_path: Path, variables: dict[str, str], message: str
) -> None:
    if variables.get("DATABASE_URL") == "missing":
        variables = {"DATABASE_URL": _missing_database_url()}
    env = {**TENANT, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", **variables}
    result = run_cli("serve", **env)
    assert result.returncode == 2
    assert message in result.stderr
    assert "DATABASE_URL" in result.stderr or "DATABASE_URL" not in variables
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr


def test_a_password_in_the_database_url_is_never_shown() -> None:
    result = run_cli(
        "serve", **TENANT, DATABASE_URL=f"postgresql://u:hunter2@127.0.0.1:{free_port()}/db"
    )
    assert result.returncode == 2
    assert "hunter2" not in result.stderr and "***" in result.stderr


def test_a_taken_port_is_one_line(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli(
            "serve", **TENANT, DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}", PORT=str(port)
        )
    assert result.returncode == 2
    assert f"error: PORT: cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", [("tenant", "add", "acme"), ("tenant", "list"), ("migrate",)])
def test_other_commands_refuse_the_same_way(tmp_path: Path, command: tuple[str, ...]) -> None:
    result = run_cli(*command, ENCRYPTION_KEY="garbage", DATABASE_URL="foo")
    assert result.returncode == 2
    assert result.stderr.startswith("error: ")
    assert "Traceback" not in result.stderr


def test_tenant_add_refuses_a_short_secret(tmp_path: Path) -> None:
    from cryptography.fernet import Fernet

    result = run_cli(
        "tenant",
        "add",
        "acme",
        DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}",
        ENCRYPTION_KEY=Fernet.generate_key().decode(),
        APP_SHARED_SECRET="",
        ZENDESK_OAUTH_TOKEN="t",
    )
    assert result.returncode == 2
    assert "APP_SHARED_SECRET: must be at least 32 characters" in result.stderr
    assert not (tmp_path / "x.db").exists()
