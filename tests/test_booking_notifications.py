"""Who is told what: the seed's recipient matrix, the admin's settings, and announcements."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest
from sqlalchemy import select

from relaybot.apps.booking.models import Booking, Broadcast, NotificationSetting, User
from relaybot.apps.booking.render import day_label
from relaybot.core.clock import ManualClock
from relaybot.runtime.scheduler import Scheduler
from relaybot.store.models import OutboxMessage
from tests.booking_world import World, make_world

PEOPLE = ("dana", "aigul", "admin")


@pytest.fixture
async def world(make_settings, sqlite_url):
    built = await make_world(make_settings(sqlite_url))
    dana = built.client("dana", name="Dana")
    await dana.say("hi")
    await built.admin.say("hi")
    await built.aigul_chat.say("hi")
    yield built
    await built.system.close()


async def told(world: World, action: Callable[[], Awaitable[object]]) -> dict[str, list[str]]:
    """What each of the three people received while `action` ran."""
    chats = {"dana": world.client("dana"), "aigul": world.aigul_chat, "admin": world.admin}
    before = {name: len(chat.received) for name, chat in chats.items()}
    await action()
    return {name: [m.text for m in chat.received[before[name] :]] for name, chat in chats.items()}


def day(world: World) -> str:
    return day_label(world.day, "en")


async def client_books(world: World) -> None:
    dana = world.client("dana")
    await dana.press("Book an appointment")
    await dana.press("Haircut · 60 min · 1,000 KGS")
    await dana.press("Aigul")
    await dana.press(day(world))
    await dana.press("10:00")
    await dana.press("Confirm")


async def admin_books_for_dana(world: World) -> None:
    admin = world.admin
    await admin.say("/menu")
    await admin.press("Book for a client")
    await admin.press("Dana")
    await admin.press("Haircut · 60 min · 1,000 KGS")
    await admin.press("Aigul")
    await admin.press(day(world))
    await admin.press("10:00")
    await admin.press("Confirm")


async def cancel_from_card(chat, booking_id: int = 1) -> None:
    await chat.say(payload=f"bk:b:{booking_id}")
    await chat.press("Cancel booking")
    await chat.press("Yes, cancel it")


def notices(texts: list[str], *fragments: str) -> list[str]:
    return [t for t in texts if any(f in t for f in fragments)]


async def test_client_books_specialist_and_admin_are_told_and_the_client_confirmed_once(world):
    got = await told(world, lambda: client_books(world))
    new = f"New booking 1: Haircut, {day(world)}, 10:00. Client: Dana. Specialist: Aigul."
    assert got["aigul"] == [new]
    assert got["admin"] == [new]
    assert len(notices(got["dana"], "You are booked!")) == 1  # the confirmation is the answer
    assert notices(got["dana"], "New booking", "made for you") == []
    card = await world.admin.press("Open No. 1")  # staff notices open the booking
    assert card[0].text.startswith("No. 1: Haircut") and "Move" in world.admin.buttons()


async def test_admin_books_for_a_client_the_client_and_specialist_are_told_not_the_admin(world):
    got = await told(world, lambda: admin_books_for_dana(world))
    assert notices(got["dana"], "A booking was made for you: Haircut") == got["dana"]
    assert len(got["dana"]) == 1 and "Booking number 1" in got["dana"][0]
    assert got["aigul"] == [
        f"New booking 1: Haircut, {day(world)}, 10:00. Client: Dana. Specialist: Aigul."
    ]
    assert notices(got["admin"], "New booking", "made for you") == []
    assert "Booked for Dana" in got["admin"][-1]


async def test_client_cancels_specialist_and_admin_are_told(world):
    await client_books(world)
    got = await told(world, lambda: cancel_from_card(world.client("dana")))
    cancelled = f"Booking 1 was cancelled: Haircut, {day(world)}, 10:00, client Dana."
    assert got["aigul"] == [cancelled] and got["admin"] == [cancelled]
    assert notices(got["dana"], "was cancelled:") == []


async def test_admin_cancels_client_and_specialist_are_told(world):
    await client_books(world)
    got = await told(world, lambda: cancel_from_card(world.admin))
    assert len(got["dana"]) == 1 and got["dana"][0].startswith("Your booking 1 was cancelled")
    assert got["aigul"] == [f"Booking 1 was cancelled: Haircut, {day(world)}, 10:00, client Dana."]
    assert notices(got["admin"], "was cancelled:") == []


async def test_specialist_cancels_client_and_admin_are_told(world):
    await client_books(world)
    got = await told(world, lambda: cancel_from_card(world.aigul_chat))
    assert len(got["dana"]) == 1 and got["dana"][0].startswith("Your booking 1 was cancelled")
    assert got["admin"] == [f"Booking 1 was cancelled: Haircut, {day(world)}, 10:00, client Dana."]
    assert notices(got["aigul"], "was cancelled:") == []


async def test_admin_moves_a_booking_client_and_specialist_are_told(world):
    await client_books(world)

    async def move() -> None:
        admin = world.admin
        await admin.say(payload="bk:b:1")
        await admin.press("Move")
        await admin.press(day(world))
        await admin.press("11:00")
        await admin.press("Confirm")

    got = await told(world, move)
    assert got["dana"] == [
        f"Your booking 1 was moved: Haircut is now on {day(world)}, 11:00 "
        f"(was {day(world)}, 10:00)."
    ]
    assert got["aigul"] == [
        f"Booking 1 was moved from {day(world)}, 10:00 to {day(world)}, 11:00: Haircut, Dana."
    ]
    assert notices(got["admin"], "was moved from", "was moved:") == []


async def test_a_finished_booking_is_put_to_the_admin_only(world):
    await client_books(world)
    clock = ManualClock(start=(world.at("11:00") + timedelta(minutes=1)).timestamp())
    scheduler = Scheduler(
        settings=world.system.settings,
        sessions=world.system.sessions,
        jobs=world.system.scheduler().jobs,
        bots=world.system.bots,
        clock=clock,
    )

    async def check() -> None:
        await scheduler.tick()
        await world.driver.collect()

    got = await told(world, check)
    assert got["dana"] == [] and got["aigul"] == []
    assert got["admin"] == [
        f"Did it happen? Booking 1: Haircut, {day(world)}, 10:00.\nClient: Dana. Specialist: Aigul."
    ]
    assert world.admin.buttons() == ["Yes, it happened", "No, they did not come"]


async def test_admin_switches_a_notice_off_and_adds_an_ad_to_another(world):
    admin = world.admin
    reply = await admin.press("Notifications")
    assert "✓ New booking → specialist" in reply[0].text
    await admin.press("✓ New booking → specialist")
    await admin.press("Ad texts")
    await admin.press("Add ad text")
    await admin.say("Manicure -20% on Tuesdays!")
    await admin.press("Yes")
    await admin.say(payload="bk:nt")
    reply = await admin.say(payload="bk:nta:booking_created:admin")
    assert "✗ New booking → specialist" in reply[0].text
    assert "✓ New booking → administrator + ad #1" in reply[0].text

    got = await told(world, lambda: client_books(world))
    assert got["aigul"] == []
    assert got["admin"][0].endswith("\n\nManicure -20% on Tuesdays!")


async def test_each_person_is_told_in_their_own_language(world):
    await world.aigul_chat.press("Language")
    await world.aigul_chat.press("Русский")
    got = await told(world, lambda: client_books(world))
    assert got["aigul"][0].startswith("Новая запись 1: Haircut")
    assert got["admin"][0].startswith("New booking 1")


async def test_an_announcement_reaches_every_client_at_no_more_than_30_a_second(world):
    async with world.system.sessions() as session, session.begin():
        for n in range(200):
            session.add(User(bot="booking", chat_id=f"c{n}", channel="webchat", role="client"))
    admin = world.admin
    await admin.press("Announcement")
    await admin.say("We are open on Sunday!")
    reply = await admin.press("Yes")
    assert "queued for 201 clients" in reply[0].text  # 200 + Dana

    clock = ManualClock(start=2_000_000_000.0)
    scheduler = Scheduler(
        settings=world.system.settings,
        sessions=world.system.sessions,
        jobs=[j for j in world.system.scheduler().jobs if j.name == "booking.announcements"],
        bots=world.system.bots,
        clock=clock,
    )
    for _ in range(10):
        await scheduler.tick()
        clock.advance(2)
    async with world.system.sessions() as session:
        due = sorted(
            await session.scalars(
                select(OutboxMessage.next_attempt_at).where(
                    OutboxMessage.status == "pending", OutboxMessage.chat_id.like("c%")
                )
            )
        )
        item = (await session.scalars(select(Broadcast))).one()
    assert len(due) == 200 and item.status == "done" and item.sent_count == 201
    for start in due:
        assert sum(1 for t in due if start <= t < start + 1) <= 30
    done = await world.driver.collect()
    assert [d.text for d in done if d.to.chat_id == "admin"] == [
        "Your announcement went out to 201 clients."
    ]


async def test_the_same_booking_is_never_announced_to_the_person_who_made_it(world):
    """An admin who is also the booking's specialist is not told of their own booking."""
    async with world.system.sessions() as session, session.begin():
        aigul = await session.get(User, world.aigul_user)
        assert aigul is not None
        aigul.role = "admin"
    got = await told(world, lambda: client_books(world))
    assert len(got["aigul"]) == 1  # once, not as specialist and again as admin
    [booking] = await world.bookings()
    assert isinstance(booking, Booking)


async def test_a_setting_for_one_channel_wins_over_the_setting_for_every_channel(world):
    async with world.system.sessions() as session, session.begin():
        session.add_all(
            [
                NotificationSetting(
                    event="booking_created", recipient_role="admin", channel="*", enabled=True
                ),
                NotificationSetting(
                    event="booking_created",
                    recipient_role="admin",
                    channel="webchat",
                    enabled=False,
                ),
                NotificationSetting(
                    event="booking_created",
                    recipient_role="specialist",
                    channel="telegram",
                    enabled=False,
                ),
            ]
        )
    got = await told(world, lambda: client_books(world))
    assert got["admin"] == []  # the admin is on the web chat, where it is off
    assert len(got["aigul"]) == 1  # off on Telegram only
