"""A chat's persistent menu holds what is always possible, whatever the last message offers.

The order bot keeps Help, Start again and Cancel there: on the web chat a bar under the message
box that a reload finds again, on Telegram a persistent reply keyboard sent once, whose taps
arrive as plain texts and are taken as the buttons they are.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from relaybot.store.models import DialogOutcome
from relaybot.testing import RelaybotServer, WebchatClient
from tests.channels.helpers import TELEGRAM_SECRET, TELEGRAM_TOKEN, orders_in, telegram_bot

MENU = [["Help", "Start again", "Cancel"]]


def labels(menu: list[list[dict[str, Any]]]) -> list[list[str]]:
    return [[button["text"] for button in row] for row in menu]


async def outcomes(server: RelaybotServer) -> list[str]:
    assert server.system is not None
    async with server.system.sessions() as session:
        return list(await session.scalars(select(DialogOutcome.reason)))


async def test_the_web_chat_keeps_the_menu_and_its_cancel_works_at_any_step(
    make_settings, sqlite_url
):
    async with RelaybotServer(make_settings(sqlite_url)) as server:
        async with WebchatClient(server.url, "orders") as chat:
            await chat.say("hello", expect=2)
            assert labels(chat.menu) == MENU
            await chat.say("Bishkek, Chui avenue 120")
            cancelled = await chat.tap_menu("Cancel")
            assert cancelled[0]["text"].startswith("Cancelled.")
            nothing = await chat.tap_menu("Cancel")
            assert [m["text"] for m in nothing] == [
                "Nothing is in progress, so there is nothing to cancel."
            ]
            again = await chat.tap_menu("Start again")
            assert "deliver" in again[-1]["text"]
            cookie = dict(chat.http.cookies.items())
        async with WebchatClient(server.url, "orders") as reloaded:
            reloaded.http.cookies.update(cookie)
            history = (await reloaded.http.get("/chat/api/orders/history")).json()
        assert labels(history["menu"]) == MENU, "a reload finds the menu again"
        assert await outcomes(server) == ["cancelled"]
        assert await orders_in(server) == []


async def test_telegram_shows_the_menu_as_a_persistent_reply_keyboard_sent_once(
    make_settings, sqlite_url, telegram
):
    settings = make_settings(sqlite_url, bots=[telegram_bot(telegram)])
    async with RelaybotServer(settings) as server:
        state = telegram.bot(TELEGRAM_TOKEN)
        state.webhook_url = f"{server.url}/webhook/telegram/water"
        state.webhook_secret = TELEGRAM_SECRET
        user = telegram.user(TELEGRAM_TOKEN, user_id=5000011, first_name="Aida")
        greeting, prompt = await user.say("/start", expect=2)
        assert greeting.reply_markup == {
            "keyboard": [[{"text": label} for label in MENU[0]]],
            "is_persistent": True,
            "resize_keyboard": True,
        }, "the greeting, the reply without inline buttons, carries the menu"
        assert "Cancel" in prompt.labels, "the question keeps its own inline buttons"

        await user.say("Bishkek, Chui avenue 120")
        later = await user.say("0555 123 456")
        assert all("keyboard" not in (m.reply_markup or {}) for m in later), "sent once"
        assert user.menu() == MENU

        helped = await user.tap_menu("Help")
        assert "How many" in helped[-1].text, "the open question again, after its help"
        cancelled = await user.tap_menu("Cancel")
        assert cancelled[0].text.startswith("Cancelled.")
        assert await outcomes(server) == ["cancelled"]


async def test_a_menu_label_means_its_button_only_in_a_chat_that_has_that_menu(
    make_settings, sqlite_url, telegram
):
    settings = make_settings(sqlite_url, bots=[telegram_bot(telegram)])
    async with RelaybotServer(settings) as server:
        state = telegram.bot(TELEGRAM_TOKEN)
        state.webhook_url = f"{server.url}/webhook/telegram/water"
        state.webhook_secret = TELEGRAM_SECRET
        first = telegram.user(TELEGRAM_TOKEN, user_id=5000012, first_name="Aida")
        await first.say("/start", expect=2)
        address = await first.say("Cancel street 5")
        assert "phone" in address[-1].text, "a text that is not a label is an answer"

        newcomer = telegram.user(TELEGRAM_TOKEN, user_id=5000013, first_name="Bek")
        greeted = await newcomer.say("Help", expect=2)
        assert "19-litre bottles" in greeted[0].text, "no menu yet: just a first message"
        assert await outcomes(server) == []
