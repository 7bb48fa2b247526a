"""/signin in the chat: a visitor on a new device proves with a code sent to the chat of
their account who they are, and the new chat then acts as that person (their role, their
bookings), on any number of devices; a wrong code links nothing."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, update

from relaybot.apps.booking.models import User
from relaybot.store.chat_links import ChatLink
from tests.apps.booking.world import World, make_world


@pytest.fixture
async def world(make_settings, sqlite_url):
    built = await make_world(make_settings(sqlite_url, default_locale="en", jwt_secret="k" * 40))
    await built.aigul_chat.say("hi")
    async with built.system.sessions() as session, session.begin():
        await session.execute(
            update(User).where(User.chat_id == "aigul").values(username="aigul_k")
        )
    yield built
    await built.system.close()


def code_in(world: World) -> str:
    found = re.search(r"code: (\d{6})", world.aigul_chat.received[-1].text)
    assert found is not None, world.aigul_chat.received[-1].text
    return found.group(1)


async def test_a_new_device_signs_in_as_the_specialist_and_sees_her_menu(world):
    phone = world.client("browser-2", name="Visitor")
    asked = await phone.say("/signin @Aigul_K")
    assert asked[0].text.startswith("If that account has a chat with this bot, a 6-digit code")
    code = code_in(world)
    assert code not in " ".join(m.text for m in phone.received)  # only Aigul's chat has it
    done = await phone.say(code)
    assert "You are signed in as Aigul." in [m.text for m in done]
    menu = await phone.say("/menu")
    assert "Today" in menu[-1].buttons and "Book an appointment" not in menu[-1].buttons

    laptop = world.client("browser-3", name="Visitor")
    await laptop.say("/signin @aigul_k")
    await laptop.say(code_in(world))
    async with world.system.sessions() as session:
        links = {(r.chat_id, r.subject) for r in await session.scalars(select(ChatLink))}
    assert links == {
        ("browser-2", f"booking:{world.aigul_user}"),
        ("browser-3", f"booking:{world.aigul_user}"),
    }


async def test_a_wrong_code_links_nothing_and_the_visitor_stays_a_client(world):
    visitor = world.client("browser-4", name="Visitor")
    await visitor.say("/signin @aigul_k")
    code = code_in(world)
    typo = await visitor.say("12 34")
    assert "6 digits" in typo[0].text
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    refused = await visitor.say(wrong)
    assert "wrong, expired or used up" in refused[0].text
    menu = await visitor.say("/menu")
    assert "Book an appointment" in menu[-1].buttons
    nobody = await visitor.say("/signin @nobody_here")
    assert nobody[0].text.startswith("If that account has a chat")  # the same answer
    await visitor.say("000000")
    async with world.system.sessions() as session:
        assert list(await session.scalars(select(ChatLink))) == []
