"""An offline validator for the app package: Zendesk's own rules (zendesk_apps_support, as
summarised in the research notes) plus this product's. Every problem names its file and key.
"""

from __future__ import annotations

import json
import re
import struct
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlsplit

from backend.app_package.files import MANIFEST, AppFiles
from backend.app_package.ui_strings import UI_STRINGS_PATH, render_ui_strings

PARAMETER_TYPES: Final = (
    "text",
    "checkbox",
    "url",
    "number",
    "multiline",
    "hidden",
    "oauth",
    "mtls",
)
PARAMETER_ATTRIBUTES: Final = (
    "name",
    "type",
    "required",
    "secure",
    "default",
    "scopes",
    "allowed_domain",
)
SECURE_SCOPES: Final = (
    "header",
    "body",
    "url",
    "jwt_secret_key",
    "jwt_claim",
    "basic_auth_username",
    "basic_auth_password",
)
SUPPORT_LOCATIONS: Final = (
    "top_bar",
    "nav_bar",
    "ticket_sidebar",
    "new_ticket_sidebar",
    "user_sidebar",
    "organization_sidebar",
    "background",
    "modal",
    "ticket_editor",
    "system_top_bar",
    "custom_object_record_sidebar",
)
PRODUCTS: Final = ("support", "zendesk")
# Zendesk draws these locations as an icon (zendesk_apps_support package.rb,
# LOCATIONS_WITH_ICONS_PER_PRODUCT): assets/icon_<location>.svg or icon_<location>_inactive.png.
ICON_LOCATIONS: Final = ("top_bar", "nav_bar", "system_top_bar", "ticket_editor")
LOCATION_OPTIONS: Final = (
    "url",
    "autoLoad",
    "autoHide",
    "flexible",
    "signed",
    "size",
    "objectTypes",
    "legacy",
)
BANNED_EXTENSIONS: Final = frozenset(
    {"rar", "zip", "gz", "gzip", "pdf", "doc", "docx", "avi", "bin", "bz", "bz2", "csh", "sh"}
    | {"jar", "mp3", "mpeg", "odt", "pptx", "ppt", "xls", "xlsx", "7z", "exe"}
)
# Magic numbers of the banned archive/document types, so a renamed file is caught too.
BANNED_SIGNATURES: Final = (
    (b"PK\x03\x04", "a zip archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"%PDF", "a PDF document"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7z archive"),
    (b"BZh", "a bzip2 archive"),
    (b"MZ", "a Windows executable"),
    (b"\x7fELF", "an ELF executable"),
)
LOGOS: Final = {"assets/logo.png": (320, 320), "assets/logo-small.png": (128, 128)}
BANNER_SIZES: Final = ((830, 200), (1660, 400))
BOOLEAN_KEYS: Final = (
    "requirementsOnly",
    "marketingOnly",
    "singleInstall",
    "signedUrls",
    "private",
)
STRING_KEYS: Final = (
    "version",
    "frameworkVersion",
    "remoteInstallationURL",
    "termsConditionsURL",
    "gaID",
)
REQUIRED_KEYS: Final = ("author", "defaultLocale", "location", "frameworkVersion")
FRAMEWORK_VERSIONS: Final = ("2.0",)
LOCALE_PATTERN: Final = re.compile(r"^[a-z]{2,3}(-\w{2,3})?$")
LOCAL_HOSTS: Final = ("localhost", "127.0.0.1", "::1")
PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"
_SVG_TAG: Final = re.compile(rb"<svg\b[^>]*>", re.IGNORECASE | re.DOTALL)
_VIEWBOX: Final = re.compile(rb"\sviewBox\s*=\s*[\"'][^\"']+[\"']", re.DOTALL)


