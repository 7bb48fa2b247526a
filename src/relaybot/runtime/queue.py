"""The durable inbound queue.

The gateway answers a webhook only after `put_many` has committed. Concurrent webhook calls
share one transaction (`IngestBatcher`): a commit costs the same for one row or five hundred.
The worker marks an update processed inside the transaction that saves its effects, so a crash
at any point either keeps the update pending or has committed everything it caused.
"""

from __future__ import annotations

import asyncio
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from relaybot.core.types import Update, decode_update, encode
from relaybot.store.db import SessionMaker
from relaybot.store.models import InboundUpdate
from relaybot.store.sql import table_of, upsert_insert

PARTITIONS = 64


def partition_of(bot: str, chat_id: str) -> int:
    """A stable partition for a chat: all its updates share one lane, hence one order."""
    return zlib.crc32(f"{bot}:{chat_id}".encode()) % PARTITIONS


@dataclass
class QueuedUpdate:
    update: Update
    attempts: int
    ref: Any


@dataclass(frozen=True)
class QueueStats:
    depth: int
    oldest_age: float | None


class InboundQueue(Protocol):
    blocking: bool
    """True when `fetch` itself waits a little for new updates, so the worker need not poll."""

    async def put_many(self, updates: Sequence[Update]) -> list[bool]:
        """Store durably; True for each update that is new, False for a repeat."""
        ...

    async def fetch(self, limit: int) -> list[QueuedUpdate]:
        """The next updates to process, oldest first; one chat's updates in arrival order.

        An update handed out is not handed out again while this process has it in hand:
        until it is acknowledged (done) or released (left for later).
        """
        ...

    async def done_before(self, session: AsyncSession, items: Sequence[QueuedUpdate]) -> set[Any]:
        """The refs of `items` already processed (a delivery repeated after a crash)."""
        ...

    async def mark_processed_many(
        self, session: AsyncSession, items: Sequence[QueuedUpdate]
    ) -> set[Any]:
        """Mark `items` done in one statement; the refs of those not processed before."""
        ...

    async def mark_processed(
        self, session: AsyncSession, item: QueuedUpdate, *, status: str, error: str | None = None
    ) -> bool:
        """Inside the worker's transaction; False when it was processed already."""
        ...

    async def record_failure(self, item: QueuedUpdate, error: str) -> None: ...

    async def acknowledge(self, items: Sequence[QueuedUpdate]) -> None:
        """After the worker's commit: these are done."""
        ...

    async def release(self, items: Sequence[QueuedUpdate]) -> None:
        """Items handed out and not processed (the worker is stopping): hand them out again."""
        ...

    async def stats(self) -> QueueStats: ...

    async def close(self) -> None:
        """Let go of what this process holds (Redis: partition leases)."""
        ...


