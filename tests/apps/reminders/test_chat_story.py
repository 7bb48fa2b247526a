"""The constructor in a chat, through the real worker: the /remind menu, every dialog asked
question by question (the web chat and Telegram way), field errors asked again, and deleting
a bot after seeing its jobs and confirming."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from relaybot.config import Settings
from relaybot.system import build_system
from relaybot.testing import ChatDriver
from relaybot.testing.driver import DrivenChat

from .world import Engine, at, reminder_settings

MENU = [
    "Create a bot",
    "Add a job",
    "Job list",
    "Switch a job on/off",
    "Change text and schedule",
    "Delete a bot",
]


@pytest.fixture
async def driver(
    make_settings: Callable[..., Settings], sqlite_url: str
) -> AsyncIterator[ChatDriver]:
    system = await build_system(reminder_settings(make_settings, sqlite_url, default_locale="en"))
    try:
        yield ChatDriver(system)
    finally:
        await system.close()


async def answer(chat: DrivenChat, *texts: str) -> str:
    said = []
    for text in texts:
        said = await chat.say(text)
    return chat.text(said)


async def create_office(chat: DrivenChat) -> str:
    await chat.say("/remind")
    await chat.press("Create a bot")
    return await answer(
        chat,
        "Office",
        "standup",
        "team-channel",
        "Stand-up in 10 minutes",
        "0 9 * * 1-5",
        "Asia/Bishkek",
    )


async def test_a_person_builds_a_bot_and_its_jobs_step_by_step(driver: ChatDriver) -> None:
    aigul = driver.chat("reminders", "aigul")
    await aigul.say("/remind")
    assert aigul.buttons() == MENU
    done = await create_office(aigul)
    assert "The bot Office is created with the job standup" in done
    assert "at 09:00 on Monday to Friday, Asia/Bishkek; next " in done

    await aigul.say("/remind")
    await aigul.press("Add a job")
    assert aigul.buttons()[0] == "Office"
    await aigul.press("Office")
    refused = await answer(aigul, "standup")
    assert "has a job named standup already" in refused
    await answer(aigul, "lunch", "here", "Lunch!")
    bad_cron = await answer(aigul, "at noon")
    assert "That is not a cron line" in bad_cron
    bad_zone = await answer(aigul, "30 12 * * *", "Asia/Atlantis")
    assert "That is not a time zone name" in bad_zone
    added = await answer(aigul, "Europe/Berlin")
    assert "The job lunch is added to Office: at 12:30 every day, Europe/Berlin" in added

    await aigul.say("/remind")
    await aigul.press("Switch a job on/off")
    await aigul.press("Office")
    assert "The bot has no job named nosuch." in await answer(aigul, "nosuch")
    await aigul.press("lunch")
    switched = await aigul.press("inactive")
    assert "lunch: inactive" in aigul.text(switched)

    await aigul.say("/remind")
    await aigul.press("Job list")
    listed = await aigul.press("Office")
    assert "Jobs of Office:\n• standup: active\n• lunch: inactive" in aigul.text(listed)

    await aigul.say("/remind")
    await aigul.press("Change text and schedule")
    await aigul.press("Office")
    await aigul.press("standup")
    edited = await answer(aigul, "Stand-up now!", "0 10 * * 1", "Europe/Berlin")
    assert "standup: at 10:00 on Monday, Europe/Berlin; next " in edited


async def test_deleting_a_bot_shows_its_jobs_and_waits_for_the_confirmation(
    driver: ChatDriver,
) -> None:
    aigul = driver.chat("reminders", "aigul")
    await create_office(aigul)
    await aigul.say("/remind")
    await aigul.press("Delete a bot")
    shown = await aigul.press("Office")
    assert "Delete Office and its jobs?\n• standup: active" in aigul.text(shown)
    assert aigul.buttons() == ["Yes, delete Office"]
    # Another person's press of the same button finds nothing of theirs to delete.
    bakyt = driver.chat("reminders", "bakyt")
    payload = aigul.find("Yes, delete Office")
    stranger = await bakyt.say("Yes, delete Office", payload=payload)
    assert "gone already" in bakyt.text(stranger)
    gone = await aigul.press("Yes, delete Office")
    assert "The bot Office is deleted with its 1 job(s)." in aigul.text(gone)
    await aigul.say("/remind")
    await aigul.press("Job list")
    assert "Office" not in aigul.buttons()


async def test_a_reminder_made_in_chat_is_posted_by_the_engine_to_here(driver: ChatDriver) -> None:
    aigul = driver.chat("reminders", "aigul")
    await aigul.say("/remind")
    await aigul.press("Create a bot")
    await answer(aigul, "Me", "water", "here", "Drink water", "0 * * * *", "UTC")
    engine = Engine.of(driver.system)
    engine.driver = driver
    posted = await engine.run_at(at("2030-01-01T10:00+00:00"))
    assert posted == [("aigul", "Drink water")]
