"""`customer-health demo-zendesk`: run the built-in demo Zendesk until Ctrl-C."""

from __future__ import annotations

import argparse
import threading
from typing import Any

from backend.cli.environment import NO_ENVIRONMENT
from backend.demo.app import create_demo_zendesk
from backend.demo.auth import DemoCredentials
from backend.demo.dataset import INSTALLATION_ID, generate_account
from backend.demo.faults import FaultConfig
from backend.demo.ratelimits import RateLimits
from backend.demo.server import BackgroundServer


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "demo-zendesk",
        help="run the built-in demo Zendesk (a local stand-in for the Support API)",
        description="Serve a generated Zendesk account over HTTP until Ctrl-C.",
        epilog=NO_ENVIRONMENT,
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081, help="0 picks a free port")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--organizations", type=int, default=60)
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies ticket counts")
    parser.add_argument(
        "--export-lag",
        type=int,
        default=60,
        metavar="SECONDS",
        help="the incremental exports hold back changes this recent (Zendesk: 60)",
    )
    parser.add_argument(
        "--incremental-exports",
        type=int,
        default=10,
        metavar="N",
        help="incremental export requests a minute (Zendesk: 10, 30 with High Volume)",
    )
    parser.add_argument("--fault-429", type=float, default=0.0, metavar="F")
    parser.add_argument("--fault-5xx", type=float, default=0.0, metavar="F")
    parser.add_argument("--fault-slow", type=float, default=0.0, metavar="F")
    parser.add_argument("--fault-malformed", type=float, default=0.0, metavar="F")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        faults = FaultConfig(
            rate_429=args.fault_429,
            rate_500=args.fault_5xx / 2,
            rate_503=args.fault_5xx / 2,
            rate_slow=args.fault_slow,
            rate_malformed=args.fault_malformed,
        )
    except ValueError as error:
        print(f"demo-zendesk: {error}")
        return 2
    if args.export_lag < 0 or args.incremental_exports < 1:
        print("demo-zendesk: --export-lag must be ≥ 0 and --incremental-exports ≥ 1")
        return 2
    account = generate_account(seed=args.seed, organizations=args.organizations, scale=args.scale)
    credentials = DemoCredentials()
    app = create_demo_zendesk(
        account,
        faults=faults,
        credentials=credentials,
        rate_limits=RateLimits(incremental_exports=args.incremental_exports),
        export_lag_seconds=args.export_lag,
    )
    try:
        server = BackgroundServer(app, host=args.host, port=args.port).start()
    except OSError as error:
        print(f"demo-zendesk: cannot listen on {args.host}:{args.port}: {error}")
        return 1
    print(f"Demo Zendesk '{account.subdomain}' at {server.url}")
    print(f"  organizations: {len(account.organization_ids)}, installation id: {INSTALLATION_ID}")
    print(f"  Bearer token:  {credentials.oauth_token}")
    print(f"  API token:     {credentials.email}/token:{credentials.api_token}")
    print(f"  OAuth client:  {credentials.client_id} / {credentials.client_secret}")
    print(f"  shared secret: {account.shared_secret}")
    print(f"  docs:          {server.url}/_demo/docs   (Ctrl-C to stop)")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        print("stopping")
    finally:
        server.stop()
    return 0
