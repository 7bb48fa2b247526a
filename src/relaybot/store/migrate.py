"""Apply Alembic migrations on start: the core chain plus one branch per app, to all heads."""

from __future__ import annotations

import fcntl
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncEngine

from relaybot.store.db import sqlite_path

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_ADVISORY_LOCK_ID = 0x7265_6C61  # "rela": one migrator at a time across processes


def alembic_config(database_url: str, app_dirs: Iterable[Path] = ()) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    locations = [str(MIGRATIONS_DIR / "versions"), *(str(d) for d in app_dirs)]
    config.set_main_option("version_locations", " ".join(locations))
    config.set_main_option("path_separator", "space")
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


async def upgrade(engine: AsyncEngine, app_dirs: Iterable[Path] = ()) -> None:
    config = alembic_config(engine.url.render_as_string(hide_password=False), app_dirs)
    with _file_lock(engine):
        async with engine.begin() as connection:
            await connection.run_sync(_upgrade, config)


def _upgrade(connection: Connection, config: Config) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _ADVISORY_LOCK_ID})
    config.attributes["connection"] = connection
    command.upgrade(config, "heads")


@contextmanager
def _file_lock(engine: AsyncEngine) -> Iterator[None]:
    path = sqlite_path(engine.url.render_as_string(hide_password=False))
    if path is None:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(f"{path}.migrate-lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
