"""Writes zendesk_app/assets/ui-strings.js from the "ui" sections of translations/*.json.

Run after editing a translation file: python zendesk_app/tools/build_ui_strings.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

APP = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(APP.parent))

from backend.app_package.ui_strings import UI_STRINGS_PATH, render_ui_strings  # noqa: E402


def main() -> None:
    translations = {
        path.stem: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted((APP / "translations").glob("*.json"))
    }
    target = APP / UI_STRINGS_PATH
    target.write_text(render_ui_strings(translations), encoding="utf-8")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
