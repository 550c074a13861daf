"""Where the Zendesk app's source folder is: inside the installed distribution, or the checkout."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from backend.app_package.files import MANIFEST

_CHECKOUT = Path(__file__).resolve().parents[2] / "zendesk_app"


def app_source_folder() -> Path:
    """The folder holding manifest.json, assets/ and translations/ of the app this version ships.

    A wheel installs it as the data-only package `zendesk_app`; an editable install and a plain
    checkout find the repository's folder.
    """
    spec = importlib.util.find_spec("zendesk_app")
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    for location in [*map(Path, locations), _CHECKOUT]:
        if (location / MANIFEST).is_file():
            return location
    raise FileNotFoundError(
        "the Zendesk app is missing from this installation (no zendesk_app/manifest.json); "
        "reinstall customer-health"
    )
