"""Broadcasts: one text to many people, paced through the outbox.

Person-to-person notices (`relaybot.core.notify`) go into the outbox of the same transaction
as the change; broadcasts are paced with `pace`, a timeline shared by every process through
the `leases` table, so a channel's overall limit (Telegram: about 30 messages a second) holds
however many broadcasts overlap.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from relaybot.config import BotConfig
from relaybot.core.types import Address, OutgoingMessage
from relaybot.runtime.lease import extend_window
from relaybot.runtime.outbox import enqueue
from relaybot.store.models import Lease

PACE_STEP = 0.1  # seconds between groups of a paced broadcast


async def pace(
    session: AsyncSession,
    key: str,
    *,
    count: int,
    rate: float,
    now: float,
) -> list[float]:
    """Send times for `count` messages at `rate` a second, after those already paced on `key`."""
    if count <= 0:
        return []
    if rate <= 0:
        raise ValueError("a broadcast rate must be positive")
    group = max(1, math.floor(rate * PACE_STEP))
    groups = math.ceil(count / group)
    span = groups * group / rate
    start = await extend_window(session, f"pace:{key}", now=now, span=span)
    return [start + (index // group) * group / rate for index in range(count)]


async def room(session: AsyncSession, key: str, *, rate: float, now: float, horizon: float) -> int:
    """How many more messages `key` may take now without pacing beyond `horizon` seconds.

    Feeding a long broadcast a few seconds at a time keeps the outbox short, so person-to-person
    notices written meanwhile are not queued behind thousands of paced messages.
    """
    ends = await session.scalar(select(Lease.expires_at).where(Lease.name == f"pace:{key}"))
    end = now if ends is None else max(float(ends), now)
    return max(0, math.floor((now + horizon - end) * rate))


async def broadcast(
    session: AsyncSession,
    messages: Sequence[tuple[Address, OutgoingMessage]],
    *,
    bots: Mapping[str, BotConfig],
    rate: float,
    now: float,
    key: str = "broadcast",
    trace_id: str = "",
) -> list[float]:
    """Write a broadcast to the outbox, each message due at its paced time; returns the times."""
    times = await pace(session, key, count=len(messages), rate=rate, now=now)
    batch: list[tuple[Address, OutgoingMessage]] = []
    current: float | None = None
    for message, due in zip(messages, times, strict=True):
        if current is not None and due != current:
            await enqueue(session, batch, bots=bots, trace_id=trace_id, not_before=current)
            batch = []
        current = due
        batch.append(message)
    if batch:
        await enqueue(session, batch, bots=bots, trace_id=trace_id, not_before=current)
    return times
