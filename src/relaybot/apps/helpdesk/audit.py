"""Admin and moderator actions go to the core audit log: who, what, on what, from where."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from relaybot.store.models import AuditEntry

from .models import HelpdeskUser


def user_actor(user: HelpdeskUser) -> str:
    return f"helpdesk-user:{user.id}"


def record(
    session: AsyncSession,
    *,
    actor: str,
    channel: str,
    action: str,
    target: str | None = None,
    bot: str | None = None,
    at: datetime | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    entry = AuditEntry(
        actor=actor[:256],
        channel=channel,
        bot=bot,
        action=f"helpdesk.{action}",
        target=target,
        details=details or {},
    )
    if at is not None:
        entry.at = at
    session.add(entry)
