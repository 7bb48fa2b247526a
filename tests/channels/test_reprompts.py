"""A question asked again keeps the buttons it was first asked with: after a refused answer,
after its help, and after an old button, on the web chat and on Telegram."""

from __future__ import annotations

from typing import Any

from relaybot.testing import RelaybotServer, WebchatClient
from tests.channels.helpers import TELEGRAM_SECRET, TELEGRAM_TOKEN, telegram_bot

BOTTLES = ["1", "2", "3", "5", "10", "Back", "Cancel"]


def labels(message: dict[str, Any]) -> list[str]:
    return [button["text"] for row in message["buttons"] for button in row]


async def test_the_web_chat_asks_again_with_the_same_buttons(make_settings, sqlite_url):
    async with RelaybotServer(make_settings(sqlite_url)) as server:
        async with WebchatClient(server.url, "orders") as chat:
            await chat.say("hello", expect=2)
            address_prompt = chat.received[-1]
            await chat.say("Bishkek, Chui avenue 120")
            await chat.say("0555 123 456")
            asked = chat.received[-1]
            assert labels(asked) == BOTTLES

            refused = await chat.say("a hundred")
            helped = await chat.say("help")
            old_cancel = next(
                b["payload"]
                for row in address_prompt["buttons"]
                for b in row
                if b["text"] == "Cancel"
            )
            stale = await chat.say("Cancel", payload=old_cancel)
    for reply in (refused, helped, stale):
        assert len(reply) == 2, [m["text"] for m in reply]
        assert not reply[0]["buttons"], "the reason or the help comes first"
        assert reply[-1]["text"] == asked["text"] and labels(reply[-1]) == BOTTLES


async def test_telegram_asks_again_with_the_same_buttons(make_settings, sqlite_url, telegram):
    settings = make_settings(sqlite_url, bots=[telegram_bot(telegram)])
    async with RelaybotServer(settings) as server:
        state = telegram.bot(TELEGRAM_TOKEN)
        state.webhook_url = f"{server.url}/webhook/telegram/water"
        state.webhook_secret = TELEGRAM_SECRET
        user = telegram.user(TELEGRAM_TOKEN, user_id=5000021, first_name="Aida")
        await user.say("/start", expect=2)
        address_prompt = user.messages[-1]
        await user.say("Bishkek, Chui avenue 120")
        asked = (await user.say("0555 123 456"))[-1]
        assert asked.labels == BOTTLES

        refused = await user.say("a hundred")
        helped = await user.say("help")
        stale = await user.press("Cancel", on=address_prompt)
    for reply in (refused, helped, stale):
        assert len(reply) == 2, [m.text for m in reply]
        assert not reply[0].labels, "the reason or the help comes first"
        assert reply[-1].text == asked.text and reply[-1].labels == BOTTLES
