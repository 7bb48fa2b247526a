"""The outbox sender: delivers each chat's messages in order, within the channel's limits.

Every tick looks at the oldest pending message of each chat. A message goes out when it is
due, its bot is not paused and the rate limiter has a token; everything else waits without
blocking the rest. Failures are retried with exponential backoff; what keeps failing moves to
the dead-letter table; a chat that blocked the bot is marked and never retried.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import socket
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import msgspec
import structlog
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from relaybot.config import Settings
from relaybot.core.channel import ChannelAdapter, Ingest
from relaybot.core.clock import Clock, SystemClock
from relaybot.core.errors import ChatBlocked, PermanentDeliveryError, RetryAfter
from relaybot.core.receipts import RECEIPT_META, Receipt, receipt_update
from relaybot.core.types import OutgoingMessage, decode_message
from relaybot.runtime import metrics
from relaybot.runtime.ratelimit import MemoryRateLimiter, RateLimiter
from relaybot.runtime.signal import Signal
from relaybot.store.db import SessionMaker
from relaybot.store.models import Chat, DeadLetter, OutboxMessage

log = structlog.get_logger("relaybot.sender")

SCAN_LIMIT = 2000
PER_CHAT_RUN = 20


@dataclass
class _Due:
    id: int
    bot: str
    channel: str
    chat_id: str
    attempts: int
    trace_id: str
    created_at: float
    payload: bytes = b""


@dataclass
class _Result:
    row: _Due
    kind: str  # sent | retry | dead | blocked | wait | release
    error: str = ""
    delay: float = 0.0


def _with_delivery_id(row: _Due) -> OutgoingMessage:
    """The message, tagged with its outbox row: a channel that can store it drops a resend."""
    message = decode_message(row.payload)
    return msgspec.structs.replace(
        message, meta={**message.meta, "delivery_id": f"outbox:{row.id}"}
    )


class Sender:
    def __init__(
        self,
        *,
        settings: Settings,
        sessions: SessionMaker,
        adapters: Mapping[str, ChannelAdapter],
        limiter: RateLimiter | None = None,
        clock: Clock | None = None,
        wake: Signal | None = None,
        receipts: Ingest | None = None,
    ) -> None:
        self.settings = settings
        self.receipts = receipts
        self.sessions = sessions
        self.adapters = adapters
        self.clock = clock or SystemClock()
        self.limiter = limiter or MemoryRateLimiter(self.clock)
        self.wake = wake or Signal()
        self.identity = f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self._semaphore = asyncio.Semaphore(settings.sender_concurrency)

    async def run(self, stop: asyncio.Event) -> None:
        log.info("sender started")
        while not stop.is_set():
            try:
                next_in = await self.tick()
            except Exception:
                log.exception("sender tick failed; retrying")
                next_in = self.settings.poll_interval
            if next_in > 0:
                await self.wake.wait(min(next_in, self.settings.poll_interval))
        log.info("sender stopped")

    async def tick(self) -> float:
        """Deliver what is due now; return how long until something else may be due."""
        now = self.clock.now()
        chats, wait_hint = await self._due_chats(now)
        ready: list[list[_Due]] = []
        for rows in chats:
            allowed: list[_Due] = []
            adapter = self.adapters.get(rows[0].bot)
            for row in rows:
                if adapter is not None:
                    wait = await self.limiter.reserve(adapter.limits(row.chat_id))
                    if wait > 0:
                        wait_hint = min(wait_hint, wait)
                        break
                allowed.append(row)  # no adapter: fails below and ends in the DLQ with a reason
            if allowed:
                ready.append(allowed)
        if not ready:
            return wait_hint
        claimed = await self._claim([row for rows in ready for row in rows], now)
        if not claimed:
            return 0.0
        batches: list[list[_Due]] = []
        released: list[_Result] = []
        for rows in ready:
            prefix = list(itertools.takewhile(lambda row: row.id in claimed, rows))
            batches.append(prefix)
            released.extend(_Result(r, "release") for r in rows[len(prefix) :] if r.id in claimed)
        async with self._holding(claimed):
            outcomes = await asyncio.gather(*(self._deliver_chat(rows) for rows in batches if rows))
            results = [result for chat_results in outcomes for result in chat_results] + released
            await self._record(results)
        for result in results:
            if result.kind == "wait":
                wait_hint = min(wait_hint, result.delay)
        return 0.0 if any(r.kind == "sent" for r in results) else wait_hint

    async def _deliver_chat(self, rows: Sequence[_Due]) -> list[_Result]:
        """One chat's messages strictly in order; the first that does not go stops the rest."""
        results: list[_Result] = []
        for position, row in enumerate(rows):
            result = await self._deliver(row)
            results.append(result)
            if result.kind != "sent":
                results.extend(_Result(later, "release") for later in rows[position + 1 :])
                break
        return results

    async def _due_chats(self, now: float) -> tuple[list[list[_Due]], float]:
        """Per chat, the run of due messages from its oldest pending one, in order."""
        async with self.sessions() as session:
            rows = await session.execute(
                select(
                    OutboxMessage.id,
                    OutboxMessage.bot,
                    OutboxMessage.channel,
                    OutboxMessage.chat_id,
                    OutboxMessage.attempts,
                    OutboxMessage.next_attempt_at,
                    OutboxMessage.claimed_until,
                    OutboxMessage.trace_id,
                    OutboxMessage.created_at,
                )
                .where(OutboxMessage.status == "pending")
                .order_by(OutboxMessage.id)
                .limit(SCAN_LIMIT)
            )
            runs: dict[tuple[str, str], list[_Due]] = {}
            closed: set[tuple[str, str]] = set()
            wait_hint = self.settings.poll_interval
            for r in rows:
                key = (r.bot, r.chat_id)
                if key in closed:
                    continue
                run = runs.setdefault(key, [])
                claimed = r.claimed_until is not None and r.claimed_until > now
                if claimed or r.next_attempt_at > now or len(run) >= PER_CHAT_RUN:
                    if not claimed and r.next_attempt_at > now:
                        wait_hint = min(wait_hint, r.next_attempt_at - now)
                    closed.add(key)  # nothing after a message that is not due may overtake it
                    continue
                run.append(
                    _Due(r.id, r.bot, r.channel, r.chat_id, r.attempts, r.trace_id, r.created_at)
                )
        return [run for run in runs.values() if run], wait_hint

    async def _claim(self, rows: Sequence[_Due], now: float) -> set[int]:
        """Take a lease on the rows so a second sender process leaves them alone."""
        by_id = {row.id: row for row in rows}
        async with self.sessions() as session, session.begin():
            claimed = await session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.id.in_(by_id),
                    OutboxMessage.status == "pending",
                    (OutboxMessage.claimed_until.is_(None)) | (OutboxMessage.claimed_until <= now),
                )
                .values(claimed_until=now + self.settings.sender_claim_seconds)
                .returning(OutboxMessage.id, OutboxMessage.payload)
                .execution_options(synchronize_session=False)
            )
            taken: set[int] = set()
            for r in claimed:
                by_id[r.id].payload = r.payload
                taken.add(r.id)
        return taken

    @contextlib.asynccontextmanager
    async def _holding(self, ids: set[int]) -> AsyncIterator[None]:
        """Renew the claim on `ids` while they are delivered, every third of its length: a
        slow delivery keeps its messages, and a killed sender's lapse within seconds."""
        done = asyncio.Event()
        renewing = asyncio.create_task(self._renew(ids, done), name="sender claim")
        try:
            yield
        finally:
            done.set()  # not cancel(): a renewal under way finishes its statement first
            await renewing

    async def _renew(self, ids: set[int], done: asyncio.Event) -> None:
        period = self.settings.sender_claim_seconds / 3
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(period):
                    await done.wait()
            if done.is_set():
                return
            try:
                async with self.sessions() as session, session.begin():
                    await session.execute(
                        update(OutboxMessage)
                        .where(
                            OutboxMessage.id.in_(ids),
                            OutboxMessage.status == "pending",
                            OutboxMessage.claimed_until.is_not(None),
                        )
                        .values(claimed_until=self.clock.now() + self.settings.sender_claim_seconds)
                        .execution_options(synchronize_session=False)
                    )
            except Exception:  # the next renewal may get through; the claim lasts till then
                log.warning("renewing the claim on messages in delivery failed", exc_info=True)

    async def _deliver(self, row: _Due) -> _Result:
        adapter = self.adapters.get(row.bot)
        if adapter is None:
            return _Result(
                row,
                "dead",
                f"bot {row.bot!r} is not configured here any more (removed, or its credentials "
                "are gone): the message cannot be sent",
            )
        structlog.contextvars.bind_contextvars(trace_id=row.trace_id, bot=row.bot)
        try:
            message = _with_delivery_id(row)
            async with self._semaphore, asyncio.timeout(self.settings.send_timeout):
                ids = await adapter.send(row.chat_id, message)
            metrics.MESSAGES_SENT.labels(row.channel, "sent").inc()
            await self._hand_back_receipt(row, message, ids)
            return _Result(row, "sent")
        except RetryAfter as exc:
            await self.limiter.pause(row.bot, exc.seconds)
            log.warning("channel asked to wait", seconds=exc.seconds)
            metrics.MESSAGES_SENT.labels(row.channel, "retry_after").inc()
            return _Result(row, "wait", str(exc), delay=exc.seconds)
        except ChatBlocked as exc:
            log.info("chat blocked the bot", chat_id=row.chat_id)
            metrics.MESSAGES_SENT.labels(row.channel, "blocked").inc()
            return _Result(row, "blocked", str(exc))
        except PermanentDeliveryError as exc:
            log.warning("channel refused the message", error=str(exc))
            metrics.MESSAGES_SENT.labels(row.channel, "refused").inc()
            return _Result(row, "dead", str(exc))
        except Exception as exc:  # transient: timeouts, 5xx, connection errors, adapter bugs
            error = f"{type(exc).__name__}: {exc}"[:2000]
            attempts = row.attempts + 1
            metrics.MESSAGES_SENT.labels(row.channel, "failed").inc()
            if attempts >= self.settings.outbox_max_attempts:
                log.error("delivery failed for good; moved to DLQ", error=error, attempts=attempts)
                return _Result(row, "dead", error)
            delay = min(
                self.settings.outbox_backoff_base * 2 ** (attempts - 1),
                self.settings.outbox_backoff_max,
            )
            log.warning("delivery failed; will retry", error=error, attempts=attempts, delay=delay)
            return _Result(row, "retry", error, delay=delay)
        finally:
            structlog.contextvars.unbind_contextvars("trace_id", "bot")

    async def _hand_back_receipt(
        self, row: _Due, message: OutgoingMessage, ids: Sequence[str] | None
    ) -> None:
        """A message that asked for a receipt gets its channel ids back as an update; it is
        stored before the row is marked sent, so a crash between the two repeats the receipt
        under the same update id, which the queue keeps once."""
        tag = message.meta.get(RECEIPT_META)
        if not isinstance(tag, str) or not ids or self.receipts is None:
            return
        receipt = Receipt(tag=tag, chat_id=row.chat_id, message_ids=tuple(str(i) for i in ids))
        try:
            await self.receipts(
                [
                    receipt_update(
                        channel=row.channel,
                        bot=row.bot,
                        chat_id=row.chat_id,
                        delivery=f"outbox:{row.id}",
                        receipt=receipt,
                    )
                ]
            )
        except Exception:  # the message went; a lost receipt must not send it again
            log.exception("could not store a delivery receipt", tag=tag)

    async def _record(self, results: Sequence[_Result]) -> None:
        now = self.clock.now()
        async with self.sessions() as session, session.begin():
            sent = [r.row.id for r in results if r.kind == "sent"]
            if sent:
                await session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id.in_(sent))
                    .values(status="sent", sent_at=now, claimed_until=None)
                    .execution_options(synchronize_session=False)
                )
            for result in results:
                if result.kind != "sent":
                    await self._record_failure(session, result, now)

    async def _record_failure(self, session: AsyncSession, result: _Result, now: float) -> None:
        row = result.row
        where = OutboxMessage.id == row.id
        values: dict[str, object]
        if result.kind == "release":
            values = {"claimed_until": None}
        elif result.kind == "wait":
            values = {"next_attempt_at": now + result.delay, "claimed_until": None}
        elif result.kind == "retry":
            values = {
                "attempts": row.attempts + 1,
                "next_attempt_at": now + result.delay,
                "claimed_until": None,
                "last_error": result.error,
            }
        elif result.kind == "blocked":
            values = {"status": "blocked", "claimed_until": None, "last_error": result.error}
            await session.execute(
                update(Chat)
                .where(Chat.bot == row.bot, Chat.chat_id == row.chat_id)
                .values(blocked_at=datetime.now(UTC))
            )
        else:
            values = {"status": "dead", "claimed_until": None, "last_error": result.error}
            await session.execute(
                insert(DeadLetter).values(
                    outbox_id=row.id,
                    bot=row.bot,
                    channel=row.channel,
                    chat_id=row.chat_id,
                    payload=row.payload,
                    attempts=row.attempts + 1,
                    last_error=result.error,
                    trace_id=row.trace_id,
                    created_at=row.created_at,
                    failed_at=now,
                )
            )
        await session.execute(
            update(OutboxMessage)
            .where(where)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
