"""The shop bot of `tests.flows.shop`, run by a real worker through `relaybot.testing`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from sqlalchemy import select

from relaybot.config import BotConfig, Settings
from relaybot.store.models import DialogOutcome, DialogStateRow
from relaybot.system import System, build_system
from relaybot.testing import ChatDriver


@pytest.fixture
async def shop(
    make_settings: Callable[..., Settings], sqlite_url: str
) -> AsyncIterator[ChatDriver]:
    bot = BotConfig(
        name="shop",
        app="tests.flows.shop:ShopApp",
        options={"admins": ["boss", "chief"], "auditors": ["chief"]},
    )
    system = await build_system(
        make_settings(sqlite_url, bots=[bot], webchat_for_bundled_apps=False)
    )
    try:
        yield ChatDriver(system)
    finally:
        await system.close()


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
