"""`customer-health package-app`: validates the Zendesk app offline and writes the upload zip."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from backend import __version__
from backend.app_package import Author, PackageRefused, Release, write_app_package
from backend.app_package.source import app_source_folder
from backend.cli.environment import add_command
from backend.config import MIN_SHARED_SECRET_LENGTH

DEFAULT_OUT = Path("customer-health-app.zip")
DEFAULT_AUTHOR = "Customer Health for Zendesk"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = add_command(
        subparsers,
        "package-app",
        help="build the Zendesk app zip for upload",
        description=(
            "Validates the Zendesk app offline and writes the zip to upload in Zendesk, with the "
            "backend's URL as the backend_url default and its host in the domain whitelist, "
            f"this version ({__version__}) and you as the app's author."
        ),
    )
    parser.add_argument(
        "--backend-url",
        required=True,
        help="the backend's public https URL, e.g. https://health.example.com",
    )
    parser.add_argument(
        "--author-email",
        required=True,
        help="whom Zendesk admins contact about this app: the team running the backend",
    )
    parser.add_argument("--author-name", default=DEFAULT_AUTHOR, help=f"default: {DEFAULT_AUTHOR}")
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"zip to write (default: {DEFAULT_OUT})"
    )
    parser.add_argument(
        "--source",
        type=Path,
        help="the app's source folder (default: the app shipped with this version)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    source: Path = args.source or app_source_folder()
    if not (source / "manifest.json").is_file():
        print(f"error: {source}: not an app folder (no manifest.json)", file=sys.stderr)
        return 2
    if "@" not in args.author_email:
        shown = repr(args.author_email)
        print(f"error: --author-email: {shown} is not an email address", file=sys.stderr)
        return 2
    author = Author(args.author_name.strip(), args.author_email.strip(), args.backend_url.strip())
    try:
        out = write_app_package(source, args.backend_url, args.out, Release(__version__, author))
    except PackageRefused as refused:
        for problem in refused.problems:
            print(f"error: {problem}", file=sys.stderr)
        print(f"refused: {len(refused.problems)} problem(s), nothing written", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"error: {args.out}: {error.strerror or error}", file=sys.stderr)
        return 1
    print(f"wrote {out}")
    print(
        "Next: upload it in Zendesk Admin Center (Apps and integrations > Zendesk Support apps >"
        " Upload private app), and set its Shared secret to the backend's APP_SHARED_SECRET:"
        f" the same value, at least {MIN_SHARED_SECRET_LENGTH} characters"
        " (make one with: openssl rand -hex 32). The backend refuses a shorter one."
    )
    return 0
