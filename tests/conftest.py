"""Shared fixtures: real SQLite files, PostgreSQL databases and Redis namespaces, one per test.

The suite runs in parallel (pytest-xdist, one test file at a time on a worker, so a module's
shared relaybot and its closing checks stay together): every database and key namespace is
named with a fresh uuid, each worker talks to a Redis database of its own, and every server a
test starts listens on a free port. Tests that need PostgreSQL or Redis are marked by the
fixtures they use, so `-m "not postgres"` leaves out exactly those.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import closing
from pathlib import Path

import pytest

from relaybot.config import Settings, load_settings
from tests.needs import need

PG_HOST = os.environ.get("RELAYBOT_TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("RELAYBOT_TEST_PG_PORT", "5432"))
PG_USER = os.environ.get("RELAYBOT_TEST_PG_USER", "postgres")
# Plugins the xdist controller must load too: it collects no tests, so reads no deeper conftest.
pytest_plugins = ["tests.hostile.tally"]
# The marks that follow from a fixture: whoever asks for it needs that server.
SERVICE_FIXTURES = {"postgres_url": "postgres", "redis_url": "redis", "redis_namespace": "redis"}
# The marks that follow from a folder: what runs there is named after it.
FOLDER_MARKS = ("chaos", "browser", "hostile")
LONGEST_FIRST = ("chaos", "hostile", "browser")
# Lines tests report with record_property("figures", ...), printed at the end of the run.
FIGURES: list[str] = []


def _worker_redis_url() -> str:
    """Redis database 0 for a plain run; under xdist, worker gwN gets database N + 1."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    database = 1 + int(worker[2:]) % 15 if worker.startswith("gw") else 0
    return f"redis://127.0.0.1:6379/{database}"


REDIS_URL = os.environ.get("RELAYBOT_TEST_REDIS_URL") or _worker_redis_url()


def pytest_itemcollected(item: pytest.Item) -> None:
    """Marks that follow from a test's fixtures and folder, set as it is collected, so that
    -m and every later hook see them."""
    for fixture, mark in SERVICE_FIXTURES.items():
        if fixture in getattr(item, "fixturenames", ()):
            item.add_marker(mark)
    root = item.config.rootpath / "tests"
    parts = item.path.relative_to(root).parts if item.path.is_relative_to(root) else ()
    if parts and parts[0] in FOLDER_MARKS:
        item.add_marker(parts[0])


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The longest tests first (the crash tests take minutes, the hostile ones tens of seconds):
    # they run while the other workers take the short tests, instead of holding up the end.
    items.sort(key=_start_order)


def _start_order(item: pytest.Item) -> tuple[int, bool]:
    """By LONGEST_FIRST; within a rank, tests that also need PostgreSQL first (the scaled-out
    crash test runs seven processes and takes longest of all)."""
    rank = next(
        (n for n, mark in enumerate(LONGEST_FIRST) if item.get_closest_marker(mark) is not None),
        len(LONGEST_FIRST),
    )
    return rank, item.get_closest_marker("postgres") is None


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call":
        FIGURES.extend(str(value) for key, value in report.user_properties if key == "figures")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """What the crash tests measured (`record_property("figures", ...)`), from every worker."""
    if FIGURES:
        terminalreporter.write_sep("-", "figures")
        for line in FIGURES:
            terminalreporter.write_line(line)


async def _pg_admin(sql: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(
        host=PG_HOST, port=PG_PORT, user=PG_USER, database="postgres", timeout=5
    )
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'relaybot.db'}"


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    name = f"relaybot_test_{uuid.uuid4().hex[:12]}"
    try:
        await _pg_admin(f'CREATE DATABASE "{name}"')
    except Exception as exc:
        need("PostgreSQL", f"{type(exc).__name__}: {exc}")
    yield f"postgresql+asyncpg://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"
    await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """Runs the test once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'relaybot.db'}"
        return
    name = f"relaybot_test_{uuid.uuid4().hex[:12]}"
    try:
        await _pg_admin(f'CREATE DATABASE "{name}"')
    except Exception as exc:
        need("PostgreSQL", f"{type(exc).__name__}: {exc}")
    yield f"postgresql+asyncpg://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"
    await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def make_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """Settings isolated from the developer's own relaybot.toml and environment."""
    monkeypatch.chdir(tmp_path)
    for key in list(os.environ):
        if key.startswith("RELAYBOT_") and not key.startswith("RELAYBOT_TEST_"):
            monkeypatch.delenv(key)

    def make(database_url: str, **overrides: object) -> Settings:
        return load_settings(None, database_url=database_url, poll_interval=0.2, **overrides)

    yield make


