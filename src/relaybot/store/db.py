"""Engines for SQLite (embedded default, WAL) and PostgreSQL, with the same session API."""

from __future__ import annotations

import asyncio
import fcntl
import time
import weakref
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection, event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

SessionMaker = async_sessionmaker[AsyncSession]
"""Opens database sessions; what CLI helpers and REST routes get to read and write with."""


def sqlite_path(database_url: str) -> Path | None:
    url = make_url(database_url)
    if not url.drivername.startswith("sqlite") or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def in_use_marker(database: Path) -> Path:
    return database.with_name(database.name + ".in-use")


def mark_in_use(database_url: str) -> IO[bytes] | None:
    """While relaybot serves an SQLite file, it holds a shared lock on a file beside it: the
    sign that `relaybot restore` must not replace it. The lock goes with the process."""
    database = sqlite_path(database_url)
    if database is None:
        return None
    database.parent.mkdir(parents=True, exist_ok=True)
    marker = in_use_marker(database).open("ab")
    fcntl.flock(marker, fcntl.LOCK_SH)
    return marker


def in_use(database: Path) -> bool:
    """Whether a running relaybot holds `database` (see `mark_in_use`)."""
    marker = in_use_marker(database)
    if not marker.exists():
        return False
    with marker.open("ab") as probe:
        try:
            fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(probe, fcntl.LOCK_UN)
    return False


def create_engine(database_url: str, *, pool_size: int = 10) -> AsyncEngine:
    sqlite = database_url.startswith("sqlite")
    if sqlite:
        engine = _sqlite_engine(database_url, pool_size=pool_size)
    else:
        engine = create_async_engine(
            database_url,
            pool_size=pool_size,
            max_overflow=pool_size,
            pool_pre_ping=True,
        )
    _watch_writes_and_time(engine, begin_at_first_write=sqlite)
    return engine


def _sqlite_engine(database_url: str, *, pool_size: int) -> AsyncEngine:
    path = sqlite_path(database_url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    # Readers never wait in WAL mode, so a connection per concurrent reader pays; an
    # in-memory database is one connection (SQLAlchemy's own pool for it) or nothing.
    sizing: dict[str, Any] = (
        {} if path is None else {"pool_size": pool_size, "max_overflow": 0, "pool_timeout": 60}
    )
    engine = create_async_engine(database_url, connect_args={"timeout": 30}, **sizing)

    # pysqlite's own transaction handling breaks SAVEPOINT; take it over. A transaction
    # begins at its first write, with the write lock (BEGIN IMMEDIATE): reads before it see
    # the latest commit and hold nothing, so a worker that is still thinking (or waiting on
    # another service) does not keep the gateway from storing webhooks, and two writers
    # queue on busy_timeout instead of failing to upgrade a stale snapshot.
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # Only a new file takes this (before its first table): retention gives pages back.
        cursor.execute("PRAGMA auto_vacuum=INCREMENTAL")
        cursor.execute("PRAGMA journal_mode=WAL")
        # NORMAL in WAL mode survives a killed process; only an OS crash may lose the last commit.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return engine


_WRITE_VERBS = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER")
_WROTE = "relaybot_wrote"
_store_seconds: weakref.WeakKeyDictionary[asyncio.Task[Any], float] = weakref.WeakKeyDictionary()


def _writes(statement: str, context: Any) -> bool:
    if context is not None and (context.isinsert or context.isupdate or context.isdelete):
        return True
    return statement.lstrip()[:7].upper().startswith(_WRITE_VERBS)


def _watch_writes_and_time(engine: AsyncEngine, *, begin_at_first_write: bool) -> None:
    """Note on each connection whether its transaction wrote, and how long each task waited
    on the database: what the worker needs to group commits and to find slow handlers. On
    SQLite (`begin_at_first_write`) the first write, or a SAVEPOINT, opens the transaction
    with the write lock (see `_sqlite_engine`)."""

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _started(
        conn: Connection, cursor: Any, statement: str, _p: Any, context: Any, _many: bool
    ) -> None:
        writes = _writes(statement, context)
        if writes:
            conn.info[_WROTE] = True
        opens = begin_at_first_write and (writes or statement.startswith("SAVEPOINT"))
        if opens and not conn.connection.driver_connection.in_transaction:  # type: ignore[union-attr]
            cursor.execute("BEGIN IMMEDIATE")
        conn.info["relaybot_started"] = time.perf_counter()

    @event.listens_for(engine.sync_engine, "after_cursor_execute")
    def _finished(conn: Connection, *_args: Any) -> None:
        started = conn.info.pop("relaybot_started", None)
        task = _current_task()
        if started is not None and task is not None:
            _store_seconds[task] = _store_seconds.get(task, 0.0) + time.perf_counter() - started

    @event.listens_for(engine.sync_engine, "handle_error")
    def _failed(context: Any) -> None:
        conn = context.connection
        if conn is not None and not (conn.invalidated or conn.closed):
            conn.info.pop("relaybot_started", None)

    for name in ("begin", "commit", "rollback"):
        event.listen(engine.sync_engine, name, _forget_writes)


def _forget_writes(conn: Connection) -> None:
    if conn.invalidated or conn.closed:  # nothing to forget, and `info` would raise
        return
    conn.info.pop(_WROTE, None)


def _current_task() -> asyncio.Task[Any] | None:
    try:
        return asyncio.current_task()
    except RuntimeError:  # no running loop: a synchronous caller
        return None


async def wrote(session: AsyncSession) -> bool:
    """Whether `session`'s transaction has written anything yet."""
    if not session.in_transaction():
        return False
    connection = await session.connection()
    return bool(connection.info.get(_WROTE))


async def write_lock(session: AsyncSession) -> None:
    """Take SQLite's write lock now, for a transaction whose reads decide what it writes (a
    claim: two claimers must not both read the same free rows). PostgreSQL needs nothing
    here: such reads say FOR UPDATE SKIP LOCKED."""
    connection = await session.connection()
    if connection.dialect.name != "sqlite":
        return
    raw = await connection.get_raw_connection()
    if not raw.driver_connection.in_transaction:  # type: ignore[union-attr]
        await connection.exec_driver_sql("BEGIN IMMEDIATE")


def store_seconds() -> float:
    """Seconds the current task has spent waiting on the database so far."""
    task = _current_task()
    return 0.0 if task is None else _store_seconds.get(task, 0.0)


def session_maker(engine: AsyncEngine) -> SessionMaker:
    return async_sessionmaker(engine, expire_on_commit=False)
