"""Fixtures: a throwaway copy of the real zendesk_app/ that each test may break in one way."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

APP_SOURCE = Path(__file__).resolve().parents[2] / "zendesk_app"
BACKEND_URL = "https://health.example.org"

Editor = Callable[[str, Callable[[Any], Any]], None]


@pytest.fixture
def app_copy(tmp_path: Path) -> Path:
    target = tmp_path / "zendesk_app"
    shutil.copytree(APP_SOURCE, target)
    return target


@pytest.fixture
def edit_json(app_copy: Path) -> Editor:
    """edit_json("manifest.json", change) rewrites one JSON file; `change` mutates it in place."""

    def edit(relative: str, change: Callable[[Any], Any]) -> None:
        path = app_copy / relative
        document = json.loads(path.read_text(encoding="utf-8"))
        change(document)  # its return value (e.g. of dict.pop) is ignored
        path.write_text(json.dumps(document, indent=2, ensure_ascii=False), encoding="utf-8")

    return edit
