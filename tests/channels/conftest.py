"""Stand-in messenger servers for the channel tests, each on its own loopback port."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from relaybot.testing.telegram_standin import TelegramStandin


@pytest.fixture
async def telegram() -> AsyncIterator[TelegramStandin]:
    async with TelegramStandin() as standin:
        yield standin


@pytest.fixture
async def mattermost():
    from relaybot.testing.mattermost_standin import MattermostStandin

    async with MattermostStandin() as standin:
        yield standin
