"""Free times: working hours minus bookings minus the service's length, cached per day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from relaybot.apps.booking.bookings import Bookings, Request
from relaybot.apps.booking.catalog import Catalog
from relaybot.apps.booking.grid import day_cells
from relaybot.apps.booking.models import User
from relaybot.apps.booking.render import when
from relaybot.apps.booking.slots import SlotCache
from relaybot.apps.booking.users import Actor
from tests.booking_world import World, make_world


@pytest.fixture
async def world(make_settings, sqlite_url):
    built = await make_world(make_settings(sqlite_url))
    yield built
    await built.system.close()


@pytest.fixture
async def any_world(make_settings, database_url):
    """The same world on SQLite and on PostgreSQL."""
    built = await make_world(make_settings(database_url))
    yield built
    await built.system.close()


async def free_times(
    world: World, cache: SlotCache, service: int, specialist: int | None, day: date | None = None
) -> list[str]:
    async with world.system.sessions() as session:
        starts = await cache.starts(
            session,
            location_id=world.location,
            service_id=service,
            specialist_id=specialist,
            day=day or world.day,
            after=datetime.now(UTC),
        )
    return [s.at.astimezone(world.tz).strftime("%H:%M") for s in starts]


def quarter_hours(start: str, end: str) -> list[str]:
    """Every quarter hour from start to end, both included."""
    first = datetime.strptime(start, "%H:%M")
    last = datetime.strptime(end, "%H:%M")
    out = []
    while first <= last:
        out.append(first.strftime("%H:%M"))
        first += timedelta(minutes=15)
    return out


async def test_free_times_are_working_hours_minus_bookings_minus_the_service_length(world):
    cache = SlotCache()
    assert await free_times(world, cache, world.haircut, world.aigul) == [
        *quarter_hours("09:00", "12:00"),
        *quarter_hours("14:00", "17:00"),
    ]
    dana = await world.new_client("Dana")
    await world.book(dana, world.aigul, world.shave, "10:00")  # 10:00-10:30
    # a 60-minute haircut must fit before 10:00 or start at 10:30 or later
    assert await free_times(world, cache, world.haircut, world.aigul) == [
        "09:00",
        *quarter_hours("10:30", "12:00"),
        *quarter_hours("14:00", "17:00"),
    ]
    # a 30-minute shave fits in more places
    assert await free_times(world, cache, world.shave, world.aigul) == [
        *quarter_hours("09:00", "09:30"),
        *quarter_hours("10:30", "12:30"),
        *quarter_hours("14:00", "17:30"),
    ]


async def test_any_specialist_offers_a_time_when_anyone_is_free(world):
    dana = await world.new_client("Dana")
    await world.book(dana, world.aigul, world.haircut, "09:00")
    cache = SlotCache()
    async with world.system.sessions() as session:
        starts = await cache.starts(
            session,
            location_id=world.location,
            service_id=world.haircut,
            specialist_id=None,
            day=world.day,
            after=datetime.now(UTC),
        )
    by_time = {s.at.astimezone(world.tz).strftime("%H:%M"): s.specialists for s in starts}
    assert by_time["09:00"] == (world.bakyt,)
    assert by_time["10:00"] == tuple(sorted((world.aigul, world.bakyt)))
    # Bakyt does not shave, so "any" for a shave is Aigul alone, and not at 09:00 any more
    assert "09:00" not in await free_times(world, cache, world.shave, None)


async def test_times_are_stored_in_utc_and_shown_in_the_location_timezone(world):
    dana = await world.new_client("Dana")
    booking = await world.book(dana, world.aigul, world.haircut, "10:00")
    async with world.system.sessions() as session:
        stored = await session.get(type(booking), booking.id)
    assert stored is not None
    assert stored.starts_at.tzinfo is not None and stored.starts_at.utcoffset() == timedelta(0)
    assert stored.starts_at.hour == 4  # Bishkek is UTC+6
    assert when(stored.starts_at, ZoneInfo("Asia/Bishkek"), "en").endswith(", 10:00")
    assert when(stored.starts_at, ZoneInfo("Europe/Moscow"), "ru").endswith(", 07:00")


def test_a_day_has_96_cells_and_a_day_when_the_clocks_change_has_92_or_100():
    berlin = ZoneInfo("Europe/Berlin")
    assert day_cells(date(2026, 3, 28), berlin)[1] == 96
    assert day_cells(date(2026, 3, 29), berlin)[1] == 92
    assert day_cells(date(2026, 10, 25), berlin)[1] == 100
    assert day_cells(date(2026, 3, 29), ZoneInfo("Asia/Kathmandu"))[1] == 96  # UTC+5:45


async def test_a_date_exception_replaces_the_weekly_hours_of_that_day(world):
    next_day = world.day + timedelta(days=1)
    async with world.system.sessions() as session, session.begin():
        admin = await session.get(User, world.admin_user)
        assert admin is not None
        catalog = Catalog(session, Actor(admin))
        await catalog.set_exception(world.aigul, world.location, day=world.day, intervals=[])
        await catalog.set_exception(
            world.aigul, world.location, day=next_day, intervals=[(600, 720)]
        )
    cache = SlotCache()
    assert await free_times(world, cache, world.haircut, world.aigul) == []
    assert await free_times(world, cache, world.haircut, world.aigul, next_day) == quarter_hours(
        "10:00", "11:00"
    )
    assert await free_times(world, cache, world.haircut, world.bakyt) != []  # only Aigul is off


async def test_the_cache_is_correct_after_every_change_made_by_another_process(any_world):
    """Two caches stand for two processes; the second books, the first must see it."""
    world = any_world
    mine, theirs = SlotCache(), SlotCache()
    before = await free_times(world, mine, world.haircut, world.aigul)
    assert "10:00" in before
    loads = mine.loads
    assert await free_times(world, mine, world.haircut, world.aigul) == before
    assert mine.loads == loads  # answered from memory

    dana = await world.new_client("Dana")
    booking = await world.book(dana, world.aigul, world.haircut, "10:00")
    after_booking = await free_times(world, mine, world.haircut, world.aigul)
    assert mine.loads == loads + 1
    assert [t for t in quarter_hours("09:15", "10:45") if t in after_booking] == []

    async with world.system.sessions() as session, session.begin():
        admin = await session.get(User, world.admin_user)
        assert admin is not None
        await Bookings(session, theirs, None, now=datetime.now(UTC)).cancel(
            Actor(admin), booking.id
        )
    assert await free_times(world, mine, world.haircut, world.aigul) == before

    async with world.system.sessions() as session, session.begin():
        admin = await session.get(User, world.admin_user)
        assert admin is not None
        await Catalog(session, Actor(admin)).set_hours(
            world.aigul, world.location, weekdays=[0], intervals=[(9 * 60, 11 * 60)]
        )
    assert await free_times(world, mine, world.haircut, world.aigul) == quarter_hours(
        "09:00", "10:00"
    )
    # the other days of the week kept their own hours
    assert "17:00" in await free_times(
        world, mine, world.haircut, world.aigul, world.day + timedelta(days=1)
    )


async def test_a_rolled_back_booking_never_leaves_its_trace_in_the_cache(any_world):
    world = any_world
    cache = SlotCache()
    dana = await world.new_client("Dana")
    async with world.system.sessions() as session:
        await session.begin()
        client = await session.get(User, dana)
        assert client is not None
        await Bookings(session, cache, None, now=datetime.now(UTC)).create(
            Actor(client),
            Request(dana, world.location, world.haircut, world.aigul, world.at("10:00")),
        )
        inside = await cache.starts(
            session,
            location_id=world.location,
            service_id=world.haircut,
            specialist_id=world.aigul,
            day=world.day,
            after=datetime.now(UTC),
        )
        assert world.at("10:00") not in [s.at for s in inside]
        await session.rollback()
    assert "10:00" in await free_times(world, cache, world.haircut, world.aigul)


async def test_a_time_that_has_begun_is_no_longer_offered(world):
    """At 10:07 the 10:00 start has passed: the first offer is 10:15, which books."""
    cache = SlotCache()
    async with world.system.sessions() as session:
        starts = await cache.starts(
            session,
            location_id=world.location,
            service_id=world.shave,
            specialist_id=world.aigul,
            day=world.day,
            after=world.at("10:07"),
        )
    assert starts[0].at == world.at("10:15")
    async with world.system.sessions() as session:
        on_the_hour = await cache.is_free(
            session,
            location_id=world.location,
            service_id=world.shave,
            specialist_id=world.aigul,
            start=world.at("10:00"),
            after=world.at("10:00"),
        )
    assert on_the_hour == ()
