"""The `bots` table: bots an operator adds, changes and removes while relaybot runs.

Rows hold credentials only in sealed form; sealing and opening is the caller's (the fleet's)
job, so nothing here ever sees a token. Every change records its audit entry in the same
transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from relaybot.store.audit import audit
from relaybot.store.base import utcnow
from relaybot.store.db import SessionMaker
from relaybot.store.models import BotRow


class BotProblem(ValueError):
    """A change refused; `field` names the part of the request that is wrong, when one is."""

    status = 422

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field

    @property
    def message(self) -> str:
        return str(self)


class BotInvalid(BotProblem):
    status = 422


class BotConflict(BotProblem):
    status = 409


class BotMissing(BotProblem):
    status = 404


class BotUnavailable(BotProblem):
    """The process cannot store or open credentials (no key, or the wrong one)."""

    status = 503


@dataclass(frozen=True)
class StoredBot:
    name: str
    app: str
    channel: str
    title: str | None
    mode: str
    api_base: str | None
    options: dict[str, Any]
    credentials: bytes | None
    enabled: bool
    revision: int
    created_at: datetime
    updated_at: datetime
    changed_by: str


def _stored(row: BotRow) -> StoredBot:
    return StoredBot(
        name=row.name,
        app=row.app,
        channel=row.channel,
        title=row.title,
        mode=row.mode,
        api_base=row.api_base,
        options=dict(row.options or {}),
        credentials=row.credentials,
        enabled=row.enabled,
        revision=row.revision,
        created_at=row.created_at,
        updated_at=row.updated_at,
        changed_by=row.changed_by,
    )


async def listing(sessions: SessionMaker) -> list[StoredBot]:
    async with sessions() as session:
        rows = await session.scalars(select(BotRow).order_by(BotRow.name))
        return [_stored(row) for row in rows]


async def find(sessions: SessionMaker, name: str) -> StoredBot | None:
    async with sessions() as session:
        row = await session.get(BotRow, name)
        return None if row is None else _stored(row)


async def revisions(sessions: SessionMaker) -> dict[str, int]:
    """Every stored bot's revision: the cheap question each process asks every few seconds."""
    async with sessions() as session:
        rows = await session.execute(select(BotRow.name, BotRow.revision))
        return {name: revision for name, revision in rows}


async def insert(
    sessions: SessionMaker, values: Mapping[str, Any], *, actor: str, channel: str
) -> StoredBot:
    now = utcnow()
    try:
        async with sessions() as session, session.begin():
            row = BotRow(**values, revision=1, created_at=now, updated_at=now, changed_by=actor)
            session.add(row)
            await session.flush()
            await audit(
                session,
                actor=actor,
                channel=channel,
                action="bot.add",
                target=row.name,
                bot=row.name,
                details={"app": row.app, "channel": row.channel, "enabled": row.enabled},
            )
            return _stored(row)
    except IntegrityError:
        raise BotConflict(f"a bot named {values['name']!r} exists already", field="name") from None


async def change(
    sessions: SessionMaker,
    name: str,
    values: Mapping[str, Any],
    *,
    actor: str,
    channel: str,
    action: str = "bot.update",
) -> StoredBot:
    """Apply `values` to the bot and raise its revision; BotMissing when there is none."""
    async with sessions() as session, session.begin():
        changed = await session.execute(
            update(BotRow)
            .where(BotRow.name == name)
            .values(**values, revision=BotRow.revision + 1, updated_at=utcnow(), changed_by=actor)
            .execution_options(synchronize_session=False)
        )
        if getattr(changed, "rowcount", 0) == 0:
            raise BotMissing(f"no bot named {name!r} in the database", field="name")
        fields = sorted(k for k in values if k != "credentials")
        if "credentials" in values:
            fields.append("credentials")
        await audit(
            session,
            actor=actor,
            channel=channel,
            action=action,
            target=name,
            bot=name,
            details={"fields": ",".join(fields)},
        )
        row = await session.get(BotRow, name, populate_existing=True)
        assert row is not None
        return _stored(row)


async def remove(sessions: SessionMaker, name: str, *, actor: str, channel: str) -> None:
    async with sessions() as session, session.begin():
        removed = await session.execute(delete(BotRow).where(BotRow.name == name))
        if getattr(removed, "rowcount", 0) == 0:
            raise BotMissing(f"no bot named {name!r} in the database", field="name")
        await audit(
            session, actor=actor, channel=channel, action="bot.remove", target=name, bot=name
        )
