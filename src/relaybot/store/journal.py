"""Rows that are only ever appended (message logs, dialog outcomes), written in bulk.

The ORM would insert them one statement per row, since it wants each new id back; nobody
needs these ids, so the worker collects the rows of a whole batch and writes each table in
one statement before it commits.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncSession

from relaybot.store.models import DialogOutcome, MessageLog
from relaybot.store.sql import table_of


class SqlJournal:
    """`Journal` for one worker transaction; `flush` before the commit."""

    def __init__(self) -> None:
        # keyed by the columns given too: one executemany needs the same columns in every row
        self._rows: dict[tuple[Table, frozenset[str]], list[dict[str, Any]]] = {}

    def add(self, model: type[Any], /, **values: Any) -> None:
        self._rows.setdefault((table_of(model), frozenset(values)), []).append(values)

    def message_logged(
        self,
        *,
        bot: str,
        chat_id: str,
        client_id: str,
        message_id: str,
        text: str,
        dialog_state: str,
        success: bool,
        error_reason: str | None,
        created_at: datetime,
    ) -> None:
        self.add(
            MessageLog,
            bot=bot,
            chat_id=chat_id,
            client_id=client_id,
            message_id=message_id,
            text=text,
            dialog_state=dialog_state,
            success=success,
            error_reason=error_reason,
            created_at=created_at,
        )

    def dialog_finished(
        self,
        *,
        bot: str,
        chat_id: str,
        flow: str,
        completed: bool,
        dropoff_state: str | None,
        reason: str,
        total_messages: int,
        duration_seconds: float,
        started_at: datetime,
        finished_at: datetime,
    ) -> None:
        self.add(
            DialogOutcome,
            bot=bot,
            chat_id=chat_id,
            flow=flow,
            completed=completed,
            dropoff_state=dropoff_state,
            reason=reason,
            total_messages=total_messages,
            duration_seconds=duration_seconds,
            started_at=started_at,
            finished_at=finished_at,
        )

    def checkpoint(self) -> Callable[[], None]:
        sizes = {key: len(rows) for key, rows in self._rows.items()}

        def undo() -> None:
            for key in list(self._rows):
                if key in sizes:
                    del self._rows[key][sizes[key] :]
                else:
                    del self._rows[key]

        return undo

    def absorb(self, other: SqlJournal) -> None:
        """Take `other`'s rows, to be written with these in the same statements."""
        for key, batch in other._rows.items():
            self._rows.setdefault(key, []).extend(batch)
        other._rows = {}

    async def flush(self, session: AsyncSession) -> None:
        rows, self._rows = self._rows, {}
        for (table, _columns), batch in rows.items():
            await session.execute(insert(table), batch)
