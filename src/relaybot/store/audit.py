"""The audit log: who did what as an admin or moderator, when, and through which channel.

`audit` writes inside the caller's session, so the entry commits (or rolls back) together with
the change it describes: an audit trail that claims an action which never happened, or misses
one that did, is worse than none.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from relaybot.store.base import utcnow
from relaybot.store.db import SessionMaker
from relaybot.store.models import AuditEntry

_SECRET_KEYS = re.compile(r"token|secret|password|authorization|cookie|api_key", re.IGNORECASE)
MAX_TEXT = 256


def _clip(value: str | None, limit: int) -> str | None:
    return None if value is None else value[:limit]


def scrub(details: Mapping[str, Any]) -> dict[str, Any]:
    """Drop secret-looking values: an audit entry says a token was created, never which one."""
    clean: dict[str, Any] = {}
    for key, value in details.items():
        if _SECRET_KEYS.search(str(key)):
            clean[str(key)] = "***"
        elif isinstance(value, Mapping):
            clean[str(key)] = scrub(value)
        elif isinstance(value, str | int | float | bool) or value is None:
            clean[str(key)] = value[:1000] if isinstance(value, str) else value
        else:
            clean[str(key)] = str(value)[:1000]
    return clean


async def audit(
    session: AsyncSession,
    *,
    actor: str,
    channel: str,
    action: str,
    target: str | int | None = None,
    details: Mapping[str, Any] | None = None,
    bot: str | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    """Record an admin or moderator action in the caller's transaction.

    `actor` names the person or token ("telegram:123456", "token:deploy", "cli:alice");
    `channel` is where the action came from ("telegram", "webchat", "rest", "cli").
    """
    if not actor or not action:
        raise ValueError("an audit entry needs an actor and an action")
    entry = AuditEntry(
        at=at or utcnow(),
        actor=actor[:MAX_TEXT],
        channel=channel[:32],
        bot=_clip(bot, 64),
        action=action[:64],
        target=_clip(None if target is None else str(target), MAX_TEXT),
        details=scrub(details or {}),
    )
    session.add(entry)
    await session.flush()
    return entry


@dataclass(frozen=True)
class AuditRecord:
    id: int
    at: datetime
    actor: str
    channel: str
    bot: str | None
    action: str
    target: str | None
    details: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": self.at.isoformat(),
            "actor": self.actor,
            "channel": self.channel,
            "bot": self.bot,
            "action": self.action,
            "target": self.target,
            "details": self.details,
        }


async def recent(
    sessions: SessionMaker,
    *,
    limit: int = 100,
    actor: str | None = None,
    action: str | None = None,
    app: str | None = None,
) -> list[AuditRecord]:
    """The newest entries first, optionally for one actor, one action or one app's actions
    (those named `<app>.…`)."""
    async with sessions() as session:
        query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
        if actor is not None:
            query = query.where(AuditEntry.actor == actor)
        if action is not None:
            query = query.where(AuditEntry.action == action)
        if app is not None:
            query = query.where(AuditEntry.action.startswith(f"{app}.", autoescape=True))
        rows = await session.scalars(query)
        return [
            AuditRecord(
                id=r.id,
                at=r.at,
                actor=r.actor,
                channel=r.channel,
                bot=r.bot,
                action=r.action,
                target=r.target,
                details=dict(r.details or {}),
            )
            for r in rows
        ]
