"""`customer-health package-app`: exit codes, the written zip, one-line errors."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from backend.cli import main

from .conftest import BACKEND_URL, Editor

AUTHOR = ("--author-email", "it@example.org")


def test_writes_the_zip_and_exits_0(
    app_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "dist" / "app.zip"
    code = main(
        [
            "package-app",
            "--backend-url",
            BACKEND_URL,
            *AUTHOR,
            "--source",
            str(app_copy),
            "--out",
            str(out),
        ]
    )
    assert code == 0
    assert capsys.readouterr().out.splitlines()[0] == f"wrote {out}"
    with zipfile.ZipFile(out) as archive:
        assert json.loads(archive.read("manifest.json"))["domainWhitelist"] == [
            "health.example.org"
        ]


def test_a_broken_app_exits_1_with_one_line_per_problem(
    app_copy: Path, edit_json: Editor, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit_json("manifest.json", lambda m: m.pop("frameworkVersion"))
    (app_copy / "assets/logo.png").unlink()
    out = tmp_path / "app.zip"
    code = main(
        [
            "package-app",
            "--backend-url",
            BACKEND_URL,
            *AUTHOR,
            "--source",
            str(app_copy),
            "--out",
            str(out),
        ]
    )
    assert code == 1
    assert not out.exists()
    lines = capsys.readouterr().err.splitlines()
    assert lines == [
        "error: manifest.json: 'frameworkVersion' is required",
        "error: assets/logo.png: missing (a 320×320 PNG is required)",
        "refused: 2 problem(s), nothing written",
    ]


def test_an_http_backend_url_exits_1(
    app_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "package-app",
            *AUTHOR,
            "--backend-url",
            "http://h.example.org",
            "--source",
            str(app_copy),
            "--out",
            str(tmp_path / "a.zip"),
        ]
    )
    assert code == 1
    assert (
        "error: --backend-url: backend URL 'http://h.example.org' must use https"
        in capsys.readouterr().err
    )


def test_a_folder_without_manifest_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["package-app", "--backend-url", BACKEND_URL, *AUTHOR, "--source", str(tmp_path)])
    assert code == 2
    assert (
        capsys.readouterr().err.strip()
        == f"error: {tmp_path}: not an app folder (no manifest.json)"
    )


def test_backend_url_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["package-app"])
    assert exit_info.value.code == 2
    assert "--backend-url" in capsys.readouterr().err


def test_the_default_source_is_the_repository_app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["package-app", "--backend-url", BACKEND_URL, *AUTHOR]) == 0
    assert (tmp_path / "customer-health-app.zip").is_file()
