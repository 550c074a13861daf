"""`customer-health demo`: the backend, the demo Zendesk and the preview, with no account needed.

Everything a newcomer needs is set up here: a generated Zendesk account served over real HTTP,
the backend configured as its single tenant, and a preview page showing the real sidebar.
"""

from __future__ import annotations

import argparse
import os
import shlex
from pathlib import Path

from filelock import FileLock, Timeout
from pydantic import SecretStr

from backend.cli.environment import (
    add_command,
    configure_logging,
    fail,
    load_config,
    open_database,
)
from backend.cli.listening import listen, run_server
from backend.cli.token import sign_token
from backend.demo import (
    BackgroundServer,
    DemoCredentials,
    RateLimits,
    create_demo_zendesk,
    generate_account,
)
from backend.demo.history import start_warm_up
from backend.demo.preview import create_preview_router
from backend.service.settings_cache import effective_settings

DEMO_DATABASE = Path("var/demo.sqlite3")
# Held while a demo runs, so a second one in the same folder never deletes the database in use.
DEMO_LOCK = Path("var/demo.lock")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = add_command(
        subparsers,
        "demo",
        help="run the backend with the built-in demo Zendesk and the sidebar preview",
        description=(
            "Run the backend with the built-in demo Zendesk and the sidebar preview: no account "
            f"needed. Without DATABASE_URL the demo keeps its data in {DEMO_DATABASE}, fresh "
            "on every start unless --keep-database."
        ),
        reads=("HOST", "PORT", "DATABASE_URL", "LOG_LEVEL"),
    )
    parser.add_argument("--host", help="interface to bind (default: HOST or 127.0.0.1)")
    parser.add_argument("--port", type=int, help="backend port (default: PORT or 8000)")
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
    return sign_token(secret, subdomain, installation_id, lifetime=lifetime)


def _own_database(keep: bool) -> tuple[str, FileLock]:
    """The demo's SQLite URL, locked for this process; fresh unless `keep`."""
    DEMO_DATABASE.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(DEMO_LOCK)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        fail(
            f"another demo is running in this folder and uses {DEMO_DATABASE}; stop it first, "
            "or run this one with its own DATABASE_URL"
        )
    if not keep:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{DEMO_DATABASE}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{DEMO_DATABASE}", lock


def run(args: argparse.Namespace) -> int:
    overrides = {k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None}
    environment = load_config(**overrides)  # one-line errors for a bad environment, first
    configure_logging(environment.log_level)
    host, port = environment.host, environment.port
    # The port first: a taken one must not cost the running demo its database.
    sock = listen(host, port, hint="is a demo already running? Set PORT (make demo PORT=8001)")
    lock = None
    database_url = os.environ.get("DATABASE_URL")
    if database_url is None:
        database_url, lock = _own_database(args.keep_database)
    account = generate_account(seed=args.seed, organizations=args.organizations)
    credentials = DemoCredentials()
    zendesk = BackgroundServer(
        # Real Zendesk allows 10 export calls a minute (a first pass of this account would take
        # five minutes); the demo serves this backend alone, so a newcomer sees it in seconds.
        create_demo_zendesk(
            account, credentials=credentials, rate_limits=RateLimits(incremental_exports=600)
        ),
        host=host,
        port=args.zendesk_port,
    ).start()
    backend_url = f"http://{host}:{port}"
    installation = account.installation
    config = load_config(
        app_shared_secret=SecretStr(account.shared_secret),
        zendesk_subdomain=account.subdomain,
        zendesk_url=zendesk.url,
        zendesk_oauth_token=SecretStr(credentials.oauth_token),
        database_url=database_url,
        host=host,
        port=port,
        rate_budget_fraction=1.0,  # the demo Zendesk serves this backend alone
    )

    # The demo is one process, so it migrates its database itself (also a PostgreSQL one).
    open_database(config, prepare=False, migrate=True).dispose()
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
  Portfolio page    {backend_url}/preview/portfolio
  API docs          {backend_url}/docs
  Demo Zendesk      {zendesk.url}  (token {credentials.oauth_token})
  Database          {database_url}
The account sync reads every organization now; 90 days of demo history follow.
Try the API with a signed token (valid 1 hour):
  {curl}
Press Ctrl-C to stop.
""",
        flush=True,
    )
    start_warm_up(
        app.state.repository,
        app.state.reports,
        account.subdomain,
        effective_settings(installation["settings"]),
    )
    try:
        run_server(app, sock, log_level=config.log_level)
    finally:
        zendesk.stop()
        if lock is not None:
            lock.release()
    return 0
