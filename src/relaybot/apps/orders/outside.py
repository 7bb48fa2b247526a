"""Telling a client from outside a chat update (the REST API, `relaybot orders set-status`):
the notice goes into the outbox of the transaction that made the change, like a chat's."""

from __future__ import annotations

import time

from sqlalchemy.ext.asyncio import AsyncSession

from relaybot import Address, BotConfig, OutgoingMessage, Settings, broadcast
from relaybot.apps import BUNDLED

from .lifecycle import operator_chats

NOTICE_RATE = 30.0  # messages a second: a single change tells one person


def bots_of(settings: Settings) -> dict[str, BotConfig]:
    """The bots a message can go through: the configured ones and the bundled web chat bots."""
    bots = {bot.name: bot for bot in settings.bots}
    if settings.webchat_for_bundled_apps:
        for name in BUNDLED:
            bots.setdefault(name, BotConfig(name=name, app=name, channel="webchat"))
    return bots


async def operator_chats_everywhere(session: AsyncSession, settings: Settings) -> list[Address]:
    """The registered operators' chats, and those the bots' `operators_chat` option names."""
    chats = await operator_chats(session)
    for bot in settings.bots:
        chat = bot.options.get("operators_chat") if bot.app == "orders" else None
        if chat not in (None, "") and Address(bot.name, str(chat)) not in chats:
            chats.append(Address(bot.name, str(chat)))
    return chats


async def tell(session: AsyncSession, settings: Settings, to: Address | None, text: str) -> bool:
    """Queue `text` for `to` in this transaction; False when its bot is not configured."""
    bots = bots_of(settings)
    if to is None or to.bot not in bots:
        return False
    await broadcast(
        session,
        [(to, OutgoingMessage(text=text))],
        bots=bots,
        rate=NOTICE_RATE,
        now=time.time(),
        key=f"orders:{to.bot}",
    )
    return True
