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
from sqlalchemy.ext.asyncio import AsyncSession

from relaybot.config import BotConfig, Settings
from relaybot.core.app import App, Context
from relaybot.core.i18n import N_, normalize_locale, translator
from relaybot.core.types import Address, OutgoingMessage
from relaybot.runtime import metrics
from relaybot.runtime.inbound import NOTICE_TEXT, is_notice
from relaybot.runtime.outbox import enqueue
from relaybot.runtime.queue import InboundQueue, QueuedUpdate
from relaybot.runtime.signal import Signal
from relaybot.store.db import SessionMaker
from relaybot.store.dialogs import SqlStateStorage
from relaybot.store.models import Chat
from relaybot.store.sql import upsert_insert

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
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.queue = queue
        self.bots = bots
        self.apps = apps
        self.wake = wake or Signal()
        self.outbox_ready = outbox_ready

    async def run(self, stop: asyncio.Event) -> None:
        log.info("worker started")
        while not stop.is_set():
            try:
                handled = await self.run_once()
            except Exception:
                log.exception("worker batch failed; retrying")
                handled = 0
                await asyncio.sleep(self.settings.poll_interval)
            if handled == 0:
                await self.wake.wait(self.settings.poll_interval)
        log.info("worker stopped")

    async def run_once(self) -> int:
        items = await self.queue.fetch(self.settings.worker_batch_size)
        if not items:
            return 0
        await self.process(items)
        return len(items)

    async def process(self, items: Sequence[QueuedUpdate]) -> None:
        failed_chats: set[str] = set()
        failures: list[tuple[QueuedUpdate, str]] = []
        done: list[QueuedUpdate] = []
        sent_any = False
        async with self.sessions() as session, session.begin():
            for item in items:
                upd = item.update
                if upd.chat_key in failed_chats:
                    continue  # keep this chat's order: wait for the failed update's retry
                structlog.contextvars.bind_contextvars(trace_id=upd.trace_id, bot=upd.bot)
                try:
                    async with session.begin_nested():
                        outcome = await self._handle(session, item)
                    sent_any |= outcome == "done"
                    done.append(item)
                except Exception as exc:
                    error = "".join(traceback.format_exception_only(exc)).strip()
                    log.exception("app failed on update", attempts=item.attempts + 1)
                    metrics.UPDATES_FAILED.labels(upd.bot).inc()
                    if item.attempts + 1 >= self.settings.worker_max_attempts:
                        async with session.begin_nested():
                            await self._give_up(session, item, error)
                        done.append(item)
                        sent_any = True
                    else:
                        failed_chats.add(upd.chat_key)
                        failures.append((item, error))
                finally:
                    structlog.contextvars.unbind_contextvars("trace_id", "bot")
        for item, error in failures:
            await self.queue.record_failure(item, error)
        await self.queue.acknowledge(done)
        now = time.time()
        for item in done:
            metrics.PROCESSING_LATENCY.observe(max(0.0, now - item.update.received_at))
        if sent_any and self.outbox_ready is not None:
            self.outbox_ready.notify()

    async def _handle(self, session: AsyncSession, item: QueuedUpdate) -> str:
        upd = item.update
        bot = self.bots.get(upd.bot)
        app = self.apps.get(upd.bot)
        if bot is None or app is None:
            await self.queue.mark_processed(session, item, status="dropped", error="unknown bot")
            metrics.UPDATES_PROCESSED.labels(upd.bot, "dropped").inc()
            return "dropped"
        if not await self.queue.mark_processed(session, item, status="done"):
            metrics.UPDATES_PROCESSED.labels(upd.bot, "duplicate").inc()
            return "duplicate"
        if is_notice(upd):
            await self._flood_notice(session, item)
            return "done"
        await self._touch_chat(session, upd.bot, bot.channel, item)
        ctx = Context(
            update=upd,
            bot=bot,
            settings=self.settings,
            db=session,
            storage=SqlStateStorage(session),
            t=translator(normalize_locale(upd.language, self.settings.default_locale)),
            now=datetime.now(UTC),
        )
        await app.handle(ctx)
        await session.flush()
        await enqueue(session, ctx.outgoing, bots=self.bots, trace_id=upd.trace_id)
        metrics.UPDATES_PROCESSED.labels(upd.bot, "done").inc()
        return "done"

    async def _flood_notice(self, session: AsyncSession, item: QueuedUpdate) -> None:
        """The gateway dropped a flood from this chat: say so once, politely, in order."""
        upd = item.update
        t = translator(normalize_locale(upd.language, self.settings.default_locale))
        notice = OutgoingMessage(text=t(NOTICE_TEXT))
        await enqueue(
            session,
            [(Address(upd.bot, upd.chat_id), notice)],
            bots=self.bots,
            trace_id=upd.trace_id,
        )
        metrics.UPDATES_PROCESSED.labels(upd.bot, "flood_notice").inc()

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
        metrics.UPDATES_PROCESSED.labels(upd.bot, "failed").inc()

    async def _touch_chat(
        self, session: AsyncSession, bot: str, channel: str, item: QueuedUpdate
    ) -> None:
        upd = item.update
        now = datetime.now(UTC)
        stmt = upsert_insert(session, Chat).values(
            bot=bot,
            chat_id=upd.chat_id,
            channel=channel,
            user_id=upd.user_id,
            user_name=upd.user_name,
            language=upd.language,
            first_seen=now,
            last_seen=now,
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["bot", "chat_id"],
            set_={"last_seen": now, "blocked_at": None, "user_name": upd.user_name},
        )
        await session.execute(stmt)
