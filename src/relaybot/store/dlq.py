"""Operator actions on the dead-letter queue: list, replay into the outbox, drop; dead calls."""

from __future__ import annotations

import time
from collections.abc import Sequence

from sqlalchemy import delete, insert, select

from relaybot.store.audit import audit
from relaybot.store.db import SessionMaker
from relaybot.store.models import DeadLetter, OutboxMessage, OutgoingCall


async def list_dead(sessions: SessionMaker, *, limit: int = 100) -> list[DeadLetter]:
    async with sessions() as session:
        rows = await session.scalars(select(DeadLetter).order_by(DeadLetter.id).limit(limit))
        return list(rows)


async def list_dead_calls(sessions: SessionMaker, *, limit: int = 100) -> list[OutgoingCall]:
    """Calls to other services that failed for good (the app was told), oldest first."""
    async with sessions() as session:
        rows = await session.scalars(
            select(OutgoingCall)
            .where(OutgoingCall.status == "dead")
            .order_by(OutgoingCall.finished_at, OutgoingCall.id)
            .limit(limit)
        )
        return list(rows)


async def replay(
    sessions: SessionMaker,
    ids: Sequence[int] | None,
    *,
    actor: str | None = None,
    channel: str = "cli",
) -> list[int]:
    """Put dead letters back in the outbox as new messages; `None` replays them all.

    With an `actor`, the replay is written to the audit log in the same transaction."""
    now = time.time()
    async with sessions() as session, session.begin():
        query = select(DeadLetter).order_by(DeadLetter.id)
        if ids is not None:
            query = query.where(DeadLetter.id.in_(ids))
        letters = list(await session.scalars(query.with_for_update()))
        for letter in letters:
            await session.execute(
                insert(OutboxMessage).values(
                    bot=letter.bot,
                    channel=letter.channel,
                    chat_id=letter.chat_id,
                    payload=letter.payload,
                    status="pending",
                    attempts=0,
                    next_attempt_at=now,
                    created_at=now,
                    trace_id=letter.trace_id,
                )
            )
            await session.delete(letter)
        replayed = [letter.id for letter in letters]
        if actor is not None and replayed:
            await audit(
                session,
                actor=actor,
                channel=channel,
                action="dlq.replay",
                target="all" if ids is None else ",".join(map(str, replayed))[:256],
                details={"replayed": len(replayed)},
            )
        return replayed


async def drop(
    sessions: SessionMaker, ids: Sequence[int], *, actor: str | None = None, channel: str = "cli"
) -> int:
    async with sessions() as session, session.begin():
        result = await session.execute(delete(DeadLetter).where(DeadLetter.id.in_(ids)))
        count = int(getattr(result, "rowcount", 0))
        if actor is not None and count:
            await audit(
                session,
                actor=actor,
                channel=channel,
                action="dlq.drop",
                target=",".join(map(str, sorted(set(ids))))[:256],
                details={"dropped": count},
            )
        return count
