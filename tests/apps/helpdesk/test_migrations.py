"""The help desk's Alembic branch creates exactly the tables its models describe."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, text

from relaybot.apps.helpdesk import models  # noqa: F401 - registers the tables
from relaybot.config import Settings
from relaybot.store.base import Base
from relaybot.store.db import create_engine
from relaybot.system import open_store

QUEUE_INDEX = "ix_helpdesk_demands_queue"


def _ours(diff: Any) -> bool:
    text_ = repr(diff)
    # Alembic compares an index with a DESC column only approximately; it is checked below.
    return "helpdesk_" in text_ and QUEUE_INDEX not in text_


def _queue_index(connection: Connection) -> str:
    """The queue index as the database describes it: columns in order, DESC marked."""
    if connection.dialect.name == "sqlite":
        rows = connection.execute(text(f"PRAGMA index_xinfo('{QUEUE_INDEX}')")).all()
        return ", ".join(f"{r.name}{' DESC' if r.desc else ''}" for r in rows if r.key)
    definition = connection.execute(
        text("SELECT indexdef FROM pg_indexes WHERE indexname = :name"), {"name": QUEUE_INDEX}
    ).scalar_one()
    return str(definition).split("(", 1)[1].rstrip(")")


async def test_migrated_tables_match_the_models_on_sqlite_and_postgresql(
    make_settings: Callable[..., Settings], database_url: str
) -> None:
    settings = make_settings(database_url)
    async with open_store(settings):
        pass
    engine = create_engine(database_url)

    def differences(connection: Connection) -> tuple[list[Any], str]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        found = [d for d in compare_metadata(context, Base.metadata) if _ours(d)]
        return found, _queue_index(connection)

    try:
        async with engine.connect() as connection:
            found, queue_index = await connection.run_sync(differences)
    finally:
        await engine.dispose()
    assert found == []
    assert queue_index == "status, priority DESC, created_at, id"
