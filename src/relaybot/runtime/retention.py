"""Retention: old rows go in small batches, by one process at a time, so tables stop growing.

What is kept and for how long are settings (`retention_*`). Each batch is its own short
transaction (`chunk` rows), with a pause between batches, so pruning never holds the database's
writer long enough to delay an update; the longest batch is in the
`relaybot_prune_batch_seconds` histogram. Processed updates are kept at least as long as the
gateway's repeat window (`queue_dedup_seconds`): a repeat inside the window is still dropped.
A dialog left half-way is removed once it has expired and recorded in `dialog_outcomes` as
abandoned at the step where the person stopped, as the worker would have on their next word.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import ColumnElement, Table, delete, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from relaybot.config import Settings
from relaybot.core.clock import Clock, SystemClock
from relaybot.runtime import metrics
from relaybot.runtime.lease import LeaseStore
from relaybot.store.db import SessionMaker
from relaybot.store.models import (
    AuditEntry,
    DeadLetter,
    DialogOutcome,
    DialogStateRow,
    InboundUpdate,
    MessageLog,
    OutboxMessage,
    OutgoingCall,
    WebchatMessage,
)
from relaybot.store.sql import table_of

log = structlog.get_logger("relaybot.retention")

LEASE = "retention"
DAY = 86400.0


@dataclass(frozen=True)
class Rule:
    """Rows of `table` that `old(cutoff)` selects go once `keep(settings)` seconds have passed."""

    table: Table
    keep: Callable[[Settings], float]
    old: Callable[[Table, float], ColumnElement[bool]]


def _before(column: str) -> Callable[[Table, float], ColumnElement[bool]]:
    """Rows whose `column` (seconds since the epoch) is older than the cutoff."""
    return lambda table, cutoff: table.c[column] < cutoff


def _before_time(column: str) -> Callable[[Table, float], ColumnElement[bool]]:
    """Rows whose `column` (a UTC datetime) is older than the cutoff."""
    return lambda table, cutoff: table.c[column] < datetime.fromtimestamp(cutoff, UTC)


def _finished(statuses: tuple[str, ...], column: str) -> Callable[[Table, float], Any]:
    return lambda table, cutoff: table.c.status.in_(statuses) & (table.c[column] < cutoff)


RULES = (
    Rule(
        table_of(InboundUpdate),
        lambda s: max(s.retention_processed_updates_days * DAY, float(s.queue_dedup_seconds)),
        _finished(("done", "dropped", "failed"), "received_at"),
    ),
    Rule(
        table_of(OutboxMessage),
        lambda s: s.retention_outbox_days * DAY,
        _finished(("sent", "blocked"), "created_at"),
    ),
    Rule(
        table_of(OutgoingCall),
        lambda s: s.retention_calls_days * DAY,
        _finished(("done", "dead"), "created_at"),
    ),
    Rule(table_of(DeadLetter), lambda s: s.retention_dlq_days * DAY, _before("failed_at")),
    Rule(
        table_of(MessageLog),
        lambda s: s.retention_message_logs_days * DAY,
        _before_time("created_at"),
    ),
    Rule(
        table_of(DialogOutcome),
        lambda s: s.retention_message_logs_days * DAY,
        _before_time("finished_at"),
    ),
    Rule(
        table_of(WebchatMessage),
        lambda s: s.retention_webchat_days * DAY,
        _before_time("created_at"),
    ),
    Rule(table_of(AuditEntry), lambda s: s.retention_audit_days * DAY, _before_time("at")),
)


class Pruner:
    def __init__(
        self,
        *,
        settings: Settings,
        sessions: SessionMaker,
        clock: Clock | None = None,
        chunk: int = 500,
        pause: float = 0.02,
        holder: str | None = None,
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.clock = clock or SystemClock()
        self.chunk = chunk
        self.pause = pause
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self.leases = LeaseStore(sessions)

    async def run(self, stop: asyncio.Event) -> None:
        """Every `retention_interval_seconds`, prune if no other process holds the lease."""
        interval = self.settings.retention_interval_seconds
        while not stop.is_set():
            try:
                now = self.clock.now()
                if await self.leases.acquire(LEASE, self.holder, ttl=interval, now=now):
                    await self.prune(stop)
            except Exception:
                log.exception("pruning failed; it runs again on the next round")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval)

    async def prune(self, stop: asyncio.Event | None = None) -> dict[str, int]:
        """One round over every table; the number of rows removed from each."""
        removed: dict[str, int] = {}
        for rule in RULES:
            cutoff = self.clock.now() - rule.keep(self.settings)
            count = await self._prune_table(rule, cutoff, stop)
            if count:
                removed[rule.table.name] = count
        abandoned = await self._expire_dialogs(stop)
        if abandoned:
            removed["dialog_states"] = abandoned
        await self._vacuum()
        if removed:
            log.info("old rows pruned", **removed)
        return removed

    async def _prune_table(self, rule: Rule, cutoff: float, stop: asyncio.Event | None) -> int:
        table = rule.table
        key = table.c.id
        count = 0
        while stop is None or not stop.is_set():
            batch = select(key).where(rule.old(table, cutoff)).order_by(key).limit(self.chunk)
            started = time.perf_counter()
            async with self.sessions() as session, session.begin():
                ids = list(await session.scalars(batch))
                if ids:
                    await session.execute(delete(table).where(key.in_(ids)))
            metrics.PRUNE_BATCH_SECONDS.observe(time.perf_counter() - started)
            count += len(ids)
            metrics.PRUNED_ROWS.labels(table.name).inc(len(ids))
            if len(ids) < self.chunk:
                break
            await asyncio.sleep(self.pause)
        return count

    async def _expire_dialogs(self, stop: asyncio.Event | None) -> int:
        """Dialogs past their expiry: recorded as abandoned at their step, then removed."""
        table = table_of(DialogStateRow)
        now = datetime.fromtimestamp(self.clock.now(), UTC)
        # A minute's grace: a person writing at the very moment of expiry is the worker's.
        expired = table.c.expires_at < now - timedelta(minutes=1)
        count = 0
        while stop is None or not stop.is_set():
            started = time.perf_counter()
            async with self.sessions() as session, session.begin():
                rows = list(
                    await session.execute(
                        select(table)
                        .where(expired)
                        .order_by(table.c.bot, table.c.chat_id)
                        .limit(self.chunk)
                    )
                )
                for row in rows:
                    count += await _abandon(session, table, row)
            metrics.PRUNE_BATCH_SECONDS.observe(time.perf_counter() - started)
            if len(rows) < self.chunk:
                break
            await asyncio.sleep(self.pause)
        metrics.PRUNED_ROWS.labels(table.name).inc(count)
        return count

    async def _vacuum(self) -> None:
        """Give the freed pages of an SQLite file back, a little at a time."""
        async with self.sessions() as session:
            if session.get_bind().dialect.name != "sqlite":
                return
            mode = await session.scalar(text("PRAGMA auto_vacuum"))
            if mode == 2:  # INCREMENTAL; files made before it was set stay as they are
                await session.execute(text("PRAGMA incremental_vacuum(2000)"))


async def _abandon(session: AsyncSession, table: Table, row: Any) -> int:
    """Remove one expired dialog and record its drop-off, unless it changed meanwhile."""
    gone = await session.execute(
        delete(table).where(
            table.c.bot == row.bot,
            table.c.chat_id == row.chat_id,
            table.c.updated_at == row.updated_at,
        )
    )
    if not getattr(gone, "rowcount", 0):
        return 0
    finished = row.updated_at
    await session.execute(
        insert(table_of(DialogOutcome)).values(
            bot=row.bot,
            chat_id=row.chat_id,
            flow=row.flow,
            completed=False,
            dropoff_state=row.step,
            reason="expired",
            total_messages=row.messages,
            duration_seconds=max(0.0, (finished - row.started_at).total_seconds()),
            started_at=row.started_at,
            finished_at=finished,
        )
    )
    return 1
