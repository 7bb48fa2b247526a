"""What the shop's stories look at in the database: dialogs in progress and how they ended."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from relaybot.store.models import DialogOutcome, DialogStateRow
from relaybot.system import System


async def outcomes(system: System) -> list[tuple[str, str | None]]:
    """(reason, step left at) of every finished dialog, oldest first."""
    async with system.sessions() as session:
        rows = await session.scalars(select(DialogOutcome).order_by(DialogOutcome.id))
        return [(row.reason, row.dropoff_state) for row in rows]


async def dialog_of(system: System, chat_id: str) -> tuple[str, str, dict[str, Any]] | None:
    """(flow, step, data) of the chat's dialog in progress."""
    async with system.sessions() as session:
        row = await session.get(DialogStateRow, ("shop", chat_id))
        return None if row is None else (row.flow, row.step, dict(row.data))
