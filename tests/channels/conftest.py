"""Stand-in messenger servers for the channel tests, each on its own loopback port."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import func, select

from relaybot.apps.orders.models import Order
from relaybot.store.models import InboundUpdate
from relaybot.testing import RelaybotServer
from relaybot.testing.telegram_standin import TelegramStandin

TELEGRAM_TOKEN = "7000001:AAtest-token-of-the-water-bot"
TELEGRAM_SECRET = "telegram-secret_1"
# The conversation tests answer at once; Telegram's 1/s per chat would only make them slow.
FAST = {"per_chat_per_second": 100.0, "per_chat_burst": 100}


@pytest.fixture
async def telegram() -> AsyncIterator[TelegramStandin]:
    async with TelegramStandin() as standin:
        yield standin


def telegram_bot(standin: TelegramStandin, **overrides: Any) -> dict[str, Any]:
    bot: dict[str, Any] = {
        "name": "water",
        "app": "orders",
        "channel": "telegram",
        "token": TELEGRAM_TOKEN,
        "webhook_secret": TELEGRAM_SECRET,
        "api_base": standin.url,
        "options": dict(FAST),
    }
    bot.update(overrides)
    return bot


async def orders_in(server: RelaybotServer) -> list[Order]:
    assert server.system is not None
    async with server.system.sessions() as session:
        return list(await session.scalars(select(Order).order_by(Order.id)))


async def stored_updates(server: RelaybotServer) -> int:
    assert server.system is not None
    async with server.system.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(InboundUpdate)) or 0)
