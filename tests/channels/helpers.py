"""Settings and database look-ups shared by the channel tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from relaybot.apps.orders.models import Order
from relaybot.core.clock import ManualClock
from relaybot.store.models import InboundUpdate, OutboxMessage
from relaybot.system import System
from relaybot.testing import RelaybotServer
from relaybot.testing.telegram_standin import TelegramStandin

TELEGRAM_TOKEN = "7000001:AAtest-token-of-the-water-bot"
TELEGRAM_SECRET = "telegram-secret_1"
# The conversation tests answer at once; Telegram's 1/s per chat would only make them slow.
FAST = {"per_chat_per_second": 100.0, "per_chat_burst": 100}


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


SHOWCASE = "tests.channels.apps:ShowcaseApp"


async def stored_count(system: Any) -> int:
    async with system.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(InboundUpdate)) or 0)


async def deliver_everything(system: System, clock: ManualClock, count: int) -> list[float]:
    """Run the sender tick by tick, moving the clock by what it asks to wait; sent_at times."""
    sender = system.sender()
    for _ in range(100_000):
        wait = await sender.tick()
        async with system.sessions() as session:
            sent = list(
                await session.scalars(
                    select(OutboxMessage.sent_at).where(OutboxMessage.status == "sent")
                )
            )
        if len(sent) == count:
            return sorted(t for t in sent if t is not None)
        clock.advance(max(wait, 0.001))
    raise AssertionError("the sender never finished")
