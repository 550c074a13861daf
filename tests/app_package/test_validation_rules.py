"""Each rule of the validator: a copy of the real app broken in exactly one way is refused,
with a message that names the file and the key."""

from __future__ import annotations

import os
import struct
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from backend.app_package import (
    PackageRefused,
    build_app_package,
    collect_app_files,
    validate_app,
)

from .conftest import BACKEND_URL, Editor

Breaker = Callable[[Path, Editor], None]


def _change_param(name: str, **changes: Any) -> Breaker:
    def change(manifest: Any) -> None:
        next(p for p in manifest["parameters"] if p["name"] == name).update(changes)

    return lambda app, edit: edit("manifest.json", change)


def _drop_key(key: str) -> Breaker:
    return lambda app, edit: edit("manifest.json", lambda m: m.pop(key))


def _set_key(key: str, value: Any) -> Breaker:
    return lambda app, edit: edit("manifest.json", lambda m: m.__setitem__(key, value))


def _set_location(name: str, value: Any) -> Breaker:
    return lambda app, edit: edit(
        "manifest.json", lambda m: m["location"]["support"].__setitem__(name, value)
    )


def _add_param(parameter: dict[str, Any]) -> Breaker:
    return lambda app, edit: edit("manifest.json", lambda m: m["parameters"].append(parameter))


def _png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\x00" + b"\x00" * 4 * width for _ in range(height)))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def _write(relative: str, data: bytes) -> Breaker:
    def breaker(app: Path, edit: Editor) -> None:
        (app / relative).write_bytes(data)

    return breaker


def _remove(relative: str) -> Breaker:
    return lambda app, edit: (app / relative).unlink()


def _symlink(app: Path, edit: Editor) -> None:
    os.symlink(app / "assets/main.css", app / "assets/linked.css")


def _drop_help_text(app: Path, edit: Editor) -> None:
    edit("translations/de.json", lambda t: t["app"]["parameters"]["hourly_cost"].pop("helpText"))


def _drop_label(app: Path, edit: Editor) -> None:
    edit("translations/en.json", lambda t: t["app"]["parameters"]["min_sample"].pop("label"))


def _drop_app_name(app: Path, edit: Editor) -> None:
    edit("translations/en.json", lambda t: t["app"].pop("name"))


def _drop_ui_key(app: Path, edit: Editor) -> None:
    edit("translations/de.json", lambda t: t["ui"].pop("retry"))


def _stale_ui_strings(app: Path, edit: Editor) -> None:
    edit("translations/en.json", lambda t: t["ui"].__setitem__("retry", "Retry now"))


def _duplicate_key(app: Path, edit: Editor) -> None:
    path = app / "manifest.json"
    path.write_text(
        path.read_text().replace('"private": true,', '"private": true, "private": true,')
    )


