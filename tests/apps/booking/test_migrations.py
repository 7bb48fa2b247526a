"""booking_0002 (Telegram usernames) and the store's sign_in_codes table match their models
on SQLite and PostgreSQL, and booking_0002 goes back down keeping the people."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, inspect, text

from relaybot.apps.booking import models  # noqa: F401 - registers the tables
from relaybot.config import Settings
from relaybot.store import chat_links, sign_in  # noqa: F401 - registers the tables
from relaybot.store.base import Base
from relaybot.store.db import create_engine
from relaybot.store.migrate import alembic_config
from relaybot.system import CHANNEL_MIGRATIONS, app_classes, open_store


def _ours(diff: Any) -> bool:
    return any(f"'{name}" in repr(diff) for name in ("booking_", "sign_in_codes'", "chat_links'"))


async def test_the_booking_tables_and_the_sign_in_codes_match_their_models(
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


async def test_usernames_go_back_down_and_the_people_stay(
    make_settings: Callable[..., Settings], sqlite_url: str
) -> None:
    async with open_store(make_settings(sqlite_url)):
        pass
    engine = create_engine(sqlite_url)

    def down_and_look(connection: Connection) -> tuple[set[str], list[Any]]:
        connection.execute(
            text(
                "INSERT INTO booking_users (name, role, username, created_at) "
                "VALUES ('Aigul', 'specialist', 'aigul_k', '2026-12-01 10:00:00+00:00')"
            )
        )
        apps = [d for cls in app_classes([]) if (d := cls.migrations_dir()) is not None]
        config = alembic_config(sqlite_url, [*apps, CHANNEL_MIGRATIONS])
        config.attributes["connection"] = connection
        command.downgrade(config, "booking@booking_0001")
        columns = {c["name"] for c in inspect(connection).get_columns("booking_users")}
        rows = list(connection.execute(text("SELECT name, role FROM booking_users")))
        return columns, rows

    try:
        async with engine.begin() as connection:
            columns, rows = await connection.run_sync(down_and_look)
    finally:
        await engine.dispose()
    assert "username" not in columns
    assert [tuple(r) for r in rows] == [("Aigul", "specialist")]
