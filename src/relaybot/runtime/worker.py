"""Workers: take updates in arrival order, run the app, commit state + outbox + processed mark.

Up to `worker_concurrency` chats are handled at once, each strictly in order (`lanes.py`). A
handler's effects wait in memory until its update commits (`effects.py`): in the handler's own
transaction when the app wrote rows of its own, otherwise in one group commit with the other
chats finishing at the same time. Nothing is written before the handler returns, so a handler
that waits on another service holds no lock meanwhile (on SQLite a transaction starts at its
first write), and a handler that waits long is reported (`slow_handler_seconds`).
"""

from __future__ import annotations

import asyncio
import time
import traceback
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from relaybot.config import BotConfig, Settings
from relaybot.core.app import App, Context
from relaybot.core.calls import PendingCall
from relaybot.core.i18n import N_, normalize_locale, translator
from relaybot.core.types import Address, OutgoingMessage
from relaybot.runtime import metrics
from relaybot.runtime.calls import call_rows
from relaybot.runtime.effects import Effects, EffectsWriter, GroupCommit
from relaybot.runtime.inbound import NOTICE_TEXT, is_notice
from relaybot.runtime.lanes import Lanes
from relaybot.runtime.outbox import enqueue, outbox_rows
from relaybot.runtime.queue import InboundQueue, QueuedUpdate
from relaybot.runtime.signal import Signal
from relaybot.store.db import SessionMaker, store_seconds, wrote
from relaybot.store.dialogs import SqlStateStorage
from relaybot.store.journal import SqlJournal
from relaybot.store.unavailable import store_unavailable

log = structlog.get_logger("relaybot.worker")

