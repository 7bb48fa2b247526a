"""The constructor in the embedded default's web chat, as a browser talks to it: the menu,
a bot made in its dialog, the job listed, and the reminder arriving in the same chat."""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import select

from relaybot.apps.reminders.models import ReminderJob
from relaybot.config import Settings
from relaybot.testing import RelaybotServer, WebchatClient


async def test_a_visitor_makes_a_reminder_bot_and_gets_its_reminder(
    make_settings: Callable[..., Settings], sqlite_url: str
) -> None:
    settings = make_settings(sqlite_url, default_locale="en")  # the bundled web chat bots
    async with RelaybotServer(settings) as server, WebchatClient(server.url, "reminders") as chat:
        await chat.say("/remind")
        assert chat.buttons()[:3] == ["Create a bot", "Add a job", "Job list"]
        await chat.press("Create a bot")
        for answer in ("Home", "water", "here", "Drink a glass of water", "*/30 * * * *"):
            await chat.say(answer)
        done = await chat.say("Europe/Berlin")
        assert (
            "The bot Home is created with the job water: every 30 minutes, Europe/Berlin"
            in (done[-1]["text"])
        )
        await chat.say("/remind")
        await chat.press("Job list")
        listed = await chat.press("Home")
        assert "Jobs of Home:\n• water: active" in listed[-1]["text"]

        assert server.system is not None
        scheduler = server.system.scheduler()
        [engine] = [j for j in scheduler.jobs if j.name == "reminders.engine"]
        async with server.system.sessions() as session:
            [job] = await session.scalars(select(ReminderJob))
            assert job.next_due_at is not None
            due = job.next_due_at
        before = len(chat.received)
        assert await scheduler.run_job(engine, max(due, time.time()) + 1)
        server.system.sender_signal.notify()
        [reminder] = await chat.replies(before)
        assert reminder["text"] == "Drink a glass of water"
