"""The app's string table (assets/ui-strings.js), generated from translations/*.json.

Zendesk serves only assets/ to the app's iframes, so the agent-facing strings that live in the
translation files under "ui" are bundled into a JavaScript module the app imports, together with
each setting's label from "app.parameters" as "setting_label.<name>": the portfolio page names
the settings exactly as the settings page shows them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

UI_STRINGS_PATH = "assets/ui-strings.js"
_HEADER = (
    '// Generated from translations/*.json (their "ui" sections) by\n'
    "// `python zendesk_app/tools/build_ui_strings.py`; do not edit by hand.\n"
)


SETTING_LABEL_PREFIX = "setting_label."


def _setting_labels(document: Mapping[str, object]) -> dict[str, str]:
    app = document.get("app")
    parameters = app.get("parameters") if isinstance(app, dict) else None
    if not isinstance(parameters, dict):
        return {}
    return {
        f"{SETTING_LABEL_PREFIX}{name}": entry["label"]
        for name, entry in parameters.items()
        if isinstance(entry, dict) and isinstance(entry.get("label"), str)
    }


def render_ui_strings(translations: Mapping[str, object]) -> str:
    """The module text for {locale: parsed translation file}."""
    table: dict[str, object] = {}
    for locale in sorted(translations):
        document = translations[locale]
        if isinstance(document, dict) and isinstance(document.get("ui"), dict):
            table[locale] = {**document["ui"], **_setting_labels(document)}
    body = json.dumps(table, indent=2, ensure_ascii=False, sort_keys=True)
    return f"{_HEADER}export const UI_STRINGS = {body};\n"
