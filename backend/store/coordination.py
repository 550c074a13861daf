"""Several `serve` processes on one PostgreSQL behaving as one (docs/architecture.md).

What must be shared, and how PostgreSQL shares it:
- the account sync runs in exactly one process: the holder of a session advisory lock. The lock
  dies with its connection, so when that process dies another one takes over at its next try;
- one fetch per cold organization: a session advisory lock per organization; a process that
  finds it taken waits for the holder and then reads what it stored;
- each account's rate budget: its moving window in a row, changed under `SELECT … FOR UPDATE`,
  timed by the database's clock so the processes agree whatever their hosts' clocks say;
- the app's settings: the installation list read from Zendesk is kept in a row, so one process
  refreshes it per TTL and the others read it.
SQLite is the single-process embedded default: every piece has a local stand-in needing none.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import anyio
from anyio import to_thread
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError

from backend.zendesk.ratelimit import (
    COUNTED_SECONDS,
    WINDOW_SECONDS,
    MemoryWindows,
    WindowStore,
)

log = logging.getLogger(__name__)

LOCK_POLL_SECONDS = 0.2
_PAUSE_BUCKET = "*"


def advisory_key(name: str) -> int:
    """A stable signed 64-bit key for pg_advisory_lock from a readable name."""
    return int.from_bytes(
        hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True
    )


class Locks(Protocol):
    def hold(self, name: str) -> AbstractAsyncContextManager[bool]:
        """Hold the lock `name`; yields True when it was free, False after waiting for another
        holder (who did the work the lock guards: read its result instead of redoing it)."""
        ...


class LocalLocks:
    """One process: the in-process single-flight is all there is; the lock is always free."""

    @asynccontextmanager
    async def hold(self, name: str) -> AsyncIterator[bool]:
        yield True


class PostgresLocks:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @asynccontextmanager
    async def hold(self, name: str) -> AsyncIterator[bool]:
        key = advisory_key(name)
        connection = await to_thread.run_sync(self._engine.connect)
        try:
            free = await to_thread.run_sync(_try_lock, connection, key)
            first = free
            while not free:  # polled, so a cancelled request never leaves a thread waiting
                await anyio.sleep(LOCK_POLL_SECONDS)
                free = await to_thread.run_sync(_try_lock, connection, key)
            yield first
        finally:
            await to_thread.run_sync(_unlock_and_close, connection, key)


def _try_lock(connection: Connection, key: int) -> bool:
    result = connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar()
    connection.commit()
    return bool(result)


def _unlock_and_close(connection: Connection, key: int) -> None:
    try:
        connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
        connection.commit()
    except Exception as error:  # the connection is gone: so is the lock
        log.debug("advisory unlock failed: %s", error)
    finally:
        connection.close()


# Only the holder runs the account sync: an async context manager yielding whether we lead.
Leadership = Callable[[], AbstractAsyncContextManager[bool]]


@asynccontextmanager
async def always_leader() -> AsyncIterator[bool]:
    yield True


class PostgresLeadership:
    """The account sync's leader: whoever holds the advisory lock `name` on a connection it
    keeps. Leadership lasts until the process (or its connection) dies."""

    def __init__(self, engine: Engine, name: str = "customer-health:account-sync") -> None:
        self._engine = engine
        self._key = advisory_key(name)
        self._connection: Connection | None = None

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[bool]:
        yield await to_thread.run_sync(self._lead)

    def _lead(self) -> bool:
        if self._connection is not None:
            try:
                self._connection.execute(text("SELECT 1"))
                self._connection.commit()
                return True
            except Exception as error:
                log.warning("lost the account sync's leadership: %s", error)
                self.release()
        connection = self._engine.connect()
        if _try_lock(connection, self._key):
            log.info("this process runs the account sync")
            self._connection = connection
            return True
        connection.close()
        return False

    def release(self) -> None:
        if self._connection is not None:
            _unlock_and_close(self._connection, self._key)
            self._connection = None


class PostgresWindows:
    """Every process's requests to an account in one moving window per bucket (module doc)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._local = MemoryWindows()  # this process's knowledge of pauses, for paused_for

    async def try_acquire(
        self, account: str, bucket: str, limit: int, pace: float | None
    ) -> float | None:
        try:
            return await to_thread.run_sync(self._try_acquire, account, bucket, limit, pace)
        except SQLAlchemyError as error:
            # Without the database the processes cannot share the window: each keeps its own
            # rather than stopping every call to Zendesk.
            log.warning("shared rate window unavailable, counting in this process: %s", error)
            return await self._local.try_acquire(account, bucket, limit, pace)

    def _try_acquire(
        self, account: str, bucket: str, limit: int, pace: float | None
    ) -> float | None:
        with self._engine.begin() as connection:
            now = float(connection.execute(_DATABASE_CLOCK).scalar_one())
            paused = _row(connection, account, _PAUSE_BUCKET, lock=False)
            row = _row(connection, account, bucket, lock=True)
            # What any process last learned from Zendesk beats this process's assumption.
            if row["limit_per_minute"]:
                limit = int(row["limit_per_minute"])
                pace = None if pace is None else WINDOW_SECONDS / limit
            sent = [t for t in json.loads(row["sent"]) if t > now - COUNTED_SECONDS]
            retry_at = max(now, float(paused["paused_until"]))
            if pace is not None:
                retry_at = max(retry_at, float(row["paced_until"]))
            if len(sent) >= limit:
                retry_at = max(retry_at, sent[len(sent) - limit] + COUNTED_SECONDS)  # oldest first
            if retry_at > now:
                return retry_at - now
            sent.append(now)
            connection.execute(
                text(
                    "UPDATE rate_windows SET sent = :sent, paced_until = :paced "
                    "WHERE account = :a AND bucket = :b"
                ),
                {
                    "sent": json.dumps(sent),
                    "paced": now + pace if pace is not None else row["paced_until"],
                    "a": account,
                    "b": bucket,
                },
            )
            return None

    def pause(self, account: str, seconds: float) -> None:
        self._local.pause(account, seconds)
        threading.Thread(
            target=self._pause, args=(account, seconds), name="rate-pause", daemon=True
        ).start()

    def _pause(self, account: str, seconds: float) -> None:
        try:
            with self._engine.begin() as connection:
                _row(connection, account, _PAUSE_BUCKET, lock=True)
                connection.execute(
                    text(
                        "UPDATE rate_windows SET paused_until = greatest(paused_until, "
                        "extract(epoch FROM clock_timestamp()) + :s) "
                        "WHERE account = :a AND bucket = :b"
                    ),
                    {"s": seconds, "a": account, "b": _PAUSE_BUCKET},
                )
        except Exception as error:  # this process still pauses; the others learn from Zendesk
            log.warning("sharing a rate-limit pause failed: %s", error)

    def paused_for(self, account: str) -> float:
        return self._local.paused_for(account)

    def learn(self, account: str, bucket: str, limit: int) -> None:
        threading.Thread(
            target=self._learn, args=(account, bucket, limit), name="rate-learn", daemon=True
        ).start()

    def _learn(self, account: str, bucket: str, limit: int) -> None:
        try:
            with self._engine.begin() as connection:
                _row(connection, account, bucket, lock=True)
                connection.execute(
                    text(
                        "UPDATE rate_windows SET limit_per_minute = :l "
                        "WHERE account = :a AND bucket = :b"
                    ),
                    {"l": limit, "a": account, "b": bucket},
                )
        except Exception as error:  # the others keep their own assumption until they learn
            log.warning("sharing a learned rate limit failed: %s", error)


