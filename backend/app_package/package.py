"""Builds the upload zip: the validated app with the backend's host filled into the manifest."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from backend.app_package.files import MANIFEST, AppFiles, collect_app_files
from backend.app_package.validation import Problem, load_json, validate_app

PLACEHOLDER_HOST = "backend.example.com"
# A fixed timestamp makes the zip byte-for-byte reproducible.
_ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)


class PackageRefused(Exception):
    """The package breaks at least one rule; `problems` lists them all."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def normalise_backend_url(url: str) -> str:
    return url.strip().rstrip("/")


@dataclass(frozen=True)
class Author:
    """Who runs this installation of the app: Zendesk shows it to admins as the app's author."""

    name: str
    email: str
    url: str | None = None


@dataclass(frozen=True)
class Release:
    """What `package-app` stamps into the manifest: the package's version and the operator."""

    version: str
    author: Author | None = None


def with_backend(app: AppFiles, backend_url: str, release: Release | None = None) -> AppFiles:
    """The app with `backend_url` as the backend_url default and its host whitelisted, and the
    release's version and author when given.
    """
    try:
        manifest = load_json(app.files[MANIFEST])
    except (KeyError, ValueError):
        return app  # the validator reports what is wrong with the manifest
    if not isinstance(manifest, dict):
        return app
    manifest["domainWhitelist"] = [urlsplit(backend_url).hostname or ""]
    if release is not None:
        manifest["version"] = release.version
    if release is not None and release.author is not None:
        author = release.author
        manifest["author"] = {"name": author.name, "email": author.email}
        if author.url:
            manifest["author"]["url"] = author.url
    for parameter in manifest.get("parameters") or []:
        if isinstance(parameter, dict) and parameter.get("name") == "backend_url":
            parameter["default"] = backend_url
    text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    return AppFiles(files={**app.files, MANIFEST: text.encode("utf-8")}, symlinks=app.symlinks)


def zip_bytes(app: AppFiles) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, data in sorted(app.files.items()):
            info = zipfile.ZipInfo(path, date_time=_ZIP_TIMESTAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def build_app_package(source: Path, backend_url: str, release: Release | None = None) -> bytes:
    """The upload zip for `source`, or PackageRefused with every problem found."""
    url = normalise_backend_url(backend_url)
    app = with_backend(collect_app_files(source), url, release)
    problems = validate_app(app, backend_url=url)
    if problems:
        raise PackageRefused(problems)
    return zip_bytes(app)


def write_app_package(
    source: Path, backend_url: str, out: Path, release: Release | None = None
) -> Path:
    """Validates, then writes the zip to `out` (nothing is written when refused)."""
    data = build_app_package(source, backend_url, release)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    return out
