"""The background server helper and the `demo-zendesk` command."""

from __future__ import annotations

import socket

import httpx
import pytest

from backend.cli import build_parser
from backend.demo import BackgroundServer, DemoAccount, create_demo_zendesk

from .conftest import BEARER


def test_servers_bind_ephemeral_ports_and_stop_cleanly(fresh_account: DemoAccount) -> None:
    app = create_demo_zendesk(fresh_account)
    with BackgroundServer(app) as first, BackgroundServer(app) as second:
        assert first.port != second.port
        for server in (first, second):
            assert server.url.startswith("http://127.0.0.1:")
            assert httpx.get(f"{server.url}/api/v2/users/me", headers=BEARER).status_code == 200
        port = first.port
    # Stopped: nothing accepts connections on the port any more.
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0
    first.stop()  # stopping twice is harmless


def test_cli_registers_demo_zendesk() -> None:
    args = build_parser().parse_args(
        ["demo-zendesk", "--port", "0", "--seed", "3", "--fault-5xx", "0.2", "--scale", "2"]
    )
    assert args.port == 0 and args.seed == 3 and args.fault_5xx == 0.2 and args.scale == 2.0
    assert args.host == "127.0.0.1" and args.organizations == 60
    # Zendesk's own export behaviour unless told otherwise.
    assert args.export_lag == 60 and args.incremental_exports == 10


@pytest.mark.parametrize(
    "options",
    [
        ["--fault-429", "0.8", "--fault-5xx", "0.8"],
        ["--export-lag", "-1"],
        ["--incremental-exports", "0"],
    ],
)
def test_cli_rejects_impossible_options(options: list[str]) -> None:
    args = build_parser().parse_args(["demo-zendesk", *options])
    assert args.func(args) == 2
