"""Writing replies to the outbox, inside the transaction that produced them."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from relaybot.config import BotConfig
from relaybot.core.types import Address, OutgoingMessage, encode
from relaybot.store.models import OutboxMessage


class UnknownBot(LookupError):
    pass


async def enqueue(
    session: AsyncSession,
    messages: Sequence[tuple[Address, OutgoingMessage]],
    *,
    bots: Mapping[str, BotConfig],
    trace_id: str = "",
    not_before: float | None = None,
) -> int:
    rows = outbox_rows(messages, bots=bots, trace_id=trace_id, not_before=not_before)
    if rows:
        await session.execute(insert(OutboxMessage), rows)
    return len(rows)


def outbox_rows(
    messages: Sequence[tuple[Address, OutgoingMessage]],
    *,
    bots: Mapping[str, BotConfig],
    trace_id: str = "",
    not_before: float | None = None,
) -> list[dict[str, Any]]:
    """Outbox rows for `messages`, in order; raises `UnknownBot` for a bot not configured."""
    now = time.time()
    rows: list[dict[str, Any]] = []
    for address, message in messages:
        bot = bots.get(address.bot)
        if bot is None:
            raise UnknownBot(f"no bot named {address.bot!r} is configured")
        rows.append(
            {
                "bot": address.bot,
                "channel": bot.channel,
                "chat_id": address.chat_id,
                "payload": encode(message),
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": not_before or now,
                "created_at": now,
                "trace_id": trace_id,
            }
        )
    return rows


@dataclass(frozen=True)
class Refusal:
    """A message its chat refused for good: the bot was blocked or removed, the chat is gone."""

    id: int
    bot: str
    chat_id: str
    error: str


async def refused_since(
    session: AsyncSession, after: int, *, limit: int = 1000
) -> tuple[list[Refusal], int]:
    """The refused messages among the outbox rows after row `after`, and the row up to which
    every row's fate is known (a pending row stops the reading: it may still be refused).

    For apps that act on a refusal (switch a reminder off): they keep the returned mark and
    pass it back next time.
    """
    rows = await session.execute(
        select(
            OutboxMessage.id,
            OutboxMessage.bot,
            OutboxMessage.chat_id,
            OutboxMessage.status,
            OutboxMessage.last_error,
        )
        .where(OutboxMessage.id > after)
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    refused: list[Refusal] = []
    mark = after
    for row_id, bot, chat_id, status, error in rows:
        if status == "pending":
            break
        if status == "blocked":
            refused.append(Refusal(row_id, bot, chat_id, error or ""))
        mark = row_id
    return refused, mark
