"""Shared fixtures: real SQLite files and real PostgreSQL databases, one per test."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from relaybot.config import Settings, load_settings

PG_HOST = os.environ.get("RELAYBOT_TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("RELAYBOT_TEST_PG_PORT", "5432"))
PG_USER = os.environ.get("RELAYBOT_TEST_PG_USER", "postgres")
REDIS_URL = os.environ.get("RELAYBOT_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
IN_CI = os.environ.get("CI", "").lower() == "true"


def _need(service: str, reason: str) -> None:
    """A missing service skips on a laptop and fails in CI (style guide, habit 8)."""
    message = f"{service} is not reachable: {reason}"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


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
        _need("PostgreSQL", f"{type(exc).__name__}: {exc}")
    yield f"postgresql+asyncpg://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"
    await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgres"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """Runs the test once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'relaybot.db'}"
        return
    name = f"relaybot_test_{uuid.uuid4().hex[:12]}"
    try:
        await _pg_admin(f'CREATE DATABASE "{name}"')
    except Exception as exc:
        _need("PostgreSQL", f"{type(exc).__name__}: {exc}")
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
        _need("Redis", f"{type(exc).__name__}: {exc}")
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
