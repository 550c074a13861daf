"""The `customer-health` command: one subcommand per module in this package."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from backend import __version__

# Each module exposes `register(subparsers)`; the handler it sets as `func` returns an exit code.
COMMAND_MODULES = (
    "score",
    "serve",
    "sync",
    "migrate",
    "demo",
    "tenant",
    "token",
    "package_app",
    "demo_zendesk",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="customer-health",
        description="Customer health scores for Zendesk organizations.",
        epilog="`customer-health COMMAND --help` names the environment variables it reads.",
    )
    parser.add_argument("--version", action="version", version=f"customer-health {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"backend.cli.{name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except SystemExit as stop:  # a handler's `fail(...)`: already said on stderr
        return stop.code if isinstance(stop.code, int) else 1
    return code


if __name__ == "__main__":
    sys.exit(main())
