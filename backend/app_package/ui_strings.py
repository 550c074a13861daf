"""The sidebar's string table (assets/ui-strings.js), generated from translations/*.json.

Zendesk serves only assets/ to the app's iframe, so the agent-facing strings that live in the
translation files under "ui" are bundled into a JavaScript module the sidebar imports, with
each setting's label from "app.parameters" as `setting_<name>`: the sidebar names a setting
to admins exactly as the settings page does.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

UI_STRINGS_PATH = "assets/ui-strings.js"
_HEADER = (
    '// Generated from translations/*.json (their "ui" sections and setting labels) by\n'
    "// `python zendesk_app/tools/build_ui_strings.py`; do not edit by hand.\n"
)


def render_ui_strings(translations: Mapping[str, object]) -> str:
    """The module text for {locale: parsed translation file}."""
    table: dict[str, object] = {}
    for locale in sorted(translations):
        document = translations[locale]
        if isinstance(document, dict) and isinstance(document.get("ui"), dict):
            table[locale] = {**_setting_labels(document), **document["ui"]}
    body = json.dumps(table, indent=2, ensure_ascii=False, sort_keys=True)
    return f"{_HEADER}export const UI_STRINGS = {body};\n"


def _setting_labels(document: Mapping[str, object]) -> dict[str, str]:
    app = document.get("app")
    parameters = app.get("parameters") if isinstance(app, dict) else None
    if not isinstance(parameters, dict):
        return {}
    return {
        f"setting_{name}": parameter["label"]
        for name, parameter in parameters.items()
        if isinstance(parameter, dict) and isinstance(parameter.get("label"), str)
    }
