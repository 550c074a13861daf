"""`customer-health sync [--full] [--tenant NAME]`: the account sync, once, with a progress bar."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeRemainingColumn
from sqlalchemy import Engine

from backend.cli.environment import (
    CREDENTIALS,
    DATABASE,
    TENANT,
    add_command,
    configure_logging,
    load_config,
    open_database,
)
from backend.config import AppConfig
from backend.service.account_sync import AccountSync, SyncProgress
from backend.service.background import SyncScheduler
from backend.service.clients import ZendeskClients
from backend.service.reports import Reports
from backend.service.settings_cache import SettingsCache
from backend.store.repository import Repository
from backend.tenants import Tenant, TenantRegistry, secret_box, tenant_from_config
from backend.zendesk.errors import ZendeskError

LEADERSHIP_POLL_SECONDS = 5.0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = add_command(
        subparsers,
        "sync",
        help="sync the account(s) into the store once, with a progress bar",
        description=(
            "What `serve` does every SYNC_INTERVAL_SECONDS, run by hand: every organization and "
            "ticket of the account into the store (a full pass the first time or with --full, "
            "else what changed since the last sync), then the daily pass that scores every "
            "organization. Safe beside running servers: one process syncs at a time."
        ),
        reads=(*TENANT, *CREDENTIALS, "ENCRYPTION_KEY", *DATABASE, "RATE_BUDGET_FRACTION"),
    )
    parser.add_argument("--full", action="store_true", help="read everything again (730 days)")
    parser.add_argument("--tenant", metavar="NAME", help="only this tenant (its subdomain)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    config = load_config()
    # The progress bar says what INFO lines would; warnings and errors still show.
    configure_logging("WARNING" if config.log_level.upper() == "INFO" else config.log_level)
    engine = open_database(config)
    return asyncio.run(_sync(config, engine, full=args.full, only=args.tenant))


async def _sync(config: AppConfig, engine: Engine, *, full: bool, only: str | None) -> int:
    repository = Repository(engine)
    registry = TenantRegistry(tenant_from_config(config), repository, secret_box(config))
    tenants = [t for t in registry.every_tenant() if only is None or t.subdomain == only.lower()]
    if not tenants:
        what = f"no tenant {only!r}" if only else "no tenant"
        print(f"error: {what}: see `customer-health tenant list`", file=sys.stderr)
        return 2
    clients = ZendeskClients(config)
    settings = SettingsCache(clients, config.settings_cache_seconds, app_id=config.zendesk_app_id)
    reports = Reports(repository, max_age=config.freshness_seconds)
    account_sync = AccountSync(repository, clients)
    scheduler = SyncScheduler(
        repository, account_sync, settings, reports, registry.every_tenant, interval=0
    )
    failed = 0
    try:
        for tenant in tenants:
            failed += not await _one(tenant, account_sync, scheduler, full=full)
    finally:
        await clients.aclose()
        engine.dispose()
    return 1 if failed else 0


async def _one(
    tenant: Tenant, account_sync: AccountSync, scheduler: SyncScheduler, *, full: bool
) -> bool:
    console = Console(stderr=True)
    if tenant.auth_kind is None:
        console.print(f"{tenant.subdomain}: skipped, no Zendesk API credentials")
        return False
    started = time.monotonic()
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TextColumn("{task.fields[tickets]:,} tickets, {task.fields[organizations]:,} orgs"),
        TextColumn("{task.fields[waits]} rate-limit waits"),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    ) as bar:
        task = bar.add_task(tenant.subdomain, total=1.0, tickets=0, organizations=0, waits=0)

        def show(progress: SyncProgress) -> None:
            _update(bar, task, progress)

        try:
            progress = await account_sync.run(tenant, full=full, on_progress=show)
        except ZendeskError as error:
            console.print(f"error: {tenant.subdomain}: sync stopped: {error}")
            console.print("The position is kept; the next sync resumes from the last stored page.")
            return False
    scored = await scheduler.daily_pass(tenant, force=True)
    print(
        f"{tenant.subdomain}: {progress.phase} pass done in {time.monotonic() - started:.1f} s: "
        f"{progress.tickets:,} tickets and {progress.organizations:,} organizations read in "
        f"{progress.pages:,} pages, {progress.rate_limit_waits} rate-limit waits "
        f"({progress.waited_seconds:.1f} s), {scored:,} organizations scored"
    )
    return True


def _update(bar: Progress, task: TaskID, progress: SyncProgress) -> None:
    bar.update(
        task,
        completed=progress.progress or 0.0,
        tickets=progress.tickets,
        organizations=progress.organizations,
        waits=progress.rate_limit_waits,
    )
