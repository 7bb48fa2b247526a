"""The Telegram stand-in for the classifieds stories, on a loopback port of its own."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from relaybot.testing.telegram_standin import TelegramStandin


@pytest.fixture
async def telegram() -> AsyncIterator[TelegramStandin]:
    async with TelegramStandin() as standin:
        yield standin
