"""The Zendesk app package: collecting, validating offline and zipping zendesk_app/."""

from backend.app_package.files import AppFiles, collect_app_files
from backend.app_package.package import (
    Author,
    PackageRefused,
    Release,
    build_app_package,
    with_backend,
    write_app_package,
)
from backend.app_package.validation import Problem, check_backend_url, png_size, validate_app

__all__ = [
    "AppFiles",
    "Author",
    "PackageRefused",
    "Problem",
    "Release",
    "build_app_package",
    "check_backend_url",
    "collect_app_files",
    "png_size",
    "validate_app",
    "with_backend",
    "write_app_package",
]
