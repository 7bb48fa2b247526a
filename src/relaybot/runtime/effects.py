"""What handling updates changes, gathered in memory and written in one go at the commit.

A handler's replies, calls, dialog states and journal rows wait until its update commits. The
worker then writes them, with the processed marks and the chats' rows, either in the handler's
own transaction (when the app wrote rows of its own, which must commit with them) or in one
group commit together with the other chats handled at the same time: a handful of statements
and one commit for many updates.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from relaybot.config import BotConfig
from relaybot.core.calls import result_of
from relaybot.runtime.calls import record_calls
from relaybot.runtime.queue import InboundQueue, QueuedUpdate
from relaybot.store.db import SessionMaker
from relaybot.store.dialogs import StateChanges, write_states
from relaybot.store.journal import SqlJournal
from relaybot.store.models import Chat, OutboxMessage
from relaybot.store.sql import table_of, upsert_insert


class Conflict(Exception):
    """Some of the updates were marked processed by somebody else meanwhile."""


@dataclass
class Effects:
    done: list[QueuedUpdate] = field(default_factory=list)
    """Updates handled: each gets its processed mark."""
    dropped: list[QueuedUpdate] = field(default_factory=list)
    """Updates for a bot this process does not know."""
    spoke: list[QueuedUpdate] = field(default_factory=list)
    """Updates from people, whose chat rows are touched."""
    states: StateChanges = field(default_factory=dict)
    journal: SqlJournal = field(default_factory=SqlJournal)
    outbox: list[dict[str, Any]] = field(default_factory=list)
    calls: list[dict[str, Any]] = field(default_factory=list)
    outcomes: list[tuple[QueuedUpdate, str]] = field(default_factory=list)

    def absorb(self, other: Effects) -> None:
        """Take `other`'s effects (another chat's) to be written with these."""
        self.done += other.done
        self.dropped += other.dropped
        self.spoke += other.spoke
        self.states.update(other.states)
        self.journal.absorb(other.journal)
        self.outbox += other.outbox
        self.calls += other.calls
        self.outcomes += other.outcomes


class EffectsWriter:
    """Writes `Effects` inside a transaction; the marks first, so a repeat changes nothing."""

    def __init__(self, queue: InboundQueue, bots: Mapping[str, BotConfig]) -> None:
        self.queue = queue
        self.bots = bots

    async def __call__(self, session: AsyncSession, effects: Effects) -> None:
        fresh = await self.queue.mark_processed_many(session, effects.done)
        if len(fresh) != len({item.ref for item in effects.done}):
            raise Conflict("an update was processed by somebody else meanwhile")
        for item in effects.dropped:
            await self.queue.mark_processed(session, item, status="dropped", error="unknown bot")
        await self._touch_chats(session, effects.spoke)
        await write_states(session, effects.states)
        await effects.journal.flush(session)
        if effects.outbox:
            await session.execute(insert(table_of(OutboxMessage)), effects.outbox)
        await record_calls(session, effects.calls)

    async def _touch_chats(self, session: AsyncSession, items: Sequence[QueuedUpdate]) -> None:
        """One upsert for the chats of `items`: seen now, not blocked, name as last given.

        A call's result is not the person speaking: it leaves their chat row as it was."""
        latest = {
            (i.update.bot, i.update.chat_id): i.update for i in items if result_of(i.update) is None
        }
        if not latest:
            return
        now = datetime.now(UTC)
        rows = [
            {
                "bot": bot,
                "chat_id": chat_id,
                "channel": self.bots[bot].channel,
                "user_id": upd.user_id,
                "user_name": upd.user_name,
                "language": upd.language,
                "first_seen": now,
                "last_seen": now,
                "blocked_at": None,
            }
            for (bot, chat_id), upd in latest.items()
        ]
        table = table_of(Chat)
        stmt = upsert_insert(session, table)
        stmt = stmt.on_conflict_do_update(
            index_elements=["bot", "chat_id"],
            set_={
                "last_seen": stmt.excluded.last_seen,
                "blocked_at": None,
                "user_name": stmt.excluded.user_name,
            },
        )
        await session.execute(stmt, rows)


class GroupCommit:
    """Effects handed in while a commit is under way share the next transaction.

    The same idea as the gateway's `IngestBatcher`: one commit costs about the same for one
    chat's turn or a hundred, so chats finishing close together pay for one. When the shared
    transaction fails, every chat in it learns of the failure and handles its updates again
    on its own.
    """

    def __init__(
        self,
        sessions: SessionMaker,
        write: Callable[[AsyncSession, Effects], Awaitable[None]],
    ) -> None:
        self.sessions = sessions
        self.write = write
        self._pending: list[tuple[Effects, asyncio.Future[None]]] = []
        self._flusher: asyncio.Task[None] | None = None

    async def commit(self, effects: Effects) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((effects, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush(), name="group commit")
        await future

    async def _flush(self) -> None:
        while self._pending:
            batch, self._pending = self._pending, []
            merged = Effects()
            for effects, _ in batch:
                merged.absorb(effects)
            try:
                async with self.sessions() as session, session.begin():
                    await self.write(session, merged)
            except Exception as exc:
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for _, future in batch:
                if not future.done():
                    future.set_result(None)
