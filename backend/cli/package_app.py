"""`customer-health package-app`: validates zendesk_app/ offline and writes the upload zip."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from backend.app_package import PackageRefused, write_app_package

DEFAULT_SOURCE = Path(__file__).resolve().parents[2] / "zendesk_app"
DEFAULT_OUT = Path("customer-health-app.zip")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "package-app",
        help="build the Zendesk app zip for upload",
        description=(
            "Validates the Zendesk app offline and writes the zip to upload in Zendesk, with the "
            "backend's URL as the backend_url default and its host in the domain whitelist."
        ),
    )
    parser.add_argument(
        "--backend-url",
        required=True,
        help="the backend's public https URL, e.g. https://health.example.com",
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"zip to write (default: {DEFAULT_OUT})"
    )
    parser.add_argument(
        "--source",
        type=Path,
        default=DEFAULT_SOURCE,
        help="the app's source folder (default: the repository's zendesk_app/)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    source: Path = args.source
    if not (source / "manifest.json").is_file():
        print(f"error: {source}: not an app folder (no manifest.json)", file=sys.stderr)
        return 2
    try:
        out = write_app_package(source, args.backend_url, args.out)
    except PackageRefused as refused:
        for problem in refused.problems:
            print(f"error: {problem}", file=sys.stderr)
        print(f"refused: {len(refused.problems)} problem(s), nothing written", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"error: {args.out}: {error.strerror or error}", file=sys.stderr)
        return 1
    print(f"wrote {out}")
    return 0