APOLOGY = N_("Sorry, something went wrong on our side. Please try again a bit later.")
CHUNK = 50
"""Updates of one chat handled in one turn before other chats get the slot."""


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
        self.write = EffectsWriter(queue, bots)
        self.group = GroupCommit(sessions, self.write)

    def _lanes(self) -> Lanes:
        return Lanes(
            self._turn,
            concurrency=self.settings.worker_concurrency,
            chunk=CHUNK,
            release=self.queue.release,
            progress=self.wake.notify,
        )

    async def run(self, stop: asyncio.Event) -> None:
        """Fetch while there is room in hand; each chat's lane handles its updates."""
        log.info("worker started", concurrency=self.settings.worker_concurrency)
        lanes = self._lanes()
        try:
            while not stop.is_set():
                room = self.settings.worker_batch_size - lanes.in_hand
                items: list[QueuedUpdate] = []
                if room > 0:
                    try:
                        items = await self.queue.fetch(room)
                    except Exception:
                        log.exception("fetching updates failed; retrying")
                        await asyncio.sleep(self.settings.poll_interval)
                    lanes.take(items)
                metrics.WORKER_CHATS_IN_HAND.set(lanes.chats)
                if not items and (room <= 0 or not self.queue.blocking):
                    await self.wake.wait(self.settings.poll_interval)
        finally:
            await lanes.stop()
        log.info("worker stopped")

    async def run_once(self) -> int:
        """Fetch one batch and handle all of it (tests and tools that step the worker)."""
        items = await self.queue.fetch(self.settings.worker_batch_size)
        if not items:
            return 0
        await self.process(items)
        return len(items)

    async def process(self, items: Sequence[QueuedUpdate]) -> None:
        """Handle `items`, each chat in order, until every one is done or given up."""
        lanes = self._lanes()
        lanes.take(items)
        await lanes.drain()

    async def _turn(self, items: list[QueuedUpdate]) -> list[QueuedUpdate]:
        """One chat's updates: together when they all succeed, else one by one.

        Together, a turn writes nothing until every handler has returned, and then writes
        once. When a handler raises, nothing of the turn was kept; the updates before the
        failed one are handled again one at a time, the failed one waits for its retry (or
        is given up with an apology), and the chat's later updates wait behind it.
        """
        failed: _AppFailed | None = None
        try:
            outcomes = await self._handle(items, group=True)
        except _AppFailed as app_failed:
            failed = app_failed
        except Exception:
            log.info("a chat's updates failed together; handling them one by one")
            return await self._one_by_one(items, failed=None)
        if failed is not None:
            # Outside the handler, so the app's error is raised again without a cycle of
            # causes. The app has had its try at that update; it is not run twice for it.
            return await self._one_by_one(items, failed=failed)
        await self._finish(outcomes)
        return []

    async def _handle(
        self, items: Sequence[QueuedUpdate], *, group: bool
    ) -> list[tuple[QueuedUpdate, str]]:
        effects = Effects()
        async with self.sessions() as session:
            done = await self.queue.done_before(session, [i for i in items if self._known(i)])
            states = SqlStateStorage(session)
            await states.prefetch(
                (i.update.bot, i.update.chat_id)
                for i in items
                if self._known(i) and not is_notice(i.update) and i.ref not in done
            )
            for item in items:
                outcome = await self._one(session, item, done, states, effects)
                effects.outcomes.append((item, outcome))
            effects.states = states.take_changes()
            await session.flush()  # what the app changed on its objects is its writes too
            if group and not await wrote(session):
                await session.rollback()  # let go of the reads before waiting on the group
            else:
                await self.write(session, effects)
                await session.commit()
                return effects.outcomes
        await self.group.commit(effects)
        return effects.outcomes

    async def _one(
        self,
        session: AsyncSession,
        item: QueuedUpdate,
        done: set[object],
        states: SqlStateStorage,
        effects: Effects,
    ) -> str:
        upd = item.update
        if not self._known(item):
            effects.dropped.append(item)
            return "dropped"
        if item.ref in done:
            return "duplicate"
        effects.done.append(item)
        if is_notice(upd):
            effects.outbox += outbox_rows(
                self._flood_notice(item), bots=self.bots, trace_id=upd.trace_id
            )
            return "flood_notice"
        structlog.contextvars.bind_contextvars(trace_id=upd.trace_id, bot=upd.bot)
        try:
            messages, made = await self._run_app(session, item, states, effects.journal)
        except Exception as exc:
            raise _AppFailed(item, exc) from None
        finally:
            structlog.contextvars.unbind_contextvars("trace_id", "bot")
        effects.spoke.append(item)
        effects.outbox += outbox_rows(messages, bots=self.bots, trace_id=upd.trace_id)
        effects.calls += call_rows(upd, made)
        return "done"

    def _known(self, item: QueuedUpdate) -> bool:
        return item.update.bot in self.apps and item.update.bot in self.bots

    async def _one_by_one(
        self, items: list[QueuedUpdate], *, failed: _AppFailed | None
    ) -> list[QueuedUpdate]:
        for index, item in enumerate(items):
            error: BaseException | None = None
            if failed is not None and item is failed.item:
                error = failed.error
            else:
                try:
                    await self._finish(await self._handle([item], group=False))
                    continue
                except _AppFailed as app_failed:
                    error = app_failed.error
                except Exception as exc:
                    error = exc
            if store_unavailable(error):
                # Not the app's fault, and it passes: wait, and do not count it as an attempt.
                log.warning("the store is unavailable; this chat waits", error=str(error)[:200])
                await asyncio.sleep(self.settings.poll_interval)
                return items[index:]
            item.attempts += 1
            described = "".join(traceback.format_exception_only(error)).strip()
            upd = item.update
            structlog.contextvars.bind_contextvars(trace_id=upd.trace_id, bot=upd.bot)
            try:
                log.error("app failed on update", attempts=item.attempts, exc_info=error)
            finally:
                structlog.contextvars.unbind_contextvars("trace_id", "bot")
            metrics.UPDATES_FAILED.labels(item.update.bot).inc()
            if item.attempts >= self.settings.worker_max_attempts:
                await self._give_up(item, described)
                await self._finish([(item, "failed")])
                continue
            await self.queue.record_failure(item, described)
            return items[index:]  # this chat waits for the retry, in order
        return []

    async def _finish(self, outcomes: Sequence[tuple[QueuedUpdate, str]]) -> None:
        """After the commit: acknowledge, count, and wake the sender and the caller."""
        await self.queue.acknowledge([item for item, _ in outcomes])
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
        app = self.apps[upd.bot]
        started, in_store = time.perf_counter(), store_seconds()
        try:
            await app.handle(ctx)
        finally:
            self._time(app, ctx, time.perf_counter() - started - (store_seconds() - in_store))
        return ctx.outgoing, ctx.calls

    def _time(self, app: App, ctx: Context, foreign: float) -> None:
        """Report a handler that waited long on something other than relaybot's store: while
        it waits it holds a slot, and what it wrote before the wait stays locked."""
        metrics.HANDLER_FOREIGN_WAIT.observe(foreign)
        if foreign <= self.settings.slow_handler_seconds:
            return
        handler = ctx.handler or f"{type(app).__qualname__}.handle"
        log.warning(
            "slow handler: it waited on something other than the store",
            app=app.name,
            handler=handler,
            wait_seconds=round(foreign, 3),
            limit_seconds=self.settings.slow_handler_seconds,
        )
        metrics.SLOW_HANDLERS.labels(ctx.update.bot, app.name, handler).inc()

    def _flood_notice(self, item: QueuedUpdate) -> list[tuple[Address, OutgoingMessage]]:
        """The gateway dropped a flood from this chat: say so once, politely, in order."""
        upd = item.update
        t = translator(normalize_locale(upd.language, self.settings.default_locale))
        return [(Address(upd.bot, upd.chat_id), OutgoingMessage(text=t(NOTICE_TEXT)))]

    async def _give_up(self, item: QueuedUpdate, error: str) -> None:
        """Mark the update failed and apologise, in one transaction of its own."""
        upd = item.update
        t = translator(normalize_locale(upd.language, self.settings.default_locale))
        async with self.sessions() as session, session.begin():
            marked = await self.queue.mark_processed(
                session, item, status="failed", error=error[:2000]
            )
            if marked and upd.bot in self.bots:
                apology = OutgoingMessage(text=t(APOLOGY))
                await enqueue(
                    session,
                    [(Address(upd.bot, upd.chat_id), apology)],
                    bots=self.bots,
                    trace_id=upd.trace_id,
                )


class _AppFailed(Exception):
    """An app raised on `item` while a batch ran together; `error` is what it raised."""

    def __init__(self, item: QueuedUpdate, error: Exception) -> None:
        super().__init__(str(error))
        self.item = item
        self.error = error