CASES: list[tuple[str, Breaker, str]] = [
    ("manifest-missing", _remove("manifest.json"), "manifest.json: missing"),
    ("manifest-invalid-json", _write("manifest.json", b"{"), "manifest.json: is not valid JSON"),
    ("manifest-duplicate-key", _duplicate_key, "manifest.json: duplicate key 'private'"),
    ("author-required", _drop_key("author"), "manifest.json: 'author' is required"),
    ("default-locale-required", _drop_key("defaultLocale"), "'defaultLocale' is required"),
    ("location-required", _drop_key("location"), "manifest.json: 'location' is required"),
    ("framework-version-required", _drop_key("frameworkVersion"), "'frameworkVersion' is required"),
    (
        "framework-version-2",
        _set_key("frameworkVersion", "1.0"),
        "'frameworkVersion' must be one of 2.0",
    ),
    (
        "private-boolean",
        _set_key("private", "yes"),
        "manifest.json: 'private' must be true or false",
    ),
    ("version-string", _set_key("version", 1), "manifest.json: 'version' must be a string"),
    ("no-template", _set_key("noTemplate", True), "'noTemplate' is not allowed"),
    (
        "author-email",
        lambda app, edit: edit("manifest.json", lambda m: m["author"].pop("email")),
        "manifest.json: 'author.email' is required",
    ),
    (
        "author-url",
        lambda app, edit: edit(
            "manifest.json", lambda m: m["author"].__setitem__("url", "ftp://x")
        ),
        "manifest.json: 'author.url' must be an http(s) URL",
    ),
    (
        "default-locale-pattern",
        _set_key("defaultLocale", "English"),
        "'defaultLocale' must be a locale",
    ),
    (
        "default-locale-file",
        _set_key("defaultLocale", "fr"),
        "manifest.json: 'defaultLocale' needs the file translations/fr.json",
    ),
    (
        "parameter-type",
        _change_param("window_days", type="integer"),
        "manifest.json: 'parameters.window_days' has an invalid type 'integer'",
    ),
    (
        "parameter-attribute",
        _change_param("hourly_cost", helpText="Cost"),
        "manifest.json: 'parameters.hourly_cost' has an unknown attribute 'helpText'",
    ),
    (
        "parameter-required-boolean",
        _change_param("goal_score", required="no"),
        "'parameters.goal_score' attribute 'required' must be true or false",
    ),
    (
        "parameter-secure-boolean",
        _change_param("shared_secret", secure="true"),
        "'parameters.shared_secret' attribute 'secure' must be true or false",
    ),
    (
        "parameter-unique",
        _add_param({"name": "min_sample", "type": "number"}),
        "manifest.json: 'parameters.min_sample' is defined more than once",
    ),
    (
        "parameter-named-name",
        _add_param({"name": "name", "type": "text"}),
        "manifest.json: 'parameters.name' uses the reserved name 'name'",
    ),
    (
        "hidden-not-required",
        _add_param({"name": "token_hint", "type": "hidden", "required": True}),
        "'parameters.token_hint' is hidden and so cannot be required",
    ),
    (
        "scopes-only-on-secure",
        _change_param("revenue_field", scopes=["header"]),
        "'parameters.revenue_field' has scopes but is not secure",
    ),
    (
        "scopes-allowed-list",
        _change_param("shared_secret", scopes=["jwt_secret_key", "cookie"]),
        "'parameters.shared_secret' has an invalid scope 'cookie'",
    ),
    (
        "scopes-non-empty",
        _change_param("shared_secret", scopes=[]),
        "'parameters.shared_secret' scopes must be a non-empty list",
    ),
    (
        "one-oauth-parameter",
        lambda app, edit: edit(
            "manifest.json",
            lambda m: m["parameters"].extend(
                [{"name": "o1", "type": "oauth"}, {"name": "o2", "type": "oauth"}]
            ),
        ),
        "'parameters' may contain at most one oauth parameter",
    ),
    (
        "location-name",
        _set_location("ticket_side_bar", "assets/iframe.html"),
        "manifest.json: 'location.support.ticket_side_bar' is not a valid location name",
    ),
    (
        "location-product",
        _set_key("location", {"desk": {"ticket_sidebar": "assets/iframe.html"}}),
        "manifest.json: 'location.desk' is not a known product",
    ),
    (
        "location-asset-exists",
        _set_location("ticket_sidebar", {"url": "assets/sidebar.html", "flexible": True}),
        "'location.support.ticket_sidebar.url' 'assets/sidebar.html' refers to a file missing",
    ),
    (
        "location-assets-prefix",
        _set_location("user_sidebar", "iframe.html"),
        "'location.support.user_sidebar.url' 'iframe.html' must start with assets/",
    ),
    (
        "location-https",
        _set_location("organization_sidebar", "http://health.example.org/app"),
        "'location.support.organization_sidebar.url' 'http://health.example.org/app' must use",
    ),
    (
        "location-flexible-boolean",
        _set_location("ticket_sidebar", {"url": "assets/iframe.html", "flexible": "yes"}),
        "'location.support.ticket_sidebar.flexible' must be true or false",
    ),
    (
        "location-url-required",
        _set_location("ticket_sidebar", {"flexible": True}),
        "'location.support.ticket_sidebar.url' is required when autoLoad is on",
    ),
    (
        "nav-bar-icon",
        _remove("assets/icon_nav_bar.svg"),
        "'location.support.nav_bar' needs its icon assets/icon_nav_bar.svg",
    ),
    (
        "top-bar-icon",
        _set_location("top_bar", "assets/portfolio.html"),
        "'location.support.top_bar' needs its icon assets/icon_top_bar.svg",
    ),
    (
        "nav-bar-page-exists",
        _remove("assets/portfolio.html"),
        "'location.support.nav_bar.url' 'assets/portfolio.html' refers to a file missing",
    ),
    (
        "banned-extension",
        _write("assets/install.sh", b"echo hi\n"),
        "assets/install.sh: files of type .sh",
    ),
    (
        "banned-content",
        _write("assets/data.txt", b"PK\x03\x04rest"),
        "assets/data.txt: is a zip archive",
    ),
    ("no-symlinks", _symlink, "assets/linked.css: symlinks are not allowed"),
    (
        "translation-file-name",
        _write("translations/German.json", b"{}"),
        "translations/German.json: translation files must be named",
    ),
    (
        "translation-object",
        _write("translations/fr.json", b"[]"),
        "translations/fr.json: must be a JSON object",
    ),
    ("translation-app-name", _drop_app_name, "translations/en.json: 'app.name' is required"),
    ("parameter-label", _drop_label, "translations/en.json: 'app.parameters.min_sample.label'"),
    (
        "parameter-help-text",
        _drop_help_text,
        "translations/de.json: 'app.parameters.hourly_cost.helpText' is missing",
    ),
    ("ui-keys-complete", _drop_ui_key, "translations/de.json: 'ui' lacks retry"),
    ("ui-strings-in-sync", _stale_ui_strings, "assets/ui-strings.js: is out of date"),
    ("logo-missing", _remove("assets/logo.png"), "assets/logo.png: missing (a 320×320 PNG"),
    (
        "logo-not-png",
        _write("assets/logo.png", b"GIF89a" + b"\x00" * 40),
        "assets/logo.png: is not a PNG",
    ),
    (
        "logo-size",
        _write("assets/logo-small.png", _png(64, 64)),
        "assets/logo-small.png: must be 128×128 pixels, not 64×64",
    ),
    (
        "banner-size",
        _write("assets/banner.png", _png(10, 10)),
        "assets/banner.png: must be a PNG of 830×200",
    ),
    (
        "svg-viewbox",
        _write("assets/icon_nav_bar.svg", b'<svg xmlns="http://www.w3.org/2000/svg" width="18"/>'),
        "assets/icon_nav_bar.svg: the <svg> element needs a viewBox",
    ),
]


