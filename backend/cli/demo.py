"""`customer-health demo`: the backend, the demo Zendesk and the preview, with no account needed.

Everything a newcomer needs is set up here: a generated Zendesk account served over real HTTP,
the backend configured as its single tenant, and a preview page showing the real sidebar.
"""

from __future__ import annotations

import argparse
import os
import shlex
import time
from pathlib import Path

import uvicorn
from jose import jwt
from pydantic import SecretStr

from backend.config import AppConfig
from backend.demo import BackgroundServer, DemoCredentials, create_demo_zendesk, generate_account
from backend.demo.history import start_warm_up
from backend.demo.preview import create_preview_router
from backend.observability.logs import configure_logging
from backend.scoring import ScoringSettings

DEMO_DATABASE = Path("var/demo.sqlite3")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "demo", help="run the backend with the built-in demo Zendesk and the sidebar preview"
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000, help="backend port (default 8000)")
    parser.add_argument("--zendesk-port", type=int, default=0, help="demo Zendesk port (0: any)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--organizations", type=int, default=60)
    parser.add_argument(
        "--keep-database",
        action="store_true",
        help=f"keep {DEMO_DATABASE} from the last run (default: start fresh)",
    )
    parser.set_defaults(func=run)


def demo_token(secret: str, subdomain: str, installation_id: int, lifetime: int = 3600) -> str:
    """A token exactly as the app's signed request carries it, valid for `lifetime` seconds."""
    now = int(time.time())
    claims = {
        "iss": subdomain,
        "aud": "customer-health",
        "iat": now,
        "exp": now + lifetime,
        "installation_id": installation_id,
        "sub": "1",
    }
    return jwt.encode(claims, secret, algorithm="HS256")


def run(args: argparse.Namespace) -> int:
    configure_logging(os.environ.get("LOG_LEVEL", "INFO"))
    account = generate_account(seed=args.seed, organizations=args.organizations)
    credentials = DemoCredentials()
    database_url = os.environ.get("DATABASE_URL")
    if database_url is None:
        if not args.keep_database:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{DEMO_DATABASE}{suffix}").unlink(missing_ok=True)
        database_url = f"sqlite:///{DEMO_DATABASE}"
    zendesk = BackgroundServer(
        create_demo_zendesk(account, credentials=credentials),
        host=args.host,
        port=args.zendesk_port,
    ).start()
    backend_url = f"http://{args.host}:{args.port}"
    installation = account.installation
    config = AppConfig(
        app_shared_secret=SecretStr(account.shared_secret),
        zendesk_subdomain=account.subdomain,
        zendesk_url=zendesk.url,
        zendesk_oauth_token=SecretStr(credentials.oauth_token),
        database_url=database_url,
        host=args.host,
        port=args.port,
        rate_budget_fraction=1.0,  # the demo Zendesk serves this backend alone
    )
    from backend.api.main import create_app  # imported late: `--help` stays fast

    app = create_app(config)
    app.include_router(
        create_preview_router(
            backend_url=backend_url,
            zendesk_url=zendesk.url,
            zendesk_token=credentials.oauth_token,
            shared_secret=account.shared_secret,
            subdomain=account.subdomain,
            installation_id=installation["id"],
            settings=dict(installation["settings"]),
        )
    )
    first = account.organization_ids[0]
    token = demo_token(account.shared_secret, account.subdomain, installation["id"])
    curl = shlex.join(
        [
            "curl",
            "-H",
            f"Authorization: Bearer {token}",
            f"{backend_url}/api/v1/organizations/{first}/health",
        ]
    )
    print(
        f"""
Customer Health demo: {len(account.organization_ids)} organizations of "{account.subdomain}".
  Sidebar preview   {backend_url}/preview
  API docs          {backend_url}/docs
  Demo Zendesk      {zendesk.url}  (token {credentials.oauth_token})
  Database          {database_url}
Every organization is being fetched in the background, with 90 days of demo history.
Try the API with a signed token (valid 1 hour):
  {curl}
Press Ctrl-C to stop.
""",
        flush=True,
    )
    start_warm_up(
        backend_url,
        token,
        account.organization_ids,
        app.state.repository,
        app.state.health,
        account.subdomain,
        ScoringSettings.from_zendesk(installation["settings"])[0],
    )
    try:
        uvicorn.run(app, host=args.host, port=args.port, log_config=None)
    finally:
        zendesk.stop()
    return 0
