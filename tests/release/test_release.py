"""One version from one place, and package-app's zip names its operator as the author."""

from __future__ import annotations

import json
import tomllib
import zipfile
from pathlib import Path

import pytest

from backend import __version__
from backend.app_package.source import app_source_folder
from backend.cli import main

REPO = Path(__file__).resolve().parents[2]


def test_the_manifest_version_is_the_package_version() -> None:
    declared = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    manifest = json.loads((REPO / "zendesk_app/manifest.json").read_text())
    assert __version__ == declared
    assert manifest["version"] == declared


def test_package_app_stamps_the_version_and_the_operator(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "app.zip"
    code = main(
        [
            "package-app",
            "--backend-url",
            "https://health.acme.test",
            "--author-email",
            "it@acme.test",
            "--author-name",
            "Acme IT",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    with zipfile.ZipFile(out) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["version"] == __version__
    assert manifest["author"] == {
        "name": "Acme IT",
        "email": "it@acme.test",
        "url": "https://health.acme.test",
    }
    advice = capsys.readouterr().out
    assert "APP_SHARED_SECRET" in advice and "at least 32 characters" in advice


def test_package_app_needs_the_authors_email(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["package-app", "--backend-url", "https://health.acme.test"])
    assert stop.value.code == 2
    assert "--author-email" in capsys.readouterr().err
    assert main(["package-app", "--backend-url", "https://h.test", "--author-email", "x"]) == 2
    assert "error: --author-email: 'x' is not an email address" in capsys.readouterr().err


def test_the_app_source_is_found_in_this_installation() -> None:
    assert (app_source_folder() / "manifest.json").is_file()
