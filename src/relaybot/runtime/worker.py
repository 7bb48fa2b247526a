"""Workers: take updates in arrival order, run the app, commit state + outbox + processed mark.

A batch of updates shares one transaction (one fsync); each update runs inside its own
savepoint, so an app that fails on one update rolls back only that update's effects.
"""

from __future__ import annotations

import asyncio
import time
import traceback
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

import structlog
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from relaybot.config import BotConfig, Settings
from relaybot.core.app import App, Context
from relaybot.core.calls import PendingCall, result_of
from relaybot.core.i18n import N_, normalize_locale, translator
from relaybot.core.types import Address, OutgoingMessage
from relaybot.runtime import metrics
from relaybot.runtime.calls import call_rows, record_calls
from relaybot.runtime.inbound import NOTICE_TEXT, is_notice
from relaybot.runtime.outbox import enqueue, outbox_rows
from relaybot.runtime.queue import InboundQueue, QueuedUpdate
from relaybot.runtime.signal import Signal
from relaybot.store.db import SessionMaker
from relaybot.store.dialogs import SqlStateStorage
from relaybot.store.journal import SqlJournal
from relaybot.store.models import Chat, OutboxMessage
from relaybot.store.sql import table_of, upsert_insert

log = structlog.get_logger("relaybot.worker")

APOLOGY = N_("Sorry, something went wrong on our side. Please try again a bit later.")


