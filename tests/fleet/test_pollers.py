"""A Telegram bot in long-polling mode added and disabled while relaybot runs: its poller
starts and stops with it."""

from __future__ import annotations

import asyncio

from cryptography.fernet import Fernet

from relaybot.testing import RelaybotServer, TelegramStandin

TOKEN = "515151515:AAH-polling-bot-token-abcdefghijkl"


async def test_a_polling_bot_starts_polling_when_added_and_stops_when_disabled(
    make_settings, sqlite_url
):
    settings = make_settings(sqlite_url, bots_key=Fernet.generate_key().decode())
    async with TelegramStandin() as telegram, RelaybotServer(settings) as server:
        assert server.system is not None and server.system.bot_admin is not None
        admin = server.system.bot_admin
        bot = {
            "name": "poller",
            "app": "relaybot.testing.counting:CountingApp",
            "channel": "telegram",
            "mode": "polling",
            "token": TOKEN,
            "api_base": telegram.url,
            "options": {"poll_timeout": 1},
        }
        await admin.add(bot, actor="test", channel="cli")
        person = telegram.user(TOKEN, user_id=6161)
        replies = await person.say("are you there?")
        assert [m.text for m in replies] == ["are you there? #1"]

        await admin.set_enabled("poller", False, actor="test", channel="cli")
        assert server.system.registry is not None
        assert "poller" not in server.system.registry.describe()["pollers"]
        calls = len(telegram.calls_to("getUpdates"))
        await asyncio.sleep(2.5)  # longer than a poll's timeout: a live poller would ask again
        assert len(telegram.calls_to("getUpdates")) == calls
