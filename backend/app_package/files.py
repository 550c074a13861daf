"""The files of a Zendesk app package: what is shipped from a source folder, and nothing else."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

MANIFEST = "manifest.json"
SHIPPED_FOLDERS = ("assets", "translations")


@dataclass(frozen=True)
class AppFiles:
    """Shipped files by package path ("assets/logo.png"), plus symlinks found among them."""

    files: Mapping[str, bytes]
    symlinks: tuple[str, ...] = ()


def _hidden(relative: str) -> bool:
    return any(part.startswith(".") for part in relative.split("/"))


def collect_app_files(source: Path) -> AppFiles:
    """manifest.json, translations/ and assets/ of `source`; dotfiles and everything else stay."""
    files: dict[str, bytes] = {}
    symlinks: list[str] = []
    manifest = source / MANIFEST
    if manifest.is_symlink():
        symlinks.append(MANIFEST)
    elif manifest.is_file():
        files[MANIFEST] = manifest.read_bytes()
    for folder in SHIPPED_FOLDERS:
        top = source / folder
        if top.is_symlink():
            symlinks.append(folder)
            continue
        for directory, subdirectories, names in os.walk(top):
            base = Path(directory)
            for name in sorted(subdirectories + names):
                path = base / name
                relative = path.relative_to(source).as_posix()
                if _hidden(relative):
                    continue
                if path.is_symlink():
                    symlinks.append(relative)
                elif path.is_file():
                    files[relative] = path.read_bytes()
            # Never descend into hidden or symlinked folders.
            subdirectories[:] = [
                d for d in subdirectories if not d.startswith(".") and not (base / d).is_symlink()
            ]
    return AppFiles(files=dict(sorted(files.items())), symlinks=tuple(sorted(symlinks)))