@pytest.mark.parametrize(("breaker", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_one_broken_rule_is_refused_with_its_message(
    app_copy: Path, edit_json: Editor, breaker: Breaker, expected: str
) -> None:
    assert validate_app(collect_app_files(app_copy), backend_url=BACKEND_URL) == []
    breaker(app_copy, edit_json)
    problems = [str(p) for p in validate_app(collect_app_files(app_copy), backend_url=BACKEND_URL)]
    assert any(expected in p for p in problems), problems
    with pytest.raises(PackageRefused) as refused:
        build_app_package(app_copy, BACKEND_URL)
    assert any(expected in str(p) for p in refused.value.problems)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://health.example.org", "must use https (http is allowed for localhost only)"),
        ("health.example.org", "must be an absolute https:// URL"),
        ("https://health.example.org/?x=1", "must not have a query or fragment"),
    ],
)
def test_the_backend_url_must_be_https(app_copy: Path, url: str, expected: str) -> None:
    with pytest.raises(PackageRefused) as refused:
        build_app_package(app_copy, url)
    assert [str(p) for p in refused.value.problems] == [
        f"--backend-url: backend URL {url!r} {expected}"
    ]


@pytest.mark.parametrize(
    "url", ["http://localhost:8000", "http://127.0.0.1:8000", "https://h.example.org/x"]
)
def test_localhost_may_use_http(app_copy: Path, url: str) -> None:
    assert build_app_package(app_copy, url).startswith(b"PK")


def test_domain_whitelist_must_be_a_list_and_the_packager_sets_it(
    app_copy: Path, edit_json: Editor
) -> None:
    edit_json("manifest.json", lambda m: m.__setitem__("domainWhitelist", "a.example.com"))
    problems = [str(p) for p in validate_app(collect_app_files(app_copy))]
    assert problems == ["manifest.json: 'domainWhitelist' must be a list of host names"]
    assert build_app_package(app_copy, BACKEND_URL).startswith(b"PK")


def test_an_inactive_png_is_an_icon_too(app_copy: Path) -> None:
    (app_copy / "assets/icon_nav_bar.svg").unlink()
    (app_copy / "assets/icon_nav_bar_inactive.png").write_bytes(_png(18, 18))
    assert validate_app(collect_app_files(app_copy), backend_url=BACKEND_URL) == []


def test_hidden_files_and_unshipped_folders_are_left_out(app_copy: Path) -> None:
    (app_copy / "assets/.DS_Store").write_bytes(b"PK\x03\x04junk")  # would be banned if shipped
    (app_copy / "README.md").write_text("notes")
    names = set(collect_app_files(app_copy).files)
    assert "assets/.DS_Store" not in names and "README.md" not in names
    assert not any(n.startswith(("tests/", "tools/")) for n in names)
    assert validate_app(collect_app_files(app_copy), backend_url=BACKEND_URL) == []
