"""The water-delivery order story, told through the web chat over HTTP and WebSocket."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from relaybot.apps.orders.models import Order
from relaybot.store.models import DialogOutcome, MessageLog
from relaybot.testing import RelaybotServer, WebchatClient


def texts(messages: list[dict[str, Any]]) -> str:
    return "\n".join(m["text"] for m in messages)


async def orders_in(server: RelaybotServer) -> list[Order]:
    assert server.system is not None
    async with server.system.sessions() as session:
        return list(await session.scalars(select(Order).order_by(Order.id)))


async def test_client_orders_three_bottles_and_gets_an_order_number(make_settings, database_url):
    async with RelaybotServer(make_settings(database_url)) as server:
        async with WebchatClient(server.url, "orders") as chat:
            greeting = await chat.say("hello", expect=2)
            assert "19-litre bottles" in greeting[0]["text"]
            assert "deliver" in greeting[-1]["text"]

            reply = await chat.say("Bishkek, Chui avenue 120, apt 5")
            assert "phone" in texts(reply)

            reply = await chat.say("0555 123 456")
            assert "How many" in texts(reply)
            assert {"1", "2", "3", "5", "10"} <= set(chat.buttons())

            summary = await chat.say("3")
            body = texts(summary)
            assert "Bishkek, Chui avenue 120, apt 5" in body
            assert "+996555123456" in body
            assert "3 × 19 l" in body
            assert {"Yes", "No", "Change: Phone"} <= set(chat.buttons())

            done = await chat.press("Yes")
            assert "order No. 1 is accepted" in texts(done)

        orders = await orders_in(server)
        assert [
            (o.client_phone, o.delivery_address, o.bottles_count, o.source) for o in orders
        ] == [("+996555123456", "Bishkek, Chui avenue 120, apt 5", 3, "webchat")]
        assert server.system is not None
        async with server.system.sessions() as session:
            outcome = (await session.scalars(select(DialogOutcome))).one()
            logged = await session.scalar(select(func.count()).select_from(MessageLog))
        assert outcome.completed and outcome.total_messages == 5
        assert logged == 5


async def test_every_invalid_answer_gets_a_clear_message_and_the_same_question(
    make_settings, sqlite_url
):
    async with RelaybotServer(make_settings(sqlite_url)) as server:
        async with WebchatClient(server.url, "orders") as chat:
            await chat.say("/start", expect=2)
            reply = await chat.say("abc")
            assert "too short" in reply[0]["text"] and "deliver" in reply[-1]["text"]
            reply = await chat.say("x" * 201)
            assert "too long" in reply[0]["text"]
            await chat.say("Osh, Lenina 1")

            for wrong in ("12345", "+7 916 123 45 67", "phone", "0555 123 456 789 000"):
                reply = await chat.say(wrong)
                assert "Kyrgyzstan only, such as 0700 123 456" in reply[0]["text"], wrong
                assert "phone number" in reply[-1]["text"]
            await chat.say("+996 (555) 12-34-56")

            for wrong, why in (
                ("0", "from 1 to 50"),
                ("51", "from 1 to 50"),
                ("two", "whole number"),
                ("2.5", "whole number"),
                ("-1", "whole number"),
            ):
                reply = await chat.say(wrong)
                assert why in reply[0]["text"], wrong
            summary = await chat.say("50 bottles")
            assert "+996555123456" in texts(summary) and "50 × 19 l" in texts(summary)

            reply = await chat.say("maybe")
            assert "Please answer Yes or No" in reply[0]["text"]
            done = await chat.say("yes")
            assert "is accepted" in texts(done)
        assert [o.bottles_count for o in await orders_in(server)] == [50]


async def test_client_goes_back_and_edits_a_field_from_the_summary(make_settings, sqlite_url):
    async with RelaybotServer(make_settings(sqlite_url)) as server:
        async with WebchatClient(server.url, "orders") as chat:
            await chat.say("hi", expect=2)
            await chat.say("Bishkek, Manas 12")
            reply = await chat.press("Back")
            assert "deliver" in texts(reply)
            await chat.say("Bishkek, Manas 14")
            await chat.say("996555123456")
            await chat.say("2")
            reply = await chat.press("Change: Address")
            assert "deliver" in texts(reply)
            summary = await chat.say("Bishkek, Manas 16")
            assert "Bishkek, Manas 16" in texts(summary) and "Yes" in chat.buttons()
            reply = await chat.press("Back")
            assert "How many" in texts(reply)
            summary = await chat.say("4")
            await chat.press("Yes")
        orders = await orders_in(server)
        assert [(o.delivery_address, o.bottles_count) for o in orders] == [("Bishkek, Manas 16", 4)]


async def test_client_cancels_and_nothing_is_saved_then_starts_again(make_settings, sqlite_url):
    async with RelaybotServer(make_settings(sqlite_url)) as server:
        async with WebchatClient(server.url, "orders") as chat:
            await chat.say("hi", expect=2)
            await chat.say("Bishkek, Manas 12")
            reply = await chat.press("Cancel")
            assert "Cancelled" in texts(reply)
            again = await chat.say("hello", expect=2)
            assert "19-litre" in again[0]["text"]
            await chat.say("Bishkek, Manas 12")
            await chat.say("0555123456")
            await chat.say("1")
            reply = await chat.press("No")
            assert "nothing was saved" in texts(reply)
        assert await orders_in(server) == []
        assert server.system is not None
        async with server.system.sessions() as session:
            reasons = list(
                await session.scalars(select(DialogOutcome.reason).order_by(DialogOutcome.id))
            )
        assert reasons == ["cancelled", "declined"]


async def test_an_expired_dialog_starts_over_politely(make_settings, sqlite_url):
    async with RelaybotServer(make_settings(sqlite_url, dialog_ttl_seconds=1)) as server:
        async with WebchatClient(server.url, "orders") as chat:
            await chat.say("hi", expect=2)
            await chat.say("Bishkek, Manas 12")
            import asyncio

            await asyncio.sleep(1.2)
            reply = await chat.say("0555123456", expect=3)
            assert "expired" in reply[0]["text"]
            assert "deliver" in reply[-1]["text"]
        assert server.system is not None
        async with server.system.sessions() as session:
            outcome = (await session.scalars(select(DialogOutcome))).one()
        assert outcome.reason == "expired" and outcome.dropoff_state == "phone"


async def test_the_same_message_delivered_twice_gets_one_reply(make_settings, sqlite_url):
    async with RelaybotServer(make_settings(sqlite_url)) as server:
        async with WebchatClient(server.url, "orders") as chat:
            await chat.say("hi", expect=2)
            first = await chat.say("Bishkek, Manas 12", msg_id="repeated-id-1")
            again = await chat.post("Bishkek, Manas 12", msg_id="repeated-id-1")
            assert again.json() == {"accepted": False, "duplicate": True}
            import asyncio

            await asyncio.sleep(0.5)
            assert len(first) == 1
            history = await chat.history()
        assert sum(1 for m in history if m["direction"] == "out" and "phone" in m["text"]) == 1