@dataclass(frozen=True)
class Problem:
    """One reason the package would be refused."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class _DuplicateKey(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise _DuplicateKey(key)
        seen[key] = value
    return seen


def load_json(data: bytes) -> Any:
    """Parses JSON, refusing duplicate keys as Zendesk does."""
    return json.loads(data.decode("utf-8"), object_pairs_hook=_no_duplicates)


def _parse(path: str, data: bytes) -> tuple[Any, Problem | None]:
    try:
        return load_json(data), None
    except _DuplicateKey as error:
        return None, Problem(path, f"duplicate key '{error}'")
    except UnicodeDecodeError:
        return None, Problem(path, "is not UTF-8 text")
    except json.JSONDecodeError as error:
        return None, Problem(path, f"is not valid JSON ({error.msg} at line {error.lineno})")


def png_size(data: bytes) -> tuple[int, int] | None:
    """Width and height from a PNG's IHDR chunk, or None if `data` is not a PNG."""
    if len(data) < 24 or not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def check_backend_url(url: str) -> str | None:
    """Why `url` cannot be the backend URL, or None: https, or http for localhost only."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return f"backend URL {url!r} must be an absolute https:// URL"
    if parts.scheme == "http" and parts.hostname not in LOCAL_HOSTS:
        return f"backend URL {url!r} must use https (http is allowed for localhost only)"
    if parts.query or parts.fragment:
        return f"backend URL {url!r} must not have a query or fragment"
    return None


def validate_app(app: AppFiles, *, backend_url: str | None = None) -> list[Problem]:
    """Every problem of the package, in a stable order; an empty list means it would pass."""
    problems: list[Problem] = []
    if backend_url is not None and (reason := check_backend_url(backend_url)):
        problems.append(Problem("--backend-url", reason))
    problems.extend(Problem(path, "symlinks are not allowed") for path in app.symlinks)
    problems.extend(_file_types(app.files))
    if MANIFEST not in app.files:
        problems.append(Problem(MANIFEST, "missing"))
        return problems
    manifest, error = _parse(MANIFEST, app.files[MANIFEST])
    if error:
        problems.append(error)
        return problems
    if not isinstance(manifest, dict):
        problems.append(Problem(MANIFEST, "must be a JSON object"))
        return problems
    problems.extend(_manifest(manifest, app.files))
    parameters = manifest.get("parameters")
    names = [
        p["name"]
        for p in (parameters if isinstance(parameters, list) else [])
        if isinstance(p, dict) and isinstance(p.get("name"), str)
    ]
    default_locale = manifest.get("defaultLocale")
    problems.extend(
        _translations(app.files, default_locale if isinstance(default_locale, str) else "", names)
    )
    problems.extend(_images(app.files))
    return problems


# --- manifest ------------------------------------------------------------------------------


def _manifest(manifest: Mapping[str, Any], files: Mapping[str, bytes]) -> Iterator[Problem]:
    def problem(key: str, message: str) -> Problem:
        return Problem(MANIFEST, f"'{key}' {message}")

    for key in REQUIRED_KEYS:
        if key not in manifest:
            yield problem(key, "is required")
    for key in BOOLEAN_KEYS:
        if key in manifest and not isinstance(manifest[key], bool):
            yield problem(key, "must be true or false")
    for key in STRING_KEYS:
        if key in manifest and not isinstance(manifest[key], str):
            yield problem(key, "must be a string")
    version = manifest.get("frameworkVersion")
    if isinstance(version, str) and version not in FRAMEWORK_VERSIONS:
        yield problem("frameworkVersion", f"must be one of {', '.join(FRAMEWORK_VERSIONS)}")
    if "noTemplate" in manifest:
        yield problem("noTemplate", "is not allowed in framework version 2.0")
    yield from _author(manifest.get("author"))
    locale = manifest.get("defaultLocale")
    if "defaultLocale" in manifest:
        if not isinstance(locale, str) or not LOCALE_PATTERN.match(locale):
            yield problem("defaultLocale", "must be a locale such as 'en' or 'pt-br'")
        elif f"translations/{locale}.json" not in files:
            yield problem("defaultLocale", f"needs the file translations/{locale}.json")
    whitelist = manifest.get("domainWhitelist")
    if whitelist is not None and not (
        isinstance(whitelist, list) and all(isinstance(d, str) for d in whitelist)
    ):
        yield problem("domainWhitelist", "must be a list of host names")
    if "location" in manifest:
        yield from _locations(manifest["location"], files)
    if "parameters" in manifest:
        yield from _parameters(manifest["parameters"])


def _author(author: object) -> Iterator[Problem]:
    if author is None:
        return
    if not isinstance(author, dict):
        yield Problem(MANIFEST, "'author' must be an object with name, email and url")
        return
    for key in ("name", "email"):
        if not isinstance(author.get(key), str) or not author[key].strip():
            yield Problem(MANIFEST, f"'author.{key}' is required and must be a string")
    if "url" in author:
        url = author["url"]
        if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https"):
            yield Problem(MANIFEST, "'author.url' must be an http(s) URL")


def _locations(locations: object, files: Mapping[str, bytes]) -> Iterator[Problem]:
    if not isinstance(locations, dict) or not locations:
        yield Problem(MANIFEST, "'location' must map a product ('support') to its locations")
        return
    for product, entries in locations.items():
        key = f"location.{product}"
        if product not in PRODUCTS:
            yield Problem(MANIFEST, f"'{key}' is not a known product (use 'support')")
            continue
        if not isinstance(entries, dict) or not entries:
            yield Problem(MANIFEST, f"'{key}' must map location names to URLs")
            continue
        for name, value in entries.items():
            where = f"{key}.{name}"
            if name not in SUPPORT_LOCATIONS:
                yield Problem(MANIFEST, f"'{where}' is not a valid location name")
                continue
            if name in ICON_LOCATIONS and not _has_icon(name, files):
                yield Problem(
                    MANIFEST,
                    f"'{where}' needs its icon assets/icon_{name}.svg (or "
                    f"icon_{name}_inactive.png); without it the app has no icon there",
                )
            options = {"url": value} if isinstance(value, str) else value
            if not isinstance(options, dict):
                yield Problem(MANIFEST, f"'{where}' must be a URL or an options object")
                continue
            for option in options:
                if option not in LOCATION_OPTIONS:
                    yield Problem(MANIFEST, f"'{where}.{option}' is not a location option")
            if "flexible" in options and not isinstance(options["flexible"], bool):
                yield Problem(MANIFEST, f"'{where}.flexible' must be true or false")
            url = options.get("url", "")
            if not isinstance(url, str):
                yield Problem(MANIFEST, f"'{where}.url' must be a string")
            elif not url.strip():
                if options.get("autoLoad", True):
                    yield Problem(MANIFEST, f"'{where}.url' is required when autoLoad is on")
            elif reason := _location_url_problem(url, files):
                yield Problem(MANIFEST, f"'{where}.url' {reason}")


def _has_icon(location: str, files: Mapping[str, bytes]) -> bool:
    return f"assets/icon_{location}.svg" in files or f"assets/icon_{location}_inactive.png" in files


def _location_url_problem(url: str, files: Mapping[str, bytes]) -> str | None:
    if "{{setting." in url:
        return None
    parts = urlsplit(url)
    if parts.scheme:
        if parts.scheme == "https" or parts.hostname == "localhost":
            return None
        return f"{url!r} must use https (or localhost)"
    if not url.startswith("assets/"):
        return f"{url!r} must start with assets/"
    if parts.path not in files:
        return f"{url!r} refers to a file missing from the package"
    return None


def _parameters(parameters: object) -> Iterator[Problem]:
    if not isinstance(parameters, list):
        yield Problem(MANIFEST, "'parameters' must be a list")
        return
    seen: set[str] = set()
    oauth = 0
    for index, parameter in enumerate(parameters):
        if not isinstance(parameter, dict):
            yield Problem(MANIFEST, f"'parameters[{index}]' must be an object")
            continue
        name = parameter.get("name")
        if not isinstance(name, str) or not name:
            yield Problem(MANIFEST, f"'parameters[{index}].name' is required")
            continue
        where = f"parameters.{name}"

        def problem(message: str, where: str = where) -> Problem:
            return Problem(MANIFEST, f"'{where}' {message}")

        if name == "name":
            yield problem("uses the reserved name 'name'")
        if name in seen:
            yield problem("is defined more than once")
        seen.add(name)
        for attribute in parameter:
            if attribute not in PARAMETER_ATTRIBUTES:
                yield problem(
                    f"has an unknown attribute '{attribute}' (labels and help texts belong in "
                    "the translations)"
                    if attribute in ("label", "helpText")
                    else f"has an unknown attribute '{attribute}'"
                )
        kind = parameter.get("type", "text")
        if kind not in PARAMETER_TYPES:
            yield problem(f"has an invalid type {kind!r} (use one of {', '.join(PARAMETER_TYPES)})")
        for flag in ("required", "secure"):
            if flag in parameter and not isinstance(parameter[flag], bool):
                yield problem(f"attribute '{flag}' must be true or false")
        if kind == "hidden" and parameter.get("required") is True:
            yield problem("is hidden and so cannot be required")
        if kind == "oauth":
            oauth += 1
            if parameter.get("secure") is True:
                yield problem("is an oauth parameter and so cannot be secure")
        if "scopes" in parameter:
            scopes = parameter["scopes"]
            if parameter.get("secure") is not True:
                yield problem("has scopes but is not secure; scopes apply to secure settings only")
            elif not isinstance(scopes, list) or not scopes:
                yield problem("scopes must be a non-empty list")
            else:
                for scope in scopes:
                    if scope not in SECURE_SCOPES:
                        yield problem(
                            f"has an invalid scope {scope!r} (use {', '.join(SECURE_SCOPES)})"
                        )
    if oauth > 1:
        yield Problem(MANIFEST, "'parameters' may contain at most one oauth parameter")


# --- translations --------------------------------------------------------------------------


def _translations(
    files: Mapping[str, bytes], default_locale: str, parameters: list[str]
) -> Iterator[Problem]:
    documents: dict[str, dict[str, Any]] = {}
    for path in sorted(p for p in files if p.startswith("translations/")):
        stem = path.removeprefix("translations/")
        if "/" in stem or not stem.endswith(".json") or not LOCALE_PATTERN.match(stem[:-5]):
            yield Problem(path, "translation files must be named translations/<locale>.json")
            continue
        document, error = _parse(path, files[path])
        if error:
            yield error
            continue
        if not isinstance(document, dict):
            yield Problem(path, "must be a JSON object")
            continue
        documents[stem[:-5]] = document
    default = documents.get(default_locale)
    if default is not None:
        app = default.get("app")
        name = app.get("name") if isinstance(app, dict) else None
        if not isinstance(name, str) or not name.strip():
            yield Problem(f"translations/{default_locale}.json", "'app.name' is required")
    for locale, document in documents.items():
        path = f"translations/{locale}.json"
        app = document.get("app")
        labels = app.get("parameters") if isinstance(app, dict) else None
        labels = labels if isinstance(labels, dict) else {}
        for key, entry in labels.items():
            if not isinstance(entry, dict) or not isinstance(entry.get("label"), str):
                yield Problem(path, f"'app.parameters.{key}.label' is required")
        for name in parameters:
            entry = labels.get(name)
            for field in ("label", "helpText"):
                text = entry.get(field) if isinstance(entry, dict) else None
                if not isinstance(text, str) or not text.strip():
                    yield Problem(path, f"'app.parameters.{name}.{field}' is missing")
    yield from _ui_strings(files, documents, default_locale)


def _ui_strings(
    files: Mapping[str, bytes], documents: Mapping[str, dict[str, Any]], default_locale: str
) -> Iterator[Problem]:
    default_ui = documents.get(default_locale, {}).get("ui")
    if isinstance(default_ui, dict):
        for locale, document in sorted(documents.items()):
            ui = document.get("ui")
            missing = sorted(set(default_ui) - set(ui if isinstance(ui, dict) else {}))
            if missing:
                yield Problem(f"translations/{locale}.json", f"'ui' lacks {', '.join(missing[:5])}")
    if UI_STRINGS_PATH not in files:
        yield Problem(UI_STRINGS_PATH, "missing; run python zendesk_app/tools/build_ui_strings.py")
    elif files[UI_STRINGS_PATH].decode("utf-8", "replace") != render_ui_strings(documents):
        yield Problem(
            UI_STRINGS_PATH,
            "is out of date with translations/*.json; run "
            "python zendesk_app/tools/build_ui_strings.py",
        )


# --- files and images ----------------------------------------------------------------------


def _file_types(files: Mapping[str, bytes]) -> Iterator[Problem]:
    for path, data in files.items():
        extension = path.rsplit(".", 1)[-1].lower() if "." in path.rsplit("/", 1)[-1] else ""
        if extension in BANNED_EXTENSIONS:
            yield Problem(path, f"files of type .{extension} are not allowed in an app package")
            continue
        for signature, kind in BANNED_SIGNATURES:
            if data.startswith(signature):
                yield Problem(path, f"is {kind}, which is not allowed in an app package")
                break


def _images(files: Mapping[str, bytes]) -> Iterator[Problem]:
    for path, (width, height) in LOGOS.items():
        if path not in files:
            yield Problem(path, f"missing (a {width}×{height} PNG is required)")
            continue
        size = png_size(files[path])
        if size is None:
            yield Problem(path, "is not a PNG file")
        elif size != (width, height):
            yield Problem(path, f"must be {width}×{height} pixels, not {size[0]}×{size[1]}")
    if "assets/banner.png" in files:
        size = png_size(files["assets/banner.png"])
        if size not in BANNER_SIZES:
            yield Problem("assets/banner.png", "must be a PNG of 830×200 or 1660×400 pixels")
    for path, data in files.items():
        if path.lower().endswith(".svg"):
            tag = _SVG_TAG.search(data)
            if tag is None:
                yield Problem(path, "is not an SVG image (no <svg> element)")
            elif not _VIEWBOX.search(tag.group(0)):
                yield Problem(path, "the <svg> element needs a viewBox attribute")
