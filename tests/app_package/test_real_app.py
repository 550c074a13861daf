"""The real zendesk_app/ validates clean and packages into exactly the expected zip."""

from __future__ import annotations

import io
import json
import re
import struct
import zipfile
from pathlib import Path

from backend.app_package import build_app_package, collect_app_files, png_size, validate_app
from backend.app_package.ui_strings import render_ui_strings

from .conftest import APP_SOURCE, BACKEND_URL

EXPECTED_FILES = {
    "manifest.json",
    "translations/en.json",
    "translations/de.json",
    "assets/iframe.html",
    "assets/main.js",
    "assets/sidebar.js",
    "assets/api.js",
    "assets/render.js",
    "assets/chart.js",
    "assets/messages.js",
    "assets/format.js",
    "assets/i18n.js",
    "assets/ui-strings.js",
    "assets/main.css",
    "assets/logo.png",
    "assets/logo-small.png",
    "assets/icon_nav_bar.svg",
    "assets/portfolio.html",
    "assets/portfolio.css",
    "assets/portfolio-main.js",
    "assets/portfolio.js",
    "assets/portfolio-api.js",
    "assets/portfolio-model.js",
    "assets/portfolio-render.js",
    "assets/portfolio-charts.js",
}
DESIGN_PARAMETERS = {
    "backend_url",
    "shared_secret",
    "window_days",
    "green_threshold",
    "red_threshold",
    *(f"weight_{kpi}" for kpi in ("balance", "feedback", "touchpoints", "sla")),
    *(
        f"{kpi}_{end}"
        for kpi in ("balance", "feedback", "touchpoints", "sla")
        for end in ("good", "bad")
    ),
    "sla_first_reply_targets",
    "sla_resolution_targets",
    "revenue_field",
    "hourly_cost",
    "time_spent_field_id",
    "minutes_per_ticket",
    "minutes_per_reply",
    "goal_score",
    "min_sample",
    "onboarding_days",
    "recommendations",
    "goal_field",
    "churn_tag",
    "churn_date_field",
}


def _manifest() -> dict:
    return json.loads((APP_SOURCE / "manifest.json").read_text(encoding="utf-8"))


def test_the_real_app_validates_clean() -> None:
    assert validate_app(collect_app_files(APP_SOURCE), backend_url=BACKEND_URL) == []


def test_the_zip_holds_exactly_the_shipped_files() -> None:
    data = build_app_package(APP_SOURCE, BACKEND_URL)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
    assert names == EXPECTED_FILES
    assert not any(name.startswith(("tests/", "tools/")) or "/." in name for name in names)


def test_the_zip_carries_the_backend_host_and_url() -> None:
    data = build_app_package(APP_SOURCE, BACKEND_URL + "/")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["domainWhitelist"] == ["health.example.org"]
    backend_url = next(p for p in manifest["parameters"] if p["name"] == "backend_url")
    assert backend_url["default"] == BACKEND_URL
    assert "backend.example.com" not in json.dumps(manifest)


def test_the_zip_is_reproducible() -> None:
    assert build_app_package(APP_SOURCE, BACKEND_URL) == build_app_package(APP_SOURCE, BACKEND_URL)


def test_the_source_manifest_is_left_untouched() -> None:
    before = (APP_SOURCE / "manifest.json").read_bytes()
    build_app_package(APP_SOURCE, BACKEND_URL)
    assert (APP_SOURCE / "manifest.json").read_bytes() == before
    assert _manifest()["domainWhitelist"] == ["backend.example.com"]


def test_the_manifest_declares_every_design_setting() -> None:
    manifest = _manifest()
    parameters = {p["name"]: p for p in manifest["parameters"]}
    assert set(parameters) == DESIGN_PARAMETERS
    secret = parameters["shared_secret"]
    assert secret == {
        "name": "shared_secret",
        "type": "text",
        "secure": True,
        "scopes": ["jwt_secret_key"],
        "required": True,
    }
    assert parameters["backend_url"]["type"] == "url"
    assert parameters["backend_url"]["required"] is True
    assert parameters["recommendations"]["type"] == "multiline"
    assert "default" not in parameters["time_spent_field_id"]
    defaults = {name: p.get("default") for name, p in parameters.items()}
    assert defaults["weight_sla"] == 3 and defaults["weight_touchpoints"] == 1
    assert (defaults["feedback_good"], defaults["feedback_bad"]) == (95, 70)
    assert (defaults["balance_good"], defaults["balance_bad"]) == (70, 0)
    assert defaults["sla_first_reply_targets"] == "urgent:60,high:240,normal:480,low:1440"
    assert all(p["type"] == "number" for n, p in parameters.items() if isinstance(defaults[n], int))


