"""No double booking, guaranteed by the database: many people, one time, one booking."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from relaybot.apps.booking.bookings import Bookings, Request, Taken
from relaybot.apps.booking.grid import cell_at
from relaybot.apps.booking.models import Booking, Cell, User
from relaybot.apps.booking.slots import SlotCache
from relaybot.apps.booking.users import Actor
from tests.apps.booking.world import make_world

PEOPLE = 100


@pytest.fixture
async def world(make_settings, database_url):
    built = await make_world(make_settings(database_url))
    yield built
    await built.system.close()


async def test_a_hundred_people_booking_the_same_time_get_exactly_one_booking(world):
    clients = [await world.new_client(f"Client {n}") for n in range(PEOPLE)]
    start = world.at("10:00")
    caches = [SlotCache() for _ in range(4)]  # as if four worker processes took the requests
    for cache in caches:  # every cache believes 10:00 is free
        async with world.system.sessions() as session:
            starts = await cache.starts(
                session,
                location_id=world.location,
                service_id=world.haircut,
                specialist_id=world.aigul,
                day=world.day,
                after=datetime.now(UTC),
            )
        assert start in [s.at for s in starts]

    async def attempt(index: int) -> Booking | Taken:
        async with world.system.sessions() as session, session.begin():
            client = await session.get(User, clients[index])
            assert client is not None
            bookings = Bookings(session, caches[index % 4], None, now=datetime.now(UTC))
            request = Request(client.id, world.location, world.haircut, world.aigul, start)
            return await bookings.create(Actor(client), request)

    results = await asyncio.gather(*(attempt(n) for n in range(PEOPLE)))

    made = [r for r in results if isinstance(r, Booking)]
    taken = [r for r in results if isinstance(r, Taken)]
    assert len(made) == 1 and len(taken) == PEOPLE - 1
    for answer in taken:
        offered = [s.at for s in answer.alternatives]
        assert offered, "a refused person is offered other times"
        assert start not in offered
        assert all(abs((s - start).total_seconds()) <= 3 * 3600 for s in offered[:2])
    async with world.system.sessions() as session:
        rows = await session.scalar(select(func.count()).select_from(Booking))
        cells = list(await session.scalars(select(Cell.cell).order_by(Cell.cell)))
    assert rows == 1
    assert cells == [cell_at(start) + n for n in range(4)]  # 60 minutes = four cells


class BlindCache(SlotCache):
    """A cache that always says "free": what a stale cache in another process might say."""

    async def is_free(self, session, *, specialist_id, **_ignored):  # type: ignore[override]
        return (specialist_id,)


async def test_even_a_cache_that_always_says_free_cannot_cause_a_double_booking(world):
    clients = [await world.new_client(f"Client {n}") for n in range(PEOPLE)]
    start = world.at("15:00")

    async def attempt(client_id: int) -> Booking | Taken:
        async with world.system.sessions() as session, session.begin():
            client = await session.get(User, client_id)
            assert client is not None
            bookings = Bookings(session, BlindCache(), None, now=datetime.now(UTC))
            request = Request(client_id, world.location, world.haircut, world.bakyt, start)
            return await bookings.create(Actor(client), request)

    results = await asyncio.gather(*(attempt(c) for c in clients))
    assert sum(isinstance(r, Booking) for r in results) == 1
    assert all(r.alternatives for r in results if isinstance(r, Taken))
    async with world.system.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Booking)) == 1


async def test_overlapping_times_of_different_lengths_cannot_both_be_booked(world):
    """A 60-minute 10:00 and a 30-minute 10:30 share the 10:30 cell: only one is made."""
    first, second = await world.new_client("First"), await world.new_client("Second")

    async def attempt(client_id: int, service: int, hhmm: str) -> Booking | Taken:
        async with world.system.sessions() as session, session.begin():
            client = await session.get(User, client_id)
            assert client is not None
            bookings = Bookings(session, SlotCache(), None, now=datetime.now(UTC))
            request = Request(client_id, world.location, service, world.aigul, world.at(hhmm))
            return await bookings.create(Actor(client), request)

    results = await asyncio.gather(
        attempt(first, world.haircut, "10:00"), attempt(second, world.shave, "10:30")
    )
    assert sorted(type(r).__name__ for r in results) == ["Booking", "Taken"]


async def test_the_database_itself_refuses_a_second_booking_of_a_taken_cell(world):
    """Without any check in Python: the primary key of booking_cells says no."""
    dana = await world.new_client("Dana")
    booking = await world.book(dana, world.aigul, world.haircut, "10:00")
    with pytest.raises(IntegrityError):
        async with world.system.sessions() as session, session.begin():
            await session.execute(
                insert(Cell).values(
                    specialist_id=world.aigul,
                    cell=cell_at(world.at("10:45")),
                    booking_id=booking.id,
                )
            )
