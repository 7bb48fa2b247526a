"""The booking bot in the web chat of a full relaybot, over HTTP and WebSocket, with sample data."""

from __future__ import annotations

from datetime import UTC, datetime

from relaybot.apps.booking.demo import seed_demo
from relaybot.testing import RelaybotServer, WebchatClient

ROLES = ("gateway", "worker", "sender", "scheduler")


async def test_a_visitor_books_with_the_sample_data_and_the_operator_makes_them_admin(
    make_settings, sqlite_url
):
    async with RelaybotServer(make_settings(sqlite_url), roles=ROLES) as server:
        assert server.system is not None
        async with server.system.sessions() as session, session.begin():
            await seed_demo(session, locale="en", now=datetime.now(UTC))
        async with WebchatClient(server.url, "booking") as chat:
            greeting = await chat.say("hello")
            assert "book an appointment" in greeting[0]["text"]
            asked = await chat.press("Book an appointment")
            assert "How may we call you?" in asked[0]["text"]  # the web chat knows no names
            await chat.say("Timur")
            await chat.press("Massage · 90 min · 2,000 KGS")
            await chat.press("Any specialist")
            days = chat.buttons()
            await chat.press(days[0])
            times = chat.buttons()
            summary = await chat.press(times[0])
            assert "Service: Massage, 90 min" in summary[0]["text"]
            done = await chat.press("Confirm")
            assert "You are booked! Massage" in done[0]["text"]

            identity = await chat.say("/id")
            address = identity[0]["text"].split("Your address in this bot is ")[1].split(".")[0]
            assert address.startswith("booking:")
        running = {task.get_name() for task in server.system.tasks if not task.done()}
        assert {"worker", "sender", "scheduler"} <= running