def test_the_manifest_places_the_sidebar_in_three_locations_and_the_page_in_the_nav_bar() -> None:
    manifest = _manifest()
    assert manifest["frameworkVersion"] == "2.0" and manifest["private"] is True
    support = manifest["location"]["support"]
    sidebars = {"ticket_sidebar", "organization_sidebar", "user_sidebar"}
    assert set(support) == sidebars | {"nav_bar"}
    assert all(support[s] == {"url": "assets/iframe.html", "flexible": True} for s in sidebars)
    assert support["nav_bar"] == {"url": "assets/portfolio.html"}
    icon = (APP_SOURCE / "assets/icon_nav_bar.svg").read_text(encoding="utf-8")
    assert 'viewBox="0 0 18 18"' in icon and "<image" not in icon  # Zendesk draws it at 18×18


def test_the_logos_are_real_pngs_of_the_right_size() -> None:
    assert png_size((APP_SOURCE / "assets/logo.png").read_bytes()) == (320, 320)
    assert png_size((APP_SOURCE / "assets/logo-small.png").read_bytes()) == (128, 128)
    header = (APP_SOURCE / "assets/logo-small.png").read_bytes()[16:26]
    _, _, depth, colour_type = struct.unpack(">IIBB", header)
    assert (depth, colour_type) == (8, 6)  # RGBA: logo-small needs transparency


def test_both_pages_load_the_zendesk_sdk_then_their_module() -> None:
    sdk = '<script src="https://static.zdassets.com/zendesk_app_framework_sdk/2.0/zaf_sdk.min.js">'
    for page, module in (("iframe.html", "main.js"), ("portfolio.html", "portfolio-main.js")):
        html = (APP_SOURCE / "assets" / page).read_text(encoding="utf-8")
        assert sdk in html
        assert html.index(sdk) < html.index(f'<script type="module" src="{module}">')


def test_every_module_a_page_imports_is_shipped() -> None:
    shipped = set(collect_app_files(APP_SOURCE).files)
    imports = [
        (module.name, imported)
        for module in (APP_SOURCE / "assets").glob("*.js")
        for imported in re.findall(r"from '\./([\w.-]+\.js)'", module.read_text(encoding="utf-8"))
    ]
    assert ("portfolio.js", "render.js") in imports  # the page reuses the sidebar's card
    assert [pair for pair in imports if f"assets/{pair[1]}" not in shipped] == []


def test_ui_strings_module_matches_the_translations() -> None:
    translations = {
        path.stem: json.loads(path.read_text(encoding="utf-8"))
        for path in (APP_SOURCE / "translations").glob("*.json")
    }
    generated = render_ui_strings(translations)
    assert (APP_SOURCE / "assets/ui-strings.js").read_text(encoding="utf-8") == generated
    assert set(translations["de"]["ui"]) == set(translations["en"]["ui"])
    # The settings' labels come along, so card and portfolio name them as the settings page.
    label = translations["de"]["app"]["parameters"]["weight_sla"]["label"]
    assert f'"setting_weight_sla": {json.dumps(label, ensure_ascii=False)}' in generated


def test_every_parameter_help_text_states_its_default(tmp_path: Path) -> None:
    manifest = _manifest()
    for locale in ("en", "de"):
        texts = json.loads((APP_SOURCE / f"translations/{locale}.json").read_text("utf-8"))
        for parameter in manifest["parameters"]:
            help_text = texts["app"]["parameters"][parameter["name"]]["helpText"]
            default = parameter.get("default")
            if isinstance(default, int | float) and not isinstance(default, bool):
                assert f"{default:g}" in help_text, (locale, parameter["name"])
            if parameter["name"].startswith("weight_"):
                assert "0" in help_text and "3" in help_text
