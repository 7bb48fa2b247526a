"""The operators' chat as a Telegram group (the bot's `operators_chat` option): the order is
announced there, an operator accepts it with the group's button, the client hears it in their
private chat, and the group's own talk is left alone."""

from __future__ import annotations

from relaybot.testing import RelaybotServer
from relaybot.testing.telegram_standin import BotMessage, TelegramStandin

TOKEN = "7000043:AAtest-token-of-the-water-bot"
SECRET = "orders-secret_1"
GROUP = -1001234567890
QUIET = 0.2


def texts(messages: list[BotMessage]) -> str:
    return "\n".join(m.text for m in messages)


async def test_a_telegram_group_of_operators_accepts_an_order(make_settings, sqlite_url):
    async with TelegramStandin() as telegram:
        bot = {
            "name": "water_tg",
            "app": "orders",
            "channel": "telegram",
            "token": TOKEN,
            "webhook_secret": SECRET,
            "api_base": telegram.url,
            "options": {
                "operators_chat": str(GROUP),
                "per_chat_per_second": 100.0,
                "per_chat_burst": 100,
            },
        }
        settings = make_settings(sqlite_url, bots=[bot], default_locale="en")
        async with RelaybotServer(settings) as server:
            state = telegram.bot(TOKEN)
            state.webhook_url = f"{server.url}/webhook/telegram/water_tg"
            state.webhook_secret = SECRET
            client = telegram.user(TOKEN, user_id=5300001, first_name="Aida")
            operator = telegram.user(TOKEN, user_id=5300002, first_name="Oper")
            operator.chat_id = GROUP
            telegram.chats[GROUP] = {"id": GROUP, "type": "supergroup", "title": "Operators"}

            await client.say("/start", expect=2, quiet=QUIET)
            await client.say("Bishkek, Chui avenue 120, apt 5", quiet=QUIET)
            await client.say("0555 123 456", quiet=QUIET)
            await client.say("2", quiet=QUIET)
            done = await client.press("Yes", expect=1, quiet=QUIET)
            assert "order No. 1 is accepted" in texts(done)

            await operator.replies(0, expect=1, quiet=QUIET)
            announced = operator.messages[-1]
            assert "New order No. 1" in announced.text and "Via: telegram" in announced.text
            assert announced.labels == ["Accept", "Cancel"]

            before = len(client.messages)
            accepted = await operator.press("Accept", quiet=QUIET)
            assert "Order No. 1 is now accepted." in texts(accepted)
            await client.replies(before, expect=1, quiet=QUIET)
            assert client.messages[-1].text == (
                "Your order No. 1 is accepted: the courier is on the way."
            )

            chatter = await operator.say("who takes the next one?", expect=0, quiet=0.5)
            assert chatter == [], "the bot does not answer the operators' own talk"
