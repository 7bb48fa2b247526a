"""The constructor on Telegram through the Bot API stand-in: the /remind menu as inline
buttons, a bot made question by question, and its reminder posted to a Telegram group."""

from __future__ import annotations

import time
from collections.abc import Callable

from relaybot.config import Settings
from relaybot.testing import RelaybotServer
from relaybot.testing.telegram_standin import BotMessage, TelegramStandin

TOKEN = "7000077:AAtest-token-of-the-reminders-bot"
SECRET = "reminders-secret_1"
GROUP = -1005550001
QUIET = 0.15


def texts(messages: list[BotMessage]) -> str:
    return "\n".join(m.text for m in messages)


async def test_a_person_makes_a_reminder_for_their_group_on_telegram(
    make_settings: Callable[..., Settings], sqlite_url: str
) -> None:
    async with TelegramStandin() as telegram:
        bot = {
            "name": "reminders_tg",
            "app": "reminders",
            "channel": "telegram",
            "token": TOKEN,
            "webhook_secret": SECRET,
            "api_base": telegram.url,
        }
        settings = make_settings(
            sqlite_url, bots=[bot], webchat_for_bundled_apps=False, default_locale="en"
        )
        async with RelaybotServer(settings) as server:
            state = telegram.bot(TOKEN)
            state.webhook_url = f"{server.url}/webhook/telegram/reminders_tg"
            state.webhook_secret = SECRET
            aida = telegram.user(TOKEN, user_id=5200001, first_name="Aida")
            await aida.say("/remind", quiet=QUIET)
            assert aida.buttons()[0] == "Create a bot"
            await aida.press("Create a bot", quiet=QUIET)
            for answer in ("Family", "bins", str(GROUP), "Put the bins out", "0 19 * * 2"):
                await aida.say(answer, quiet=QUIET)
            done = await aida.say("Asia/Bishkek", quiet=QUIET)
            assert "The bot Family is created with the job bins: at 19:00 on Tuesday" in (
                texts(done)
            )
            assert server.system is not None
            scheduler = server.system.scheduler()
            [engine] = [j for j in scheduler.jobs if j.name == "reminders.engine"]
            assert await scheduler.run_job(engine, time.time() + 8 * 86400)
            server.system.sender_signal.notify()
            await telegram.wait_until(lambda: bool(telegram.sent_to(GROUP)))
            assert [m.text for m in telegram.sent_to(GROUP)] == ["Put the bins out"]
