"""Small dialect helpers so the same statements run on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


def upsert_insert(session: AsyncSession, table: Any) -> Any:
    """An INSERT that understands `on_conflict_do_nothing/update` for the session's backend."""
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def table_of(model: Any) -> Table:
    """The Core table of a mapped class: bulk statements on it skip the ORM's bookkeeping."""
    return cast(Table, model.__table__)
