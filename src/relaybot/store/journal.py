"""Rows that are only ever appended (message logs, dialog outcomes), written in bulk.

The ORM would insert them one statement per row, since it wants each new id back; nobody
needs these ids, so the worker collects the rows of a whole batch and writes each table in
one statement before it commits.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncSession

from relaybot.store.sql import table_of


class SqlJournal:
    """`Journal` for one worker transaction; `flush` before the commit."""

    def __init__(self) -> None:
        # keyed by the columns given too: one executemany needs the same columns in every row
        self._rows: dict[tuple[Table, frozenset[str]], list[dict[str, Any]]] = {}

    def add(self, model: type[Any], /, **values: Any) -> None:
        self._rows.setdefault((table_of(model), frozenset(values)), []).append(values)

    async def flush(self, session: AsyncSession) -> None:
        rows, self._rows = self._rows, {}
        for (table, _columns), batch in rows.items():
            await session.execute(insert(table), batch)
