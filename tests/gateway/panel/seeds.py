"""The data an operator finds in the console: a real order taken in the web chat, a booking,
the help desk's scenarios, an ad waiting for a moderator and a message that could not go."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from relaybot.apps.booking.demo import seed_demo
from relaybot.apps.booking.models import Booking, User
from relaybot.apps.classifieds.models import Ad
from relaybot.apps.helpdesk.demo import seed as seed_helpdesk
from relaybot.core.types import OutgoingMessage, encode
from relaybot.store.models import Chat, DeadLetter
from relaybot.testing import RelaybotServer, WebchatClient


async def order_water(chat: WebchatClient, bottles: str) -> None:
    await chat.say("/start", expect=2)
    await chat.say("Bishkek, Chui avenue 120, apt 5")
    await chat.say("0555 123 456")
    await chat.say(bottles)
    await chat.press("Yes")


async def chat_of(server: RelaybotServer, bot: str) -> str:
    """The chat id of the web chat visitor who last wrote to `bot`."""
    assert server.system is not None
    async with server.system.sessions() as session:
        found = await session.scalar(
            select(Chat.chat_id).where(Chat.bot == bot).order_by(Chat.last_seen.desc()).limit(1)
        )
    assert found is not None, f"nobody wrote to {bot}"
    return found


async def a_dead_letter(server: RelaybotServer, bot: str, chat_id: str, text: str) -> int:
    assert server.system is not None
    async with server.system.sessions() as session, session.begin():
        letter = DeadLetter(
            outbox_id=999,
            bot=bot,
            channel="webchat",
            chat_id=chat_id,
            payload=encode(OutgoingMessage(text=text)),
            attempts=8,
            last_error="HTTP 502 from the channel",
            trace_id="",
            created_at=0.0,
            failed_at=1.0,
        )
        session.add(letter)
        await session.flush()
        return letter.id


async def a_booking_for(server: RelaybotServer, chat_id: str) -> int:
    """The sample studio, and its first booking made for the web chat visitor `chat_id`."""
    assert server.system is not None
    async with server.system.sessions() as session, session.begin():
        await seed_demo(session, locale="en", now=datetime.now(UTC))
        booking = await session.scalar(select(Booking).order_by(Booking.id).limit(1))
        assert booking is not None
        visitor = await session.scalar(
            select(User).where(User.bot == "booking", User.chat_id == chat_id)
        )
        assert visitor is not None, "the visitor has not greeted the booking bot"
        booking.client_id = visitor.id
        return booking.id


async def day_of(server: RelaybotServer, booking_id: int, zone: str) -> str:
    """The day a booking starts on, as an operator in `zone` names it."""
    assert server.system is not None
    async with server.system.sessions() as session:
        booking = await session.get(Booking, booking_id)
    assert booking is not None
    return booking.starts_at.astimezone(ZoneInfo(zone)).date().isoformat()


async def the_scenarios(server: RelaybotServer) -> None:
    assert server.system is not None
    async with server.system.sessions() as session, session.begin():
        await seed_helpdesk(session, locale="en", now=datetime.now(UTC), self_service=True)


async def an_ad_waiting(server: RelaybotServer, chat_id: str) -> int:
    assert server.system is not None
    now = datetime.now(UTC)
    async with server.system.sessions() as session, session.begin():
        ad = Ad(
            bot="classifieds",
            kind="sell",
            kind_title="For sale",
            author_id=chat_id,
            author_chat=chat_id,
            author_name="Aida",
            language="en",
            status="pending",
            locked=False,
            answers={
                "title": "A red bicycle",
                "description": "Barely used",
                "price": {"negotiable": True},
            },
            feedback=[],
            created_at=now,
            updated_at=now,
        )
        session.add(ad)
        await session.flush()
        return ad.id
