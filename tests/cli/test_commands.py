"""The commands an operator meets in the first hour: help, version, token, tenant, migrate."""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from jose import jwt

from backend import __version__
from backend.api.signed_requests import verify
from backend.cli import build_parser, main
from backend.cli.serve import READS as SERVE_READS
from backend.tenants import Tenant

from .support import SECRET, run_cli

# What each command reads from the environment: its --help must name every one.
READS = {
    "serve": SERVE_READS,
    "migrate": ("DATABASE_URL",),
    "demo": ("HOST", "PORT", "DATABASE_URL"),
    "token": ("APP_SHARED_SECRET", "ZENDESK_SUBDOMAIN", "DATABASE_URL", "ENCRYPTION_KEY"),
    "tenant add": ("APP_SHARED_SECRET", "ZENDESK_OAUTH_TOKEN", "ENCRYPTION_KEY", "DATABASE_URL"),
    "tenant list": ("DATABASE_URL",),
    "tenant remove": ("DATABASE_URL",),
}


def _subcommands(parser: argparse.ArgumentParser, prefix: str = "") -> dict[str, str]:
    """Every leaf command's name and --help text."""
    found: dict[str, str] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.update(_subcommands(sub, f"{prefix}{name} "))
    return found or {prefix.strip(): parser.format_help()}


def test_version_is_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == f"customer-health {__version__}"
    assert __version__ != "0+unknown"


def test_every_help_names_the_environment_variables_it_reads() -> None:
    helps = _subcommands(build_parser())
    assert set(READS) <= set(helps)
    for command, text in helps.items():
        assert "environment variables read:" in text, command
        for variable in READS.get(command, ()):
            assert variable in text, f"{command} --help does not name {variable}"


@pytest.fixture
def registered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A database with tenant 'beta' registered; the environment points at it."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'tenants.db'}")
    monkeypatch.setenv("ENCRYPTION_KEY", Fernet.generate_key().decode())
    monkeypatch.setenv("APP_SHARED_SECRET", SECRET)
    monkeypatch.setenv("ZENDESK_OAUTH_TOKEN", "token")
    assert main(["tenant", "add", "beta", "--zendesk-url", "http://127.0.0.1:9"]) == 0
    monkeypatch.delenv("APP_SHARED_SECRET")
    monkeypatch.delenv("ZENDESK_OAUTH_TOKEN")
    return "beta"


def _verified(token: str, subdomain: str) -> int | None:
    tenant = Tenant(subdomain, "http://127.0.0.1:9", "oauth_token", SECRET)
    return verify(token, {subdomain: tenant}.get).installation_id


def test_token_signs_for_the_environments_tenant(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("APP_SHARED_SECRET", SECRET)
    monkeypatch.setenv("ZENDESK_SUBDOMAIN", "acme")
    capsys.readouterr()
    assert main(["token", "--installation", "1001", "--lifetime", "600"]) == 0
    token = capsys.readouterr().out.strip()
    assert _verified(token, "acme") == 1001
    claims = jwt.get_unverified_claims(token)
    assert claims["exp"] - claims["iat"] == 600 and claims["aud"] == "customer-health"


def test_token_signs_for_a_registered_tenant(
    registered: str, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["token", "--tenant", registered, "--installation", "7"]) == 0
    assert _verified(capsys.readouterr().out.strip(), registered) == 7


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--tenant", "nobody", "--installation", "7"], "no tenant 'nobody' is registered"),
        (["--installation", "7"], "name the tenant: --tenant SUBDOMAIN"),
        (["--tenant", "beta", "--installation", "7", "--lifetime", "7200"], "--lifetime"),
    ],
    ids=["unknown tenant", "no tenant named", "too long"],
)
def test_token_refusals_are_one_line(
    registered: str, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    capsys.readouterr()
    assert main(["token", *args]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_tenant_remove_asks_first(
    registered: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", _Terminal("n\n"))
    assert main(["tenant", "remove", registered]) == 1
    assert "nothing removed" in capsys.readouterr().out
    assert main(["tenant", "list"]) == 0 and registered in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", _Terminal("yes\n"))
    assert main(["tenant", "remove", registered]) == 0
    assert main(["tenant", "list"]) == 0 and "no tenants registered" in capsys.readouterr().out


def test_tenant_remove_without_a_terminal_needs_yes(registered: str, tmp_path: Path) -> None:
    import os

    env = {k: os.environ[k] for k in ("DATABASE_URL", "ENCRYPTION_KEY")}
    refused = run_cli("tenant", "remove", registered, **env)
    assert refused.returncode == 2
    assert "add --yes to confirm" in refused.stderr
    assert run_cli("tenant", "remove", registered, "--yes", **env).returncode == 0
