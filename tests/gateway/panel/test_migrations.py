"""The console's tables are made by the core chain exactly as their models describe them, and
go back down cleanly."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, inspect

from relaybot.config import Settings
from relaybot.store import panel_models  # noqa: F401 - registers the tables
from relaybot.store.base import Base
from relaybot.store.db import create_engine
from relaybot.store.migrate import alembic_config
from relaybot.system import CHANNEL_MIGRATIONS, app_classes, open_store

TABLES = ("console_accounts", "console_sessions")


def _ours(diff: Any) -> bool:
    return any(f"'{table}'" in repr(diff) for table in TABLES)


async def test_the_console_tables_match_their_models(
    make_settings: Callable[..., Settings], database_url: str
) -> None:
    async with open_store(make_settings(database_url)):
        pass
    engine = create_engine(database_url)

    def differences(connection: Connection) -> list[Any]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return [d for d in compare_metadata(context, Base.metadata) if _ours(d)]

    try:
        async with engine.connect() as connection:
            found = await connection.run_sync(differences)
    finally:
        await engine.dispose()
    assert found == []


async def test_the_console_tables_go_back_down(
    make_settings: Callable[..., Settings], sqlite_url: str
) -> None:
    async with open_store(make_settings(sqlite_url)):
        pass
    engine = create_engine(sqlite_url)

    def down_and_look(connection: Connection) -> set[str]:
        apps = [d for cls in app_classes([]) if (d := cls.migrations_dir()) is not None]
        config = alembic_config(sqlite_url, [*apps, CHANNEL_MIGRATIONS])
        config.attributes["connection"] = connection
        command.downgrade(config, "0004")
        return set(inspect(connection).get_table_names())

    try:
        async with engine.begin() as connection:
            tables = await connection.run_sync(down_and_look)
    finally:
        await engine.dispose()
    assert not set(TABLES) & tables and "bots" in tables
