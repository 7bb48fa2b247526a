"""Dialog state in the `dialog_states` table, inside the worker's transaction."""

from __future__ import annotations

import copy
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import flag_modified

from relaybot.core.app import DialogState
from relaybot.store.models import DialogStateRow

PREFETCH_CHUNK = 400  # keys per query: far below SQLite's limit on bound parameters


class SqlStateStorage:
    """`StateStorage` over the session the worker opened for the update (or the batch).

    `prefetch` reads the states of a whole batch in one query; rows it found, and keys it did
    not find, are then answered without another round trip.
    """

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._rows: dict[tuple[str, str], DialogStateRow | None] = {}

    async def prefetch(self, keys: Iterable[tuple[str, str]]) -> None:
        wanted = list(dict.fromkeys(keys))
        by_bot: dict[str, list[str]] = {}
        for bot, chat_id in wanted:
            by_bot.setdefault(bot, []).append(chat_id)
        for bot, chats in by_bot.items():
            for start in range(0, len(chats), PREFETCH_CHUNK):
                chunk = chats[start : start + PREFETCH_CHUNK]
                # bot = ? AND chat_id IN (...) is a primary-key search; a row-value IN list
                # would make SQLite scan the table.
                found = await self.session.scalars(
                    select(DialogStateRow).where(
                        DialogStateRow.bot == bot, DialogStateRow.chat_id.in_(chunk)
                    )
                )
                self._rows.update(dict.fromkeys((bot, chat) for chat in chunk))
                self._rows.update({(row.bot, row.chat_id): row for row in found})

    async def _row(self, bot: str, chat_id: str) -> DialogStateRow | None:
        key = (bot, chat_id)
        if key in self._rows:
            return self._rows[key]
        row = await self.session.get(DialogStateRow, key)
        self._rows[key] = row
        return row

    async def load(self, bot: str, chat_id: str) -> DialogState | None:
        row = await self._row(bot, chat_id)
        if row is None:
            return None
        return DialogState(
            flow=row.flow,
            step=row.step,
            data=copy.deepcopy(row.data),
            started_at=row.started_at,
            updated_at=row.updated_at,
            expires_at=row.expires_at,
            messages=row.messages,
        )

    async def save(self, bot: str, chat_id: str, state: DialogState) -> None:
        row = await self._row(bot, chat_id)
        if row is None:
            row = DialogStateRow(bot=bot, chat_id=chat_id)
            self.session.add(row)
            self._rows[(bot, chat_id)] = row
        row.flow = state.flow
        row.step = state.step
        row.data = copy.deepcopy(state.data)
        flag_modified(row, "data")
        row.started_at = state.started_at
        row.updated_at = state.updated_at
        row.expires_at = state.expires_at
        row.messages = state.messages

    async def clear(self, bot: str, chat_id: str) -> None:
        row = await self._row(bot, chat_id)
        if row is not None:
            await self.session.delete(row)
            self._rows[(bot, chat_id)] = None
