"""Notification routing: an event -> who is told, by role -> messages through the outbox.

An app declares a `Matrix` of routes (event, initiator's role -> recipient's role -> text)
and hands over the people concerned; `route` picks who hears what and always leaves out
the person who caused the event. Person-to-person notices go into the outbox of the same
transaction as the change; broadcasts (one text to many people) are paced with `pace`, a
timeline shared by every process through the `leases` table, so a channel's overall limit
(Telegram: about 30 messages a second) holds however many broadcasts overlap.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from relaybot.config import BotConfig
from relaybot.core.app import ButtonsSpec
from relaybot.core.types import Address, Attachment, OutgoingMessage
from relaybot.runtime.lease import extend_window
from relaybot.runtime.outbox import enqueue
from relaybot.store.models import Lease

NOBODY = "-"
PACE_STEP = 0.1  # seconds between groups of a paced broadcast


@dataclass(frozen=True)
class Recipient:
    """A person who may be told: `key` is their identity, to recognise the initiator by."""

    key: str
    role: str
    address: Address | None
    channel: str
    locale: str


@dataclass(frozen=True)
class Route:
    """When `initiator` (a role) causes `event`, people of role `recipient` get `text`."""

    event: str
    initiator: str
    recipient: str
    text: str


class Matrix:
    """The recipient matrix of an app, checked when it is declared."""

    def __init__(self, routes: Iterable[Route]) -> None:
        self._routes: dict[tuple[str, str], dict[str, str]] = {}
        for route in routes:
            table = self._routes.setdefault((route.event, route.initiator), {})
            if route.recipient in table:
                raise ValueError(
                    f"notification matrix: {route.event} by {route.initiator} names "
                    f"recipient role {route.recipient!r} twice"
                )
            table[route.recipient] = route.text

    def texts(self, event: str, initiator_role: str) -> dict[str, str]:
        """Recipient role -> text for this event and initiator; empty when nobody is told."""
        return dict(self._routes.get((event, initiator_role), {}))

    @property
    def events(self) -> list[str]:
        """Events in the order they were declared."""
        return list(dict.fromkeys(event for event, _ in self._routes))

    def roles_told(self, event: str) -> list[str]:
        """Roles that may hear of `event`, in the order they were declared."""
        roles = (r for (e, _), table in self._routes.items() if e == event for r in table)
        return list(dict.fromkeys(roles))


@dataclass(frozen=True)
class Notice:
    recipient: Recipient
    text: str


def route(
    matrix: Matrix,
    event: str,
    *,
    initiator_role: str,
    initiator_key: str | None,
    people: Iterable[Recipient],
) -> list[Notice]:
    """Who of `people` hears of `event`: once each, never the initiator, never the unreachable."""
    texts = matrix.texts(event, initiator_role)
    notices: list[Notice] = []
    seen: set[str] = set()
    for person in people:
        text = texts.get(person.role)
        if text is None or person.key == initiator_key or person.key in seen:
            continue
        if person.address is None:
            continue
        seen.add(person.key)
        notices.append(Notice(person, text))
    return notices


class Outlet(Protocol):
    """Anything that queues a message into the current transaction's outbox (`Context`, jobs)."""

    def send(
        self,
        to: Address,
        text: str,
        *,
        buttons: ButtonsSpec = None,
        media: Sequence[Attachment] = (),
    ) -> None: ...


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
