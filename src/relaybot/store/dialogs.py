"""Dialog state in the `dialog_states` table, inside the worker's transaction."""

from __future__ import annotations

import copy

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import flag_modified

from relaybot.core.app import DialogState
from relaybot.store.models import DialogStateRow


class SqlStateStorage:
    """`StateStorage` over the session the worker opened for the update."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def load(self, bot: str, chat_id: str) -> DialogState | None:
        row = await self.session.get(DialogStateRow, (bot, chat_id))
        if row is None:
            return None
        return DialogState(
            flow=row.flow,
            step=row.step,
            data=copy.deepcopy(row.data),
            started_at=row.started_at,
            updated_at=row.updated_at,
            expires_at=row.expires_at,
            messages=row.messages,
        )

    async def save(self, bot: str, chat_id: str, state: DialogState) -> None:
        row = await self.session.get(DialogStateRow, (bot, chat_id))
        if row is None:
            row = DialogStateRow(bot=bot, chat_id=chat_id)
            self.session.add(row)
        row.flow = state.flow
        row.step = state.step
        row.data = copy.deepcopy(state.data)
        flag_modified(row, "data")
        row.started_at = state.started_at
        row.updated_at = state.updated_at
        row.expires_at = state.expires_at
        row.messages = state.messages

    async def clear(self, bot: str, chat_id: str) -> None:
        row = await self.session.get(DialogStateRow, (bot, chat_id))
        if row is not None:
            await self.session.delete(row)
