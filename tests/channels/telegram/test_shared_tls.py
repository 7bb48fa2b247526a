"""Hundreds of Telegram bots in one process share one TLS context instead of one each."""

from __future__ import annotations

from relaybot.channels.telegram.adapter import telegram_bot
from relaybot.channels.telegram.session import JsonAiohttpSession, shared_tls_context
from relaybot.config import BotConfig
from relaybot.testing import TelegramStandin


async def test_every_bot_session_uses_the_one_tls_context_and_still_talks_to_telegram():
    async with TelegramStandin() as telegram:
        clients = [
            telegram_bot(
                BotConfig(
                    name=f"b{n}",
                    app="orders",
                    channel="telegram",
                    token=f"{300000 + n}:AAH-shared-tls-token-abcdefghijk",
                    api_base=telegram.url,
                )
            )
            for n in range(3)
        ]
        try:
            sessions = [c.session for c in clients]
            assert all(isinstance(s, JsonAiohttpSession) for s in sessions)
            contexts = {id(s._connector_init["ssl"]) for s in sessions}  # type: ignore[attr-defined]
            assert contexts == {id(shared_tls_context())}
            names = [(await c.get_me()).username for c in clients]
        finally:
            for client in clients:
                await client.session.close()
    assert names == ["relay300000_bot", "relay300001_bot", "relay300002_bot"]
