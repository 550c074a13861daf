"""Servers as an operator starts them: migrate then serve (several workers), and the demo."""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from backend.cli.token import sign_token
from backend.config import normalise_database_url
from backend.demo import BackgroundServer, RateLimits, create_demo_zendesk, generate_account

from .support import CLI, POSTGRES, SECRET, environment, free_port, run_cli, stop, wait_until_up

DATABASES = ["sqlite"] + (["postgresql"] if POSTGRES else [])


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A new SQLite file, or a new PostgreSQL database (the CLI takes no schema), dropped after."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'health.db'}"
        return
    assert POSTGRES is not None
    name = f"test_cli_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(normalise_database_url(POSTGRES), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.engine.make_url(POSTGRES).set(database=name).render_as_string(False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="module")
def zendesk() -> Iterator[tuple[BackgroundServer, int, str]]:
    account = generate_account(seed=7, organizations=4)
    app = create_demo_zendesk(account, rate_limits=RateLimits(account=100_000))
    with BackgroundServer(app) as server:
        yield server, account.organization_ids[0], account.subdomain


def test_migrate_then_two_workers_serve(
    database_url: str, zendesk: tuple[BackgroundServer, int, str], tmp_path: Path
) -> None:
    server, organization, subdomain = zendesk
    env = {
        "APP_SHARED_SECRET": SECRET,
        "ZENDESK_SUBDOMAIN": subdomain,
        "ZENDESK_URL": server.url,
        "ZENDESK_OAUTH_TOKEN": "demo-oauth-token",
        "DATABASE_URL": database_url,
    }
    if database_url.startswith("postgresql"):
        refused = run_cli("serve", **env)
        assert refused.returncode == 2
        assert "run `customer-health migrate` first" in refused.stderr
    migrated = run_cli("migrate", **env)
    assert migrated.returncode == 0, migrated.stderr
    assert "migrated from revision none to" in migrated.stdout
    assert "already at revision" in run_cli("migrate", **env).stdout
    port = free_port()
    process = subprocess.Popen(
        [CLI, "serve", "--workers", "2"],
        env=environment(**env, PORT=str(port)),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_up(f"{url}/healthz", process)
        token = sign_token(SECRET, subdomain, 1001)
        with httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
            answers = [
                client.get(f"{url}/api/v1/organizations/{organization}/health").status_code
                for _ in range(6)
            ]
        assert set(answers) <= {200, 202} and 200 in answers
    finally:
        output = stop(process)
    assert output.count("Application startup complete") == 2, output
    assert "Traceback" not in output


@pytest.fixture
def running_demo(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    port = free_port()
    process = subprocess.Popen(
        [CLI, "demo", "--organizations", "3"],
        cwd=tmp_path,
        env=environment(PORT=str(port)),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/healthz", process)
        yield port, tmp_path
    finally:
        stop(process)


def test_demo_listens_on_port_from_the_environment(running_demo: tuple[int, Path]) -> None:
    port, _ = running_demo
    assert httpx.get(f"http://127.0.0.1:{port}/preview").status_code == 200


@pytest.mark.parametrize("same_port", [True, False], ids=["same port", "another port"])
def test_a_second_demo_in_the_folder_leaves_the_first_ones_database(
    running_demo: tuple[int, Path], same_port: bool
) -> None:
    port, folder = running_demo
    database = folder / "var/demo.sqlite3"
    before = database.stat().st_ino
    second = run_cli("demo", cwd=folder, PORT=str(port if same_port else free_port()))
    assert second.returncode == 2
    expected = f"cannot listen on 127.0.0.1:{port}" if same_port else "another demo is running"
    assert expected in second.stderr
    assert "Traceback" not in second.stderr
    assert database.stat().st_ino == before
    assert httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=30).status_code == 200
