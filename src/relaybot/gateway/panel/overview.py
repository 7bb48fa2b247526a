"""What the overview shows of each bot, read from the store: updates and replies a minute,
the queue's depth and its oldest update, the outbox, the dead letters, processing times."""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import func, select

from relaybot.store.db import SessionMaker
from relaybot.store.models import DeadLetter, InboundUpdate, OutboxMessage

WINDOW_MINUTES = 30
RATE_MINUTES = 5
TIMING_SAMPLE = 5000


@dataclass
class BotFigures:
    bot: str
    updates_per_minute: float = 0.0
    replies_per_minute: float = 0.0
    queue_depth: int = 0
    oldest_age: float | None = None
    outbox_pending: int = 0
    dead_letters: int = 0
    p50_ms: float | None = None
    p99_ms: float | None = None
    updates_series: list[int] = field(default_factory=lambda: [0] * WINDOW_MINUTES)
    replies_series: list[int] = field(default_factory=lambda: [0] * WINDOW_MINUTES)


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[min(98, max(0, round(share * 100) - 1))]


def _minute_slot(at: float, now: float) -> int | None:
    slot = WINDOW_MINUTES - 1 - int((now - at) // 60)
    return slot if 0 <= slot < WINDOW_MINUTES else None


async def figures(
    sessions: SessionMaker, bots: Iterable[str], *, now: float | None = None
) -> list[BotFigures]:
    names = sorted(set(bots))
    now = now or time.time()
    since = now - WINDOW_MINUTES * 60
    out = {name: BotFigures(name) for name in names}
    async with sessions() as session:
        arrived = await session.execute(
            select(InboundUpdate.bot, InboundUpdate.received_at, InboundUpdate.processed_at)
            .where(InboundUpdate.bot.in_(names), InboundUpdate.received_at >= since)
            .limit(TIMING_SAMPLE * 4)
        )
        timings: dict[str, list[float]] = {name: [] for name in names}
        for bot, received, processed in arrived:
            slot = _minute_slot(received, now)
            if slot is not None:
                out[bot].updates_series[slot] += 1
            if received >= now - RATE_MINUTES * 60:
                out[bot].updates_per_minute += 1 / RATE_MINUTES
            if processed is not None and len(timings[bot]) < TIMING_SAMPLE:
                timings[bot].append(max(0.0, processed - received) * 1000)
        replies = await session.execute(
            select(OutboxMessage.bot, OutboxMessage.created_at).where(
                OutboxMessage.bot.in_(names), OutboxMessage.created_at >= since
            )
        )
        for bot, created in replies:
            slot = _minute_slot(created, now)
            if slot is not None:
                out[bot].replies_series[slot] += 1
            if created >= now - RATE_MINUTES * 60:
                out[bot].replies_per_minute += 1 / RATE_MINUTES
        pending = await session.execute(
            select(InboundUpdate.bot, func.count(), func.min(InboundUpdate.received_at))
            .where(InboundUpdate.status == "pending", InboundUpdate.bot.in_(names))
            .group_by(InboundUpdate.bot)
        )
        for bot, count, oldest in pending:
            out[bot].queue_depth = int(count)
            out[bot].oldest_age = None if oldest is None else max(0.0, now - float(oldest))
        outbox = await session.execute(
            select(OutboxMessage.bot, func.count())
            .where(OutboxMessage.status == "pending", OutboxMessage.bot.in_(names))
            .group_by(OutboxMessage.bot)
        )
        for bot, count in outbox:
            out[bot].outbox_pending = int(count)
        dead = await session.execute(
            select(DeadLetter.bot, func.count())
            .where(DeadLetter.bot.in_(names))
            .group_by(DeadLetter.bot)
        )
        for bot, count in dead:
            out[bot].dead_letters = int(count)
    for name, values in timings.items():
        out[name].p50_ms = percentile(values, 0.50)
        out[name].p99_ms = percentile(values, 0.99)
    return [out[name] for name in names]
