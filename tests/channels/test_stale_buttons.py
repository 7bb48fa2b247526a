"""Buttons of a superseded prompt, pressed again on any channel, are refused and change nothing.

The same order story on the web chat, Telegram and Mattermost: an old Cancel pressed at the
summary, an old choice of bottles, the Yes of a summary replaced by a newer one, and the Yes of
an order already placed. Each gets "That button is no longer active." and the dialog, its
stored state and the orders stay as they were.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from relaybot.store.models import DialogOutcome, DialogStateRow
from relaybot.testing import RelaybotServer, WebchatClient
from tests.channels.helpers import TELEGRAM_SECRET, TELEGRAM_TOKEN, orders_in, telegram_bot
from tests.channels.mattermost.test_story import mattermost_bot, wire

STALE = "That button is no longer active."


async def stored_dialog(server: RelaybotServer) -> list[tuple[Any, ...]]:
    assert server.system is not None
    async with server.system.sessions() as session:
        rows = await session.scalars(select(DialogStateRow))
        return [(r.bot, r.chat_id, r.flow, r.step, r.data) for r in rows]


async def outcomes(server: RelaybotServer) -> list[str]:
    assert server.system is not None
    async with server.system.sessions() as session:
        return list(await session.scalars(select(DialogOutcome.reason)))


async def test_old_buttons_are_refused_on_the_web_chat(make_settings, sqlite_url):
    async with RelaybotServer(make_settings(sqlite_url)) as server:
        async with WebchatClient(server.url, "orders") as chat:
            await chat.say("/start", expect=2)
            address_prompt = chat.received[-1]
            await chat.say("Bishkek, Chui avenue 120")
            await chat.say("0555 123 456")
            bottles_prompt = chat.received[-1]
            await chat.press("3")
            first_summary = chat.received[-1]

            def old(message: dict[str, Any], label: str) -> str:
                return next(
                    b["payload"] for row in message["buttons"] for b in row if b["text"] == label
                )

            before = await stored_dialog(server)
            for message, label in ((address_prompt, "Cancel"), (bottles_prompt, "5")):
                reply = await chat.say(label, payload=old(message, label))
                assert reply[0]["text"] == STALE, label
                assert "Please check your order" in reply[-1]["text"], "the summary again"
            assert await stored_dialog(server) == before, "nothing changed"

            await chat.press("Change: Bottles")
            reply = await chat.say("Yes", payload=old(first_summary, "Yes"))
            assert reply[0]["text"] == STALE and "How many" in reply[-1]["text"]
            await chat.press("2")
            done = await chat.press("Yes")
            assert "order No. 1 is accepted" in done[0]["text"]
            second_summary = chat.received[-2]
            again = await chat.say("Yes", payload=old(second_summary, "Yes"))
            assert [m["text"] for m in again] == [STALE], "an order already placed"
        assert [o.bottles_count for o in await orders_in(server)] == [2]
        assert await outcomes(server) == ["completed"]


async def test_old_buttons_are_refused_on_telegram(make_settings, sqlite_url, telegram):
    settings = make_settings(sqlite_url, bots=[telegram_bot(telegram)])
    async with RelaybotServer(settings) as server:
        state = telegram.bot(TELEGRAM_TOKEN)
        state.webhook_url = f"{server.url}/webhook/telegram/water"
        state.webhook_secret = TELEGRAM_SECRET
        user = telegram.user(TELEGRAM_TOKEN, user_id=5000002, first_name="Aida")
        await user.say("/start", expect=2)
        address_prompt = user.messages[-1]
        await user.say("Bishkek, Chui avenue 120")
        bottles_prompt = (await user.say("0555 123 456"))[-1]
        first_summary = (await user.press("3"))[-1]

        before = await stored_dialog(server)
        for message, label in ((address_prompt, "Cancel"), (bottles_prompt, "5")):
            reply = await user.press(label, on=message, expect=2)
            assert reply[0].text == STALE, label
            assert "Please check your order" in reply[-1].text
        assert await stored_dialog(server) == before, "nothing changed"

        await user.press("Change: Bottles")
        reply = await user.press("Yes", on=first_summary, expect=2)
        assert reply[0].text == STALE and "How many" in reply[-1].text
        second_summary = (await user.press("2"))[-1]
        done = await user.press("Yes")
        assert "order No. 1 is accepted" in done[0].text
        again = await user.press("Yes", on=second_summary)
        assert [m.text for m in again] == [STALE], "an order already placed"
        assert [o.bottles_count for o in await orders_in(server)] == [2]
        assert await outcomes(server) == ["completed"]


async def test_old_buttons_are_refused_on_mattermost(make_settings, sqlite_url, mattermost):
    settings = make_settings(sqlite_url, bots=[mattermost_bot(mattermost)], default_locale="en")
    async with RelaybotServer(settings) as server:
        wire(mattermost, server)
        aida = mattermost.user("aida")
        await aida.run_command("/order")
        await aida.wait_for_dialog()
        await mattermost.wait_until(lambda: bool(aida.buttons()))
        first_prompt = aida.messages[-1]
        summary = await aida.submit(
            {"address": "Bishkek, Chui avenue 120", "phone": "0555 123 456", "bottles": "3"}
        )
        first_summary = summary[-1]

        before = await stored_dialog(server)
        reply = await aida.press("Cancel", on=first_prompt, expect=2)
        assert reply[0].message == STALE
        assert "Please check your order" in reply[-1].message
        assert await stored_dialog(server) == before, "nothing changed"

        bottles_prompt = (await aida.press("Change: Bottles"))[-1]
        second_summary = (await aida.press("2"))[-1]
        reply = await aida.press("5", on=bottles_prompt, expect=2)
        assert reply[0].message == STALE and "Please check your order" in reply[-1].message
        reply = await aida.press("Yes", on=first_summary, expect=2)
        assert reply[0].message == STALE
        done = await aida.press("Yes", on=second_summary)
        assert "order No. 1 is accepted" in done[0].message
        again = await aida.press("Yes", on=second_summary)
        assert [p.message for p in again] == [STALE], "an order already placed"
    assert [o.bottles_count for o in await orders_in(server)] == [2]
    assert await outcomes(server) == ["completed"]