class DbQueue:
    """The inbound queue as a table, for one worker process (the embedded default)."""

    blocking = False

    def __init__(self, sessions: SessionMaker) -> None:
        self.sessions = sessions
        self._in_hand: set[int] = set()  # ids handed out, not yet acknowledged or released
        # ids let go of while a fetch was reading: it may have read them as still pending
        self._let_go_during_fetch: set[int] | None = None

    async def put_many(self, updates: Sequence[Update]) -> list[bool]:
        if not updates:
            return []
        rows: list[dict[str, Any]] = []
        seen: set[tuple[str, str]] = set()
        for upd in updates:
            key = (upd.bot, upd.update_id)
            if key in seen:
                continue
            seen.add(key)
            rows.append(
                {
                    "bot": upd.bot,
                    "update_id": upd.update_id,
                    "channel": upd.channel,
                    "chat_id": upd.chat_id,
                    "partition": partition_of(upd.bot, upd.chat_id),
                    "payload": encode(upd),
                    "trace_id": upd.trace_id,
                    "received_at": upd.received_at,
                    "status": "pending",
                    "attempts": 0,
                }
            )
        async with self.sessions() as session, session.begin():
            # executemany of one cached statement: SQLAlchemy batches it into multi-row
            # VALUES itself, far cheaper than compiling a new 500-row statement per batch.
            table = table_of(InboundUpdate)  # Core: the ORM's bulk path adds nothing here
            stmt = (
                upsert_insert(session, table)
                .on_conflict_do_nothing(index_elements=["bot", "update_id"])
                .returning(table.c.bot, table.c.update_id)
            )
            inserted = {(r.bot, r.update_id) for r in await session.execute(stmt, rows)}
        result: list[bool] = []
        for upd in updates:
            key = (upd.bot, upd.update_id)
            result.append(key in inserted)
            inserted.discard(key)  # a repeat inside the same batch is a duplicate too
        return result

    async def fetch(self, limit: int) -> list[QueuedUpdate]:
        self._let_go_during_fetch = set()
        try:
            rows = await self._pending(limit + len(self._in_hand))
            skip = self._in_hand | self._let_go_during_fetch
        finally:
            self._let_go_during_fetch = None
        items = [
            QueuedUpdate(update=decode_update(r.payload), attempts=r.attempts, ref=r.id)
            for r in rows
            if r.id not in skip
        ][:limit]
        self._in_hand.update(item.ref for item in items)
        return items

    async def _pending(self, limit: int) -> list[Any]:
        async with self.sessions() as session:
            rows = await session.execute(
                select(InboundUpdate.id, InboundUpdate.payload, InboundUpdate.attempts)
                .where(InboundUpdate.status == "pending")
                # "+ 0": ordered by the bare id, SQLite walks the whole table in rowid order
                # (every update ever received) to find the few pending ones at its end; this
                # way it reads the partial index of pending rows and sorts those.
                .order_by(InboundUpdate.id + 0)
                .limit(limit)
            )
            return list(rows)

    async def done_before(self, session: AsyncSession, items: Sequence[QueuedUpdate]) -> set[Any]:
        # `fetch` hands out pending rows only, and only this process marks them.
        return set()

    async def mark_processed(
        self, session: AsyncSession, item: QueuedUpdate, *, status: str, error: str | None = None
    ) -> bool:
        result = await session.execute(
            update(InboundUpdate)
            .where(InboundUpdate.id == item.ref, InboundUpdate.status == "pending")
            .values(status=status, processed_at=time.time(), error=error)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0))

    async def mark_processed_many(
        self, session: AsyncSession, items: Sequence[QueuedUpdate]
    ) -> set[Any]:
        """Mark `items` done in one statement; the ids of those that were still pending."""
        table = table_of(InboundUpdate)
        ids = [item.ref for item in items]
        marked: set[Any] = set()
        for start in range(0, len(ids), 500):
            result = await session.execute(
                update(table)
                .where(table.c.id.in_(ids[start : start + 500]), table.c.status == "pending")
                .values(status="done", processed_at=time.time(), error=None)
                .returning(table.c.id)
            )
            marked.update(result.scalars())
        return marked

    async def record_failure(self, item: QueuedUpdate, error: str) -> None:
        async with self.sessions() as session, session.begin():
            await session.execute(
                update(InboundUpdate)
                .where(InboundUpdate.id == item.ref)
                .values(attempts=InboundUpdate.attempts + 1, error=error[:2000])
            )

    async def acknowledge(self, items: Sequence[QueuedUpdate]) -> None:
        self._let_go([item.ref for item in items])

    async def release(self, items: Sequence[QueuedUpdate]) -> None:
        # Not done: a fetch under way may hand them out again, in their order.
        self._in_hand.difference_update(item.ref for item in items)

    def _let_go(self, refs: list[int]) -> None:
        self._in_hand.difference_update(refs)
        if self._let_go_during_fetch is not None:
            self._let_go_during_fetch.update(refs)

    async def close(self) -> None:
        return None

    async def stats(self) -> QueueStats:
        async with self.sessions() as session:
            row = (
                await session.execute(
                    select(func.count(), func.min(InboundUpdate.received_at)).where(
                        InboundUpdate.status == "pending"
                    )
                )
            ).one()
        depth, oldest = row
        return QueueStats(
            depth=int(depth), oldest_age=None if oldest is None else time.time() - oldest
        )


class IngestBatcher:
    """Group commit: webhook calls that arrive while a write is in flight share the next one."""

    def __init__(self, queue: InboundQueue, *, max_batch: int = 500) -> None:
        self.queue = queue
        self.max_batch = max_batch
        self._pending: list[tuple[Update, asyncio.Future[bool]]] = []
        self._flusher: asyncio.Task[None] | None = None

    async def submit(self, updates: Sequence[Update]) -> list[bool]:
        loop = asyncio.get_running_loop()
        futures = []
        for upd in updates:
            future: asyncio.Future[bool] = loop.create_future()
            self._pending.append((upd, future))
            futures.append(future)
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        return list(await asyncio.gather(*futures))

    async def _flush(self) -> None:
        while self._pending:
            batch = self._pending[: self.max_batch]
            del self._pending[: self.max_batch]
            try:
                results = await self.queue.put_many([u for u, _ in batch])
            except Exception as exc:  # every caller learns of the failure and answers 5xx
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for (_, future), accepted in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(accepted)

    async def close(self) -> None:
        if self._flusher is not None:
            await asyncio.gather(self._flusher, return_exceptions=True)
