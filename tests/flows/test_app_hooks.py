"""What an app adds to a flow, told by a person booking a visit through the real worker."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from relaybot.config import BotConfig, Settings
from relaybot.system import build_system
from relaybot.testing import ChatDriver
from relaybot.testing.driver import DrivenChat
from tests.flows.slots_app import Room

NAV = ["Back", "Cancel"]


@pytest.fixture
async def ann(make_settings: Callable[..., Settings], sqlite_url: str) -> AsyncIterator[DrivenChat]:
    bot = BotConfig(name="slots", app="tests.flows.slots_app:SlotsApp")
    system = await build_system(
        make_settings(sqlite_url, bots=[bot], webchat_for_bundled_apps=False)
    )
    try:
        yield ChatDriver(system).chat("slots", "ann")
    finally:
        await system.close()


def topics(chat: DrivenChat) -> list[str]:
    return [label for label in chat.buttons() if label.startswith("Topic")]


async def test_a_long_list_comes_a_page_at_a_time_and_a_typed_choice_from_any_page_counts(
    ann: DrivenChat,
) -> None:
    await ann.say("/start")
    assert topics(ann) == [f"Topic {n}" for n in range(1, 6)]
    assert ann.buttons()[-2:] == ["Later topics", "Cancel"]
    await ann.press("Later topics")
    assert topics(ann) == [f"Topic {n}" for n in range(6, 11)]
    await ann.press("Later topics")
    assert topics(ann) == ["Topic 11", "Topic 12"] and "Later topics" not in ann.buttons()
    asked = await ann.say("Topic 3")  # not on this page, still one of the topics
    assert asked[0].text == "Which time in Room 1?"  # a prompt read from the database


async def test_naming_none_of_the_choices_gets_the_steps_own_sentence(ann: DrivenChat) -> None:
    await ann.say("/start")
    told = await ann.say("Topic 40")
    assert told[0].text == "Please press one of the topics."
    assert told[1].text == "What about?"


async def test_the_app_writes_the_summary_names_its_button_and_answers_a_cancel(
    ann: DrivenChat,
) -> None:
    await ann.say("/start")
    await ann.press("Topic 2")
    summary = await ann.press("09:00")
    assert summary[0].text == "t2 at 09:00, all right?"
    assert ann.buttons() == ["Book it", *NAV]
    cancelled = await ann.press("Cancel")
    assert cancelled[0].text == "Nothing was booked for t2."
    assert [m.text for m in cancelled] == [cancelled[0].text]


async def test_a_time_taken_meanwhile_sends_the_person_back_to_the_time_step(
    ann: DrivenChat,
) -> None:
    await ann.say("/start")
    await ann.press("Topic 1")
    await ann.press("10:00")
    reopened = await ann.press("Book it")
    assert [m.text for m in reopened] == ["Sorry, 10:00 was just taken.", "Which time in Room 1?"]
    assert ann.buttons() == ["09:00", "10:00", "11:00", *NAV]
    await ann.press("11:00")
    done = await ann.say("yes")
    assert done[0].text == "Booked: t1 at 11:00."


async def test_a_handler_that_finds_its_payload_stale_answers_politely(ann: DrivenChat) -> None:
    assert (await ann.say(payload=Room(number=2).pack()))[0].text == "Room 2 is free."
    stale = await ann.say(payload=Room(number=9).pack())
    assert [m.text for m in stale] == ["That button is no longer active."]
