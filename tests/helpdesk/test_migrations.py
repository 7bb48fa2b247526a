"""The help desk's Alembic branch creates exactly the tables its models describe."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection

from relaybot.apps.helpdesk import models  # noqa: F401 - registers the tables
from relaybot.config import Settings
from relaybot.store.base import Base
from relaybot.store.db import create_engine
from relaybot.system import open_store


def _ours(diff: Any) -> bool:
    text = repr(diff)
    return "helpdesk_" in text


async def test_migrated_tables_match_the_models_on_sqlite_and_postgresql(
    make_settings: Callable[..., Settings], database_url: str
) -> None:
    settings = make_settings(database_url)
    async with open_store(settings):
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
