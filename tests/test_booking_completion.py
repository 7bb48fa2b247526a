"""The completion check: each finished booking is put to the admins once, whatever runs it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from relaybot.apps.booking.jobs import ask_about_finished
from relaybot.apps.booking.models import Booking, User
from relaybot.core.clock import ManualClock
from relaybot.runtime.scheduler import JobContext, Scheduler
from tests.booking_world import make_world


@pytest.fixture
async def world(make_settings, database_url):
    built = await make_world(make_settings(database_url))
    yield built
    await built.system.close()


def schedulers(world, clock: ManualClock, count: int) -> list[Scheduler]:
    jobs = [j for j in world.system.scheduler().jobs if j.name == "booking.completion"]
    return [
        Scheduler(
            settings=world.system.settings,
            sessions=world.system.sessions,
            jobs=jobs,
            bots=world.system.bots,
            clock=clock,
            holder=f"process-{n}",
        )
        for n in range(count)
    ]


async def test_each_finished_booking_is_asked_about_once_with_two_schedulers_running(world):
    async with world.system.sessions() as session, session.begin():
        session.add(
            User(
                bot="booking",
                chat_id="admin-2",
                channel="webchat",
                name="Bek",
                role="admin",
                language="en",
            )
        )
    dana = await world.new_client("Dana")
    for hhmm, who in (("09:00", world.aigul), ("09:00", world.bakyt), ("10:00", world.aigul)):
        await world.book(dana, who, world.haircut, hhmm)
    clock = ManualClock(start=world.at("08:00").timestamp())
    first, second = schedulers(world, clock, 2)
    cards: list[str] = []
    for _ in range(8):  # 08:00 .. 11:30 in steps of 30 minutes; both processes tick each time
        await asyncio.gather(first.tick(), second.tick())
        cards += [d.text for d in await world.driver.collect()]
        clock.advance(30 * 60)
    asked = [c for c in cards if c.startswith("Did it happen?")]
    # three bookings, two admins: six cards, each booking once per admin
    assert len(asked) == 6
    assert sorted(c.split(":")[0] for c in asked) == sorted(
        ["Did it happen? Booking 1", "Did it happen? Booking 2", "Did it happen? Booking 3"] * 2
    )
    async with world.system.sessions() as session:
        asked_at = list(await session.scalars(select(Booking.completion_asked_at)))
    assert all(a is not None for a in asked_at)


async def test_two_processes_running_the_check_at_the_same_moment_ask_once(world):
    """Without the scheduler's leases at all: the conditional UPDATE alone decides."""
    dana = await world.new_client("Dana")
    for hhmm in ("09:00", "10:00", "11:00", "14:00"):
        await world.book(dana, world.aigul, world.haircut, hhmm)
    now = datetime.fromtimestamp(world.at("18:00").timestamp(), UTC)

    async def check() -> None:
        async with world.system.sessions() as session, session.begin():
            ctx = JobContext(
                db=session, now=now, settings=world.system.settings, bots=world.system.bots
            )
            await ask_about_finished(ctx)
            for address, message, _ in ctx.outgoing:
                cards.append(f"{address.chat_id}: {message.text.split(':')[0]}")

    cards: list[str] = []
    await asyncio.gather(*(check() for _ in range(4)))
    assert sorted(cards) == [f"admin: Did it happen? Booking {n}" for n in (1, 2, 3, 4)]


async def test_a_booking_that_has_not_ended_is_not_asked_about(world):
    dana = await world.new_client("Dana")
    await world.book(dana, world.aigul, world.haircut, "10:00")
    clock = ManualClock(start=(world.at("11:00") - timedelta(seconds=1)).timestamp())
    (scheduler,) = schedulers(world, clock, 1)
    await scheduler.tick()
    assert [d for d in await world.driver.collect() if "Did it happen" in d.text] == []
    clock.advance(61)
    await scheduler.tick()
    assert len([d for d in await world.driver.collect() if "Did it happen" in d.text]) == 1


async def test_admin_answers_yes_and_no_and_a_second_answer_changes_nothing(world):
    dana = await world.new_client("Dana")
    await world.book(dana, world.aigul, world.haircut, "09:00")
    await world.book(dana, world.bakyt, world.haircut, "09:00")
    clock = ManualClock(start=world.at("12:00").timestamp())
    (scheduler,) = schedulers(world, clock, 1)
    await scheduler.tick()
    await world.driver.collect()
    admin = world.admin
    # the bookings are in the future for the bot's real clock: move them into the past
    async with world.system.sessions() as session, session.begin():
        for booking in await session.scalars(select(Booking)):
            booking.starts_at -= timedelta(days=30)
            booking.ends_at -= timedelta(days=30)
    reply = await admin.say("Yes, it happened", payload="bk:q:1:y")
    assert "Noted: booking No. 1 took place." in reply[0].text
    reply = await admin.say("No, they did not come", payload="bk:q:2:n")
    assert "did not come" in reply[0].text
    reply = await admin.say("No, they did not come", payload="bk:q:1:n")
    assert "This booking is already done." in reply[0].text
    specialist = world.aigul_chat
    reply = await specialist.say("Yes", payload="bk:q:2:y")
    assert "only an administrator can do that" in reply[0].text
    assert [b.status for b in await world.bookings()] == ["done", "no_show"]
