"""The reminders migration builds exactly the tables the models describe, on SQLite and on
PostgreSQL, and starts the engine's reading of refusals after the messages already sent."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, text

from relaybot.apps.reminders import models  # noqa: F401 - registers the tables
from relaybot.config import Settings
from relaybot.store.base import Base
from relaybot.store.db import create_engine
from relaybot.system import open_store


def _ours(diff: Any) -> bool:
    """Whether an autogenerate difference is about one of this app's tables (the metadata
    also holds the tables of every other app some earlier test imported)."""
    if isinstance(diff, list):
        return any(_ours(part) for part in diff)
    kind, *rest = diff
    if kind in ("add_table", "remove_table"):
        name = rest[0].name
    elif kind in ("add_index", "remove_index", "add_constraint", "remove_constraint"):
        name = rest[0].table.name
    else:
        name = rest[1]
    return str(name).startswith("reminders")


async def test_the_migrated_tables_match_the_models(
    make_settings: Callable[..., Settings], database_url: str
) -> None:
    async with open_store(make_settings(database_url)):
        pass  # migrates to every head, as relaybot does on start
    engine = create_engine(database_url)

    def look(connection: Connection) -> tuple[list[Any], list[Any]]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        marks = connection.execute(text("SELECT name, value FROM reminders_marks")).all()
        return [d for d in compare_metadata(context, Base.metadata) if _ours(d)], [
            tuple(m) for m in marks
        ]

    try:
        async with engine.connect() as connection:
            differences, marks = await connection.run_sync(look)
    finally:
        await engine.dispose()
    assert differences == []
    assert marks == [("refusals", 0)]
