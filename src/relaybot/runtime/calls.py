"""Writing an update's calls to the `calls` table, inside the transaction that produced them."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from relaybot.core.calls import PendingCall, encode_request
from relaybot.core.types import Update
from relaybot.store.models import OutgoingCall
from relaybot.store.sql import table_of


def call_rows(update: Update, calls: Sequence[PendingCall]) -> list[dict[str, Any]]:
    """Rows for the calls `update`'s handler made, due at once."""
    now = time.time()
    return [
        {
            "id": call.id,
            "bot": update.bot,
            "chat_id": update.chat_id,
            "user_id": update.user_id,
            "language": update.language,
            "tag": call.tag,
            "kind": call.kind,
            "request": encode_request(call.request),
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
            "trace_id": update.trace_id,
        }
        for call in calls
    ]


async def record_calls(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        await session.execute(insert(table_of(OutgoingCall)), list(rows))
