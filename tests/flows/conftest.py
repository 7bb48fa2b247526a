"""The shop bot of `tests.flows.shop`, run by a real worker through `relaybot.testing`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from relaybot.config import BotConfig, Settings
from relaybot.system import build_system
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