_DATABASE_CLOCK = text("SELECT extract(epoch FROM clock_timestamp())")
_WINDOW = (
    "SELECT sent, paced_until, paused_until, limit_per_minute FROM rate_windows "
    "WHERE account = :a AND bucket = :b"
)
_NEW_WINDOW = text(
    "INSERT INTO rate_windows (account, bucket, sent, paced_until, paused_until) "
    "VALUES (:a, :b, '[]', 0, 0) ON CONFLICT DO NOTHING"
)


def _row(connection: Connection, account: str, bucket: str, *, lock: bool) -> dict[str, Any]:
    query = text(_WINDOW + (" FOR UPDATE" if lock else ""))
    params = {"a": account, "b": bucket}
    row = connection.execute(query, params).mappings().first()
    if row is None:
        connection.execute(_NEW_WINDOW, params)
        row = connection.execute(query, params).mappings().one()
    return dict(row)


class SharedInstallations(Protocol):
    """The account's installation list as one process last read it from Zendesk."""

    async def load(self, tenant: str) -> tuple[datetime, list[dict[str, Any]]] | None: ...

    async def save(self, tenant: str, installations: list[dict[str, Any]]) -> None: ...


class PostgresInstallations:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    async def load(self, tenant: str) -> tuple[datetime, list[dict[str, Any]]] | None:
        def read() -> tuple[datetime, list[dict[str, Any]]] | None:
            with self._engine.connect() as connection:
                row = connection.execute(
                    text("SELECT read_at, body FROM installation_lists WHERE tenant = :t"),
                    {"t": tenant},
                ).first()
            if row is None:
                return None
            body = row[1] if isinstance(row[1], list) else json.loads(row[1])
            return row[0].astimezone(UTC), body

        return await to_thread.run_sync(read)

    async def save(self, tenant: str, installations: list[dict[str, Any]]) -> None:
        def write() -> None:
            with self._engine.begin() as connection:
                connection.execute(
                    text(
                        "INSERT INTO installation_lists (tenant, read_at, body) "
                        "VALUES (:t, clock_timestamp(), CAST(:b AS JSON)) ON CONFLICT (tenant) "
                        "DO UPDATE SET read_at = excluded.read_at, body = excluded.body"
                    ),
                    {"t": tenant, "b": json.dumps(installations)},
                )

        await to_thread.run_sync(write)


@dataclass(frozen=True, slots=True)
class Coordination:
    """What the processes of one deployment share; local stand-ins for SQLite."""

    windows: WindowStore | None
    locks: Locks
    leadership: Leadership
    installations: SharedInstallations | None

    def release(self) -> None:
        if isinstance(self.leadership, PostgresLeadership):
            self.leadership.release()


def coordination_for(engine: Engine) -> Coordination:
    if engine.dialect.name == "postgresql":
        return Coordination(
            PostgresWindows(engine),
            PostgresLocks(engine),
            PostgresLeadership(engine),
            PostgresInstallations(engine),
        )
    return Coordination(None, LocalLocks(), always_leader, None)