@pytest.fixture
async def redis_url() -> AsyncIterator[str]:
    """The real Redis server; the test gets its own key namespace (`RELAYBOT_QUEUE_NAMESPACE`)."""
    from redis.asyncio import Redis

    client = Redis.from_url(REDIS_URL, socket_connect_timeout=5)
    try:
        await client.ping()
    except Exception as exc:
        await client.aclose()
        need("Redis", f"{type(exc).__name__}: {exc}")
    yield REDIS_URL
    await client.aclose()


@pytest.fixture
async def redis_namespace(redis_url: str) -> AsyncIterator[str]:
    """A fresh key prefix, removed with everything under it after the test."""
    from redis.asyncio import Redis

    namespace = f"rbtest-{uuid.uuid4().hex[:10]}"
    yield namespace
    client = Redis.from_url(redis_url)
    try:
        keys = [key async for key in client.scan_iter(match=f"{namespace}:*", count=1000)]
        for start in range(0, len(keys), 500):
            await client.delete(*keys[start : start + 500])
    finally:
        await client.aclose()


@pytest.fixture(autouse=True)
def fresh_logging() -> Iterator[None]:
    """Each test starts with structlog's defaults and no logger cached by an earlier test.

    `relaybot` commands configure logging with `cache_logger_on_first_use`, so a module's logger
    used after a command ran in the same process would keep that configuration and bypass
    `structlog.testing.capture_logs` in every later test.
    """
    yield
    import sys

    import structlog

    structlog.reset_defaults()
    proxy = type(structlog.get_logger())
    for name, module in list(sys.modules.items()):
        if not name.startswith("relaybot"):
            continue
        for value in list(vars(module).values()):
            if isinstance(value, proxy):
                value.__dict__.pop("bind", None)


# One migrated SQLite file per set of migration folders, per worker: a test's new database is
# a copy of it instead of a run of every migration (a second or so each, hundreds of times).
_TEMPLATES: dict[tuple[Path, ...], Path] = {}


def _blank(path: Path) -> bool:
    """No database there yet, or one without a single table (only connected to so far)."""
    if not path.exists():
        return True
    with closing(sqlite3.connect(path)) as connection:
        tables: int = connection.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    return tables == 0


@pytest.fixture(autouse=True)
def migrated_from_a_template(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """In this process, migrating a blank SQLite file copies (with SQLite's backup API, safe
    beside open connections) a file that Alembic migrated once with the same folders: the
    same tables, indexes and `alembic_version`. Anything else (PostgreSQL, a database at an
    older revision, the migration tests' own Alembic calls) runs Alembic as it is."""
    from sqlalchemy.ext.asyncio import AsyncEngine

    from relaybot.store import migrate
    from relaybot.store.db import create_engine, sqlite_path

    alembic = migrate.upgrade

    async def upgrade(engine: AsyncEngine, app_dirs: Iterable[Path] = ()) -> None:
        dirs = tuple(app_dirs)
        path = sqlite_path(engine.url.render_as_string(hide_password=False))
        if path is None or not _blank(path):
            await alembic(engine, dirs)
            return
        template = _TEMPLATES.get(dirs)
        if template is None:
            template = tmp_path_factory.mktemp("template") / "relaybot.db"
            maker = create_engine(f"sqlite+aiosqlite:///{template}")
            try:
                await alembic(maker, dirs)
            finally:
                await maker.dispose()
            _TEMPLATES[dirs] = template
        if not _blank(path):  # another migration of it finished while the template was made
            await alembic(engine, dirs)
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(template)) as source:
            with closing(sqlite3.connect(path)) as target:
                source.backup(target)

    monkeypatch.setattr(migrate, "upgrade", upgrade)