class Worker:
    def __init__(
        self,
        *,
        settings: Settings,
        sessions: SessionMaker,
        queue: InboundQueue,
        bots: Mapping[str, BotConfig],
        apps: Mapping[str, App],
        wake: Signal | None = None,
        outbox_ready: Signal | None = None,
        calls_ready: Signal | None = None,
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.queue = queue
        self.bots = bots
        self.apps = apps
        self.wake = wake or Signal()
        self.outbox_ready = outbox_ready
        self.calls_ready = calls_ready

    async def run(self, stop: asyncio.Event) -> None:
        log.info("worker started")
        while not stop.is_set():
            try:
                handled = await self.run_once()
            except Exception:
                log.exception("worker batch failed; retrying")
                handled = 0
                await asyncio.sleep(self.settings.poll_interval)
            if handled == 0 and not self.queue.blocking:
                await self.wake.wait(self.settings.poll_interval)
        log.info("worker stopped")

    async def run_once(self) -> int:
        items = await self.queue.fetch(self.settings.worker_batch_size)
        if not items:
            return 0
        await self.process(items)
        return len(items)

    async def process(self, items: Sequence[QueuedUpdate]) -> None:
        """Process a batch: all together in one transaction, update by update if that fails.

        The common case costs a handful of statements per batch rather than per update: the
        processed marks, chat rows and dialog states are read and written in bulk, and one
        flush writes every update's effects. When anything in the batch raises, that
        transaction is rolled back (nothing left the process: replies are only outbox rows)
        and the batch runs again with a savepoint per update, so one failing update keeps
        its own retries and does not hold up other chats.
        """
        failed: _AppFailed | None = None
        try:
            outcomes = await self._process_together(items)
        except _AppFailed as app_failed:
            failed = app_failed
        except Exception:
            log.info("a batch failed as a whole; processing it update by update")
            await self._process_one_by_one(items)
            return
        if failed is not None:
            # Outside the handler, so the app's error is raised again without a cycle of
            # causes. The app has had its try at that update; the others run one by one.
            log.info("an app failed in a batch; processing it update by update")
            await self._process_one_by_one(items, failed=failed)
            return
        await self.queue.acknowledge(items)
        self._after_commit(outcomes)

    async def _process_together(
        self, items: Sequence[QueuedUpdate]
    ) -> list[tuple[QueuedUpdate, str]]:
        outcomes: list[tuple[QueuedUpdate, str]] = []
        async with self.sessions() as session, session.begin():
            fresh = await self._mark_all(session, items)
            known = [
                i
                for i in items
                if i.update.bot in self.apps
                and i.update.bot in self.bots
                and not is_notice(i.update)
            ]
            await self._touch_chats(session, [i for i in known if fresh[id(i)]])
            states = SqlStateStorage(session)
            journal = SqlJournal()
            await states.prefetch((i.update.bot, i.update.chat_id) for i in known)
            outgoing: list[tuple[QueuedUpdate, list[tuple[Address, OutgoingMessage]]]] = []
            calls: list[dict[str, object]] = []
            for item in items:
                outcome = "done" if fresh[id(item)] else "duplicate"
                if item.update.bot not in self.apps or item.update.bot not in self.bots:
                    outcome = "dropped"
                elif outcome == "done" and is_notice(item.update):
                    outcome = "flood_notice"
                    outgoing.append((item, self._flood_notice(item)))
                elif outcome == "done":
                    structlog.contextvars.bind_contextvars(
                        trace_id=item.update.trace_id, bot=item.update.bot
                    )
                    try:
                        messages, made = await self._run_app(session, item, states, journal)
                        outgoing.append((item, messages))
                        calls.extend(call_rows(item.update, made))
                    except Exception as exc:
                        raise _AppFailed(item, exc) from None
                    finally:
                        structlog.contextvars.unbind_contextvars("trace_id", "bot")
                outcomes.append((item, outcome))
            await states.flush()
            await journal.flush(session)
            rows = [
                row
                for item, messages in outgoing
                for row in outbox_rows(messages, bots=self.bots, trace_id=item.update.trace_id)
            ]
            if rows:
                await session.execute(insert(table_of(OutboxMessage)), rows)
            await record_calls(session, calls)
        return outcomes

    async def _mark_all(
        self, session: AsyncSession, items: Sequence[QueuedUpdate]
    ) -> dict[int, bool]:
        """Mark every update of the batch processed (or dropped) before any effect is pending."""
        fresh: dict[int, bool] = {}
        known = [i for i in items if i.update.bot in self.apps and i.update.bot in self.bots]
        mark_many = getattr(self.queue, "mark_processed_many", None)
        if mark_many is not None:  # both queues mark a whole batch in one statement
            marked = await mark_many(session, known)
            fresh.update({id(i): i.ref in marked for i in known})
        for item in items:
            if id(item) in fresh:
                continue
            status, error = ("done", None) if item in known else ("dropped", "unknown bot")
            fresh[id(item)] = await self.queue.mark_processed(
                session, item, status=status, error=error
            )
        return fresh

    async def _process_one_by_one(
        self, items: Sequence[QueuedUpdate], *, failed: _AppFailed | None = None
    ) -> None:
        failed_chats: set[str] = set()
        failures: list[tuple[QueuedUpdate, str]] = []
        outcomes: list[tuple[QueuedUpdate, str]] = []
        async with self.sessions() as session, session.begin():
            for item in items:
                upd = item.update
                if upd.chat_key in failed_chats:
                    continue  # keep this chat's order: wait for the failed update's retry
                structlog.contextvars.bind_contextvars(trace_id=upd.trace_id, bot=upd.bot)
                try:
                    if failed is not None and item is failed.item:
                        raise failed.error
                    async with session.begin_nested():
                        outcome = await self._handle(session, item)
                    outcomes.append((item, outcome))
                except Exception as exc:
                    error = "".join(traceback.format_exception_only(exc)).strip()
                    log.exception("app failed on update", attempts=item.attempts + 1)
                    metrics.UPDATES_FAILED.labels(upd.bot).inc()
                    if item.attempts + 1 >= self.settings.worker_max_attempts:
                        async with session.begin_nested():
                            await self._give_up(session, item, error)
                        outcomes.append((item, "failed"))
                    else:
                        failed_chats.add(upd.chat_key)
                        failures.append((item, error))
                finally:
                    structlog.contextvars.unbind_contextvars("trace_id", "bot")
        for item, error in failures:
            await self.queue.record_failure(item, error)
        await self.queue.acknowledge([item for item, _ in outcomes])
        self._after_commit(outcomes)

    def _after_commit(self, outcomes: Sequence[tuple[QueuedUpdate, str]]) -> None:
        now = time.time()
        sent_any = False
        for item, outcome in outcomes:
            metrics.UPDATES_PROCESSED.labels(item.update.bot, outcome).inc()
            metrics.PROCESSING_LATENCY.observe(max(0.0, now - item.update.received_at))
            sent_any |= outcome in ("done", "failed", "flood_notice")
        if sent_any and self.outbox_ready is not None:
            self.outbox_ready.notify()
        if sent_any and self.calls_ready is not None:
            self.calls_ready.notify()  # a handler may have made calls: look at once

    async def _handle(self, session: AsyncSession, item: QueuedUpdate) -> str:
        upd = item.update
        bot = self.bots.get(upd.bot)
        app = self.apps.get(upd.bot)
        if bot is None or app is None:
            await self.queue.mark_processed(session, item, status="dropped", error="unknown bot")
            return "dropped"
        if not await self.queue.mark_processed(session, item, status="done"):
            return "duplicate"
        if is_notice(upd):
            notice = self._flood_notice(item)
            await enqueue(session, notice, bots=self.bots, trace_id=upd.trace_id)
            return "flood_notice"
        await self._touch_chats(session, [item])
        states, journal = SqlStateStorage(session), SqlJournal()
        messages, made = await self._run_app(session, item, states, journal)
        await states.flush()
        await journal.flush(session)
        await session.flush()
        await enqueue(session, messages, bots=self.bots, trace_id=upd.trace_id)
        await record_calls(session, call_rows(upd, made))
        return "done"

    async def _run_app(
        self,
        session: AsyncSession,
        item: QueuedUpdate,
        storage: SqlStateStorage,
        journal: SqlJournal,
    ) -> tuple[list[tuple[Address, OutgoingMessage]], list[PendingCall]]:
        """The app's replies and the calls it made for this update."""
        upd = item.update
        ctx = Context(
            update=upd,
            bot=self.bots[upd.bot],
            settings=self.settings,
            db=session,
            storage=storage,
            journal=journal,
            t=translator(normalize_locale(upd.language, self.settings.default_locale)),
            now=datetime.now(UTC),
        )
        await self.apps[upd.bot].handle(ctx)
        return ctx.outgoing, ctx.calls

    def _flood_notice(self, item: QueuedUpdate) -> list[tuple[Address, OutgoingMessage]]:
        """The gateway dropped a flood from this chat: say so once, politely, in order."""
        upd = item.update
        t = translator(normalize_locale(upd.language, self.settings.default_locale))
        return [(Address(upd.bot, upd.chat_id), OutgoingMessage(text=t(NOTICE_TEXT)))]

    async def _give_up(self, session: AsyncSession, item: QueuedUpdate, error: str) -> None:
        upd = item.update
        await self.queue.mark_processed(session, item, status="failed", error=error[:2000])
        t = translator(normalize_locale(upd.language, self.settings.default_locale))
        if upd.bot in self.bots:
            apology = OutgoingMessage(text=t(APOLOGY))
            await enqueue(
                session,
                [(Address(upd.bot, upd.chat_id), apology)],
                bots=self.bots,
                trace_id=upd.trace_id,
            )

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


class _AppFailed(Exception):
    """An app raised on `item` while a batch ran together; `error` is what it raised."""

    def __init__(self, item: QueuedUpdate, error: Exception) -> None:
        super().__init__(str(error))
        self.item = item
        self.error = error
