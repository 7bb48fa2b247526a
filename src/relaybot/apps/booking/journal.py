"""The audit trail of the booking app: every admin and specialist action, before and after.

Entries go into the shared audit log (`relaybot audit list --app booking`) inside the
transaction of the change, so an entry exists exactly when its change does.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from relaybot import audit

from .users import Actor

PREFIX = "booking."


def actor_name(actor: Actor) -> str:
    """How the audit log names a person of the booking app: their user id and role."""
    return f"booking:user:{actor.user.id}:{actor.role}"


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def snapshot(row: object, fields: Iterable[str]) -> dict[str, Any]:
    """The named columns of `row` as JSON-ready values, for "before" and "after"."""
    return {name: _plain(getattr(row, name)) for name in fields}


class Journal:
    """Writes the entries of one actor acting through one channel."""

    def __init__(self, session: AsyncSession, actor: Actor, channel: str) -> None:
        self.session = session
        self.actor = actor
        self.channel = channel or "chat"

    async def note(
        self,
        action: str,
        target: str,
        *,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
        **details: Any,
    ) -> None:
        if before is not None and after is not None:
            changed = {k for k in after if before.get(k) != after.get(k)}
            before = {k: v for k, v in before.items() if k in changed}
            after = {k: v for k, v in after.items() if k in changed}
        body: dict[str, Any] = {k: _plain(v) for k, v in details.items()}
        if before is not None:
            body["before"] = before
        if after is not None:
            body["after"] = after
        await audit(
            self.session,
            actor=actor_name(self.actor),
            channel=self.channel,
            action=PREFIX + action,
            target=target,
            details=body,
        )
