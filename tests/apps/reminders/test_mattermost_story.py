"""The constructor on Mattermost through the Mattermost stand-in: `/remind` answers with the
menu as message buttons, each action opens an interactive dialog with the seed's fields, a
wrong field is named and shown on that field when the dialog opens again, and a bot is
deleted only after its jobs are shown and the confirmation is pressed."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from sqlalchemy import select

from relaybot.apps.reminders.models import ReminderJob
from relaybot.config import BotConfig, Settings
from relaybot.store.models import OutboxMessage
from relaybot.testing import RelaybotServer
from relaybot.testing.mattermost_standin import MattermostStandin, MattermostUser, Post
from relaybot.testing.waiting import eventually

BOT_TOKEN = "mm-reminders-bot-access-token"
COMMAND_TOKEN = "mm-reminders-slash-token"
RELAY = "team-reminders"


@pytest.fixture
async def mattermost() -> AsyncIterator[MattermostStandin]:
    async with MattermostStandin() as standin:
        yield standin


@pytest.fixture
async def server(
    make_settings: Callable[..., Settings], sqlite_url: str, mattermost: MattermostStandin
) -> AsyncIterator[RelaybotServer]:
    mattermost.add_bot(BOT_TOKEN, username="reminders-bot")
    bot = BotConfig(
        name=RELAY,
        app="reminders",
        channel="mattermost",
        token=BOT_TOKEN,
        webhook_secret=COMMAND_TOKEN,
        api_base=mattermost.url,
    )
    settings = make_settings(
        sqlite_url, bots=[bot], webchat_for_bundled_apps=False, default_locale="en"
    )
    async with RelaybotServer(settings) as running:
        mattermost.add_command(
            "remind", url=f"{running.url}/webhook/mattermost/{RELAY}/command", token=COMMAND_TOKEN
        )
        yield running


def texts(posts: list[Post]) -> str:
    return "\n".join(p.message for p in posts)


async def open_action(mattermost: MattermostStandin, aida: MattermostUser, label: str) -> Any:
    """/remind, press `label` in the menu, then open its dialog."""
    assert (await aida.run_command("/remind")).status_code == 200
    await mattermost.wait_until(lambda: "Create a bot" in aida.buttons())
    await aida.press(label)
    await aida.press("Fill in as a form", expect=0)
    return await aida.wait_for_dialog()


def elements(opened: Any) -> dict[str, dict[str, Any]]:
    return {e["name"]: e for e in opened.dialog["elements"]}


OFFICE = {
    "name": "Office",
    "short_name": "standup",
    "target": "here",
    "text": "**Stand-up** in 10 minutes",
    "cron": "0 9 * * 1-5",
    "timezone": "Asia/Bishkek",
}


async def test_the_menu_and_every_dialog_on_mattermost(
    server: RelaybotServer, mattermost: MattermostStandin
) -> None:
    aida = mattermost.user("aida")
    await aida.run_command("/remind")
    await mattermost.wait_until(lambda: bool(aida.buttons()))
    assert aida.buttons() == [
        "Create a bot",
        "Add a job",
        "Job list",
        "Switch a job on/off",
        "Change text and schedule",
        "Delete a bot",
    ]

    created = await open_action(mattermost, aida, "Create a bot")
    assert list(elements(created)) == ["name", "short_name", "target", "text", "cron", "timezone"]
    wrong = await aida.submit({**OFFICE, "cron": "at nine", "timezone": "Mars/Olympus"}, expect=2)
    assert wrong[0].message.startswith("Please correct these answers:")
    assert "Schedule (cron): That is not a cron line" in wrong[0].message
    assert "Time zone: That is not a time zone name" in wrong[0].message
    await aida.press("Fill in as a form", expect=0)
    again = elements(await aida.wait_for_dialog())
    assert again["cron"]["default"] == "at nine"
    assert again["cron"]["help_text"].startswith("⚠ That is not a cron line")
    assert again["timezone"]["help_text"].startswith("⚠ That is not a time zone name")
    assert not again["text"].get("help_text", "").startswith("⚠")
    done = await aida.submit(OFFICE)
    assert "The bot Office is created with the job standup: at 09:00 on Monday to Friday" in (
        texts(done)
    )

    added = await open_action(mattermost, aida, "Add a job")
    fields = elements(added)
    assert list(fields) == ["bot", "short_name", "target", "text", "cron", "timezone"]
    assert fields["bot"]["type"] == "select"
    office = fields["bot"]["options"][0]
    assert office["text"] == "Office"
    reply = await aida.submit(
        {
            "bot": office["value"],
            "short_name": "retro",
            "target": "here",
            "text": "Retro at 16:00",
            "cron": "0 15 * * 5",
            "timezone": "Asia/Bishkek",
        }
    )
    assert "The job retro is added to Office: at 15:00 on Friday, Asia/Bishkek" in texts(reply)

    status = await open_action(mattermost, aida, "Switch a job on/off")
    assert list(elements(status)) == ["bot", "short_name", "status"]
    nosuch = await aida.submit(
        {"bot": office["value"], "short_name": "nosuch", "status": "off"}, expect=2
    )
    assert "Job: The bot has no job named nosuch." in nosuch[0].message
    await aida.press("Fill in as a form", expect=0)
    await aida.wait_for_dialog()
    switched = await aida.submit({"bot": office["value"], "short_name": "retro", "status": "off"})
    assert "retro: inactive" in texts(switched)

    await open_action(mattermost, aida, "Job list")
    listed = await aida.submit({"bot": office["value"]})
    assert "Jobs of Office:\n• standup: active\n• retro: inactive" in texts(listed)

    edit = await open_action(mattermost, aida, "Change text and schedule")
    assert list(elements(edit)) == ["bot", "short_name", "text", "cron", "timezone"]
    changed = await aida.submit(
        {
            "bot": office["value"],
            "short_name": "standup",
            "text": "",
            "cron": "30 9 * * 1-5",
            "timezone": "",
        }
    )
    assert "standup: at 09:30 on Monday to Friday, Asia/Bishkek; next " in texts(changed)

    await open_action(mattermost, aida, "Delete a bot")
    shown = await aida.submit({"bot": office["value"]})
    assert "Delete Office and its jobs?\n• standup: active\n• retro: inactive" in texts(shown)
    assert aida.buttons() == ["Yes, delete Office"]
    gone = await aida.press("Yes, delete Office")
    assert "The bot Office is deleted with its 2 job(s)." in texts(gone)


async def test_a_reminder_made_on_mattermost_is_posted_to_its_channel(
    server: RelaybotServer, mattermost: MattermostStandin
) -> None:
    aida = mattermost.user("aida")
    standup = mattermost.add_channel("standup")
    await open_action(mattermost, aida, "Create a bot")
    await aida.submit({**OFFICE, "target": standup, "cron": "* * * * *", "timezone": "UTC"})
    assert server.system is not None
    scheduler = server.system.scheduler()
    [engine] = [j for j in scheduler.jobs if j.name == "reminders.engine"]
    assert await scheduler.run_job(engine, time.time() + 61)
    server.system.sender_signal.notify()
    await mattermost.wait_until(lambda: bool(mattermost.posts_in(standup)))
    [post] = mattermost.posts_in(standup)
    assert post.message == "**Stand-up** in 10 minutes"


async def test_a_channel_that_refuses_the_bot_switches_the_reminder_off_and_tells_its_owner(
    server: RelaybotServer, mattermost: MattermostStandin
) -> None:
    aida = mattermost.user("aida")
    await open_action(mattermost, aida, "Create a bot")
    await aida.submit({**OFFICE, "target": "a-channel-that-is-gone", "cron": "* * * * *"})
    assert server.system is not None
    scheduler = server.system.scheduler()
    [engine] = [j for j in scheduler.jobs if j.name == "reminders.engine"]
    assert await scheduler.run_job(engine, time.time() + 61)
    server.system.sender_signal.notify()

    async def refused() -> bool:
        assert server.system is not None
        async with server.system.sessions() as session:
            status = await session.scalar(
                select(OutboxMessage.status).where(
                    OutboxMessage.chat_id == "a-channel-that-is-gone"
                )
            )
        return status == "blocked"

    await eventually(refused, timeout=10)
    before = len(aida.messages)
    assert await scheduler.run_job(engine, time.time() + 122)
    server.system.sender_signal.notify()
    told = await aida.replies(before)
    assert "The reminder standup of bot Office is switched off" in texts(told)
    async with server.system.sessions() as session:
        [job] = await session.scalars(select(ReminderJob))
    assert not job.active and job.off_reason is not None and "403" in job.off_reason
