"""Dialog state in the `dialog_states` table, inside the worker's transaction."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from relaybot.core.app import DialogState
from relaybot.store.models import DialogStateRow
from relaybot.store.sql import table_of, upsert_insert

PREFETCH_CHUNK = 400  # keys per query: far below SQLite's limit on bound parameters
_TABLE = table_of(DialogStateRow)
_STATE_COLUMNS = ("flow", "step", "data", "started_at", "updated_at", "expires_at", "messages")

Key = tuple[str, str]


class SqlStateStorage:
    """`StateStorage` for the chats of one worker transaction: read once, written once.

    `prefetch` reads the states of a whole batch in one query; `save` and `clear` only change
    what this object knows, and `flush` writes every changed state in one upsert and one
    delete. The worker flushes before it commits, so the state still commits with the update
    it belongs to, and a batch of a hundred turns costs two statements instead of a hundred.
    """

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._known: dict[Key, DialogState | None] = {}
        self._changed: set[Key] = set()

    async def prefetch(self, keys: Iterable[Key]) -> None:
        wanted = [key for key in dict.fromkeys(keys) if key not in self._known]
        by_bot: dict[str, list[str]] = {}
        for bot, chat_id in wanted:
            by_bot.setdefault(bot, []).append(chat_id)
        for bot, chats in by_bot.items():
            for start in range(0, len(chats), PREFETCH_CHUNK):
                chunk = chats[start : start + PREFETCH_CHUNK]
                # bot = ? AND chat_id IN (...) is a primary-key search; a row-value IN list
                # would make SQLite scan the table.
                found = await self.session.execute(
                    select(_TABLE).where(_TABLE.c.bot == bot, _TABLE.c.chat_id.in_(chunk))
                )
                self._known.update(dict.fromkeys((bot, chat) for chat in chunk))
                self._known.update({(row.bot, row.chat_id): _state(row) for row in found})

    async def load(self, bot: str, chat_id: str) -> DialogState | None:
        key = (bot, chat_id)
        if key not in self._known:
            await self.prefetch([key])
        state = self._known[key]
        return None if state is None else _copy(state)

    async def save(self, bot: str, chat_id: str, state: DialogState) -> None:
        key = (bot, chat_id)
        self._known[key] = _copy(state)
        self._changed.add(key)

    async def clear(self, bot: str, chat_id: str) -> None:
        key = (bot, chat_id)
        self._known[key] = None
        self._changed.add(key)

    def take_changes(self) -> StateChanges:
        """What changed since the last take: each chat's new state, None where cleared."""
        changes = {key: self._known[key] for key in sorted(self._changed)}
        self._changed.clear()
        return changes

    async def flush(self, session: AsyncSession | None = None) -> None:
        """Write what changed since the last flush; call it before the transaction commits."""
        await write_states(session or self.session, self.take_changes())


StateChanges = dict[Key, DialogState | None]


async def write_states(session: AsyncSession, changes: StateChanges) -> None:
    """One upsert for the states saved and one delete per bot for those cleared."""
    saved: list[dict[str, Any]] = []
    cleared: dict[str, list[str]] = {}
    for key, state in changes.items():
        if state is None:
            cleared.setdefault(key[0], []).append(key[1])
        else:
            saved.append(_row(key, state))
    for bot, chats in cleared.items():
        for start in range(0, len(chats), PREFETCH_CHUNK):
            chunk = chats[start : start + PREFETCH_CHUNK]
            await session.execute(
                delete(_TABLE).where(_TABLE.c.bot == bot, _TABLE.c.chat_id.in_(chunk))
            )
    if saved:
        stmt = upsert_insert(session, _TABLE)
        stmt = stmt.on_conflict_do_update(
            index_elements=["bot", "chat_id"],
            set_={name: stmt.excluded[name] for name in _STATE_COLUMNS},
        )
        await session.execute(stmt, saved)


def _state(row: Any) -> DialogState:
    return DialogState(
        flow=row.flow,
        step=row.step,
        data=row.data,
        started_at=row.started_at,
        updated_at=row.updated_at,
        expires_at=row.expires_at,
        messages=row.messages,
    )


def _copy(state: DialogState) -> DialogState:
    """The engine changes the state it loaded in place: each side keeps its own."""
    return DialogState(
        flow=state.flow,
        step=state.step,
        data=copy.deepcopy(state.data),
        started_at=state.started_at,
        updated_at=state.updated_at,
        expires_at=state.expires_at,
        messages=state.messages,
    )


def _row(key: Key, state: DialogState) -> dict[str, Any]:
    return {
        "bot": key[0],
        "chat_id": key[1],
        "flow": state.flow,
        "step": state.step,
        "data": state.data,
        "started_at": state.started_at,
        "updated_at": state.updated_at,
        "expires_at": state.expires_at,
        "messages": state.messages,
    }
