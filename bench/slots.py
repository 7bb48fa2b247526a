"""Free-slot queries of the booking app: 50 specialists x 30 days with 2,000 bookings.

One location (Asia/Bishkek); three services (30, 60, 90 min), each offered by all 50
specialists; working hours Monday to Saturday 09:00-13:00 and 14:00-19:00; 2,000 bookings
placed at random free times over the 30 days (a fixed seed). Each query is what a screen of
the bot asks, inside an open transaction as in the worker:

* day: the free times of one day for a service with "any specialist" (the time step);
* day, one specialist: the same for a single specialist;
* 30 days: which of the 30 days have free time (the date step).

"cold" empties the whole cache before every query (as after a start or a change of hours);
"cold day" keeps the location's hours and forgets the day grids (as for a day nobody asked
about yet); "cached" asks with every day warm: one statement reads the location's and the
days' versions, which is what keeps the cache correct across processes. "after a booking"
books a time and then asks for that day: only the changed day is read again. "cpu" is the
CPU time of this process per query (SQLite's thread included), which a busy machine does
not inflate the way it inflates wall time.

    python bench/slots.py [--database-url URL] [--queries 300]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import insert

from relaybot.apps.booking.bookings import Bookings, Request
from relaybot.apps.booking.catalog import Catalog
from relaybot.apps.booking.grid import CELL_SECONDS, cell_at, cells_for, local_moment
from relaybot.apps.booking.models import Booking, Cell, User
from relaybot.apps.booking.slots import SlotCache, touch_schedule
from relaybot.apps.booking.users import Actor
from relaybot.config import load_settings
from relaybot.store.db import SessionMaker
from relaybot.system import open_store

SPECIALISTS = 50
DAYS = 30
BOOKINGS = 2000
TZ = ZoneInfo("Asia/Bishkek")
HOURS = [(9 * 60, 13 * 60), (14 * 60, 19 * 60)]
DURATIONS = (30, 60, 90)


async def build(sessions: SessionMaker, first_day: date, rng: random.Random) -> dict[str, object]:
    async with sessions() as session, session.begin():
        admin = User(name="bench", role="admin")
        session.add(admin)
        await session.flush()
        catalog = Catalog(session, Actor(admin))
        location = await catalog.add_location(name="Bench", address="Chui 1", timezone=str(TZ))
        services = [
            await catalog.add_service(
                name=f"Service {m}", duration_min=m, price_minor=100000, currency="KGS"
            )
            for m in DURATIONS
        ]
        specialists = []
        for n in range(SPECIALISTS):
            person = await catalog.add_specialist(
                name=f"Specialist {n:02d}", service_ids=[s.id for s in services]
            )
            await catalog.set_hours(person.id, location.id, weekdays=range(6), intervals=HOURS)
            specialists.append(person.id)
        client = User(name="client", role="client")
        session.add(client)
        await session.flush()
        taken: dict[int, set[int]] = {s: set() for s in specialists}
        working_days = [
            first_day + timedelta(days=d)
            for d in range(DAYS)
            if (first_day + timedelta(days=d)).weekday() < 6
        ]
        made = 0
        while made < BOOKINGS:
            specialist = rng.choice(specialists)
            service = rng.choice(services)
            day = rng.choice(working_days)
            start_min, end_min = rng.choice(HOURS)
            slots = (end_min - start_min - service.duration_min) // 15
            start = local_moment(day, start_min + 15 * rng.randint(0, slots), TZ)
            cells = set(range(cell_at(start), cell_at(start) + cells_for(service.duration_min)))
            if cells & taken[specialist]:
                continue
            taken[specialist] |= cells
            booking = Booking(
                client_id=client.id,
                specialist_id=specialist,
                service_id=service.id,
                location_id=location.id,
                starts_at=start.astimezone(UTC),
                ends_at=(start + timedelta(minutes=service.duration_min)).astimezone(UTC),
                duration_min=service.duration_min,
                status="confirmed",
            )
            session.add(booking)
            await session.flush()
            await session.execute(
                insert(Cell),
                [{"specialist_id": specialist, "cell": c, "booking_id": booking.id} for c in cells],
            )
            made += 1
        await touch_schedule(session)
    return {
        "location": location.id,
        "services": [s.id for s in services],
        "specialists": specialists,
        "client": client.id,
        "days": [first_day + timedelta(days=d) for d in range(DAYS)],
    }


Sample = tuple[float, float]  # wall seconds, CPU seconds of this process


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000


def summary(name: str, samples: list[Sample]) -> str:
    wall = [w for w, _ in samples]
    cpu = [c for _, c in samples]
    return (
        f"{name:<36} {len(samples):>5} {statistics.median(wall) * 1000:>8.2f} "
        f"{_p(wall, 0.99):>8.2f} {max(wall) * 1000:>8.2f} {statistics.median(cpu) * 1000:>8.2f} "
        f"{_p(cpu, 0.99):>8.2f}"
    )


def clock() -> Sample:
    return time.perf_counter(), time.process_time()


def since(start: Sample) -> Sample:
    return time.perf_counter() - start[0], time.process_time() - start[1]


async def measure(
    sessions: SessionMaker,
    count: int,
    query: Callable[[SlotCache, object], Awaitable[object]],
    *,
    cold: str,
    cache: SlotCache,
) -> list[Sample]:
    """`cold`: "" (cache kept), "days" (forget the day grids) or "all" (forget everything)."""
    samples: list[Sample] = []
    async with sessions() as session, session.begin():
        for _ in range(count):
            if cold == "all":
                cache.clear()
            elif cold == "days":
                cache.forget_days()
            started = clock()
            await query(cache, session)
            samples.append(since(started))
    return samples


async def run(database_url: str, count: int) -> None:
    settings = load_settings(None, database_url=database_url)
    rng = random.Random(20261127)
    now = datetime.now(UTC)
    first_day = now.astimezone(TZ).date() + timedelta(days=1)
    async with open_store(settings) as sessions:
        started = time.perf_counter()
        world = await build(sessions, first_day, rng)
        print(
            f"data: {SPECIALISTS} specialists, {DAYS} days, {BOOKINGS} bookings "
            f"({time.perf_counter() - started:.1f} s to create) on {database_url.split(':')[0]}"
        )
        location = world["location"]
        services: list[int] = world["services"]  # type: ignore[assignment]
        specialists: list[int] = world["specialists"]  # type: ignore[assignment]
        days: list[date] = world["days"]  # type: ignore[assignment]

        def day_any(cache: SlotCache, session: object) -> Awaitable[object]:
            return cache.starts(
                session,  # type: ignore[arg-type]
                location_id=location,  # type: ignore[arg-type]
                service_id=rng.choice(services),
                specialist_id=None,
                day=rng.choice(days),
                after=now,
            )

        def day_one(cache: SlotCache, session: object) -> Awaitable[object]:
            return cache.starts(
                session,  # type: ignore[arg-type]
                location_id=location,  # type: ignore[arg-type]
                service_id=rng.choice(services),
                specialist_id=rng.choice(specialists),
                day=rng.choice(days),
                after=now,
            )

        def month(cache: SlotCache, session: object) -> Awaitable[object]:
            return cache.free_days(
                session,  # type: ignore[arg-type]
                location_id=location,  # type: ignore[arg-type]
                service_id=rng.choice(services),
                specialist_id=rng.choice([None, *specialists]),
                days=days,
                after=now,
            )

        print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        print(
            f"\n{'query (ms)':<36} {'n':>5} {'p50':>8} {'p99':>8} {'max':>8} "
            f"{'cpu p50':>8} {'cpu p99':>8}"
        )
        rows = (
            ("day, any specialist", day_any, count),
            ("day, one specialist", day_one, count),
            ("30 days, any or one", month, max(20, count // 5)),
        )
        for name, query, n in rows:
            cache = SlotCache()
            for cold, label in (("all", "cold"), ("days", "cold day"), ("", "cached")):
                if not cold:
                    async with sessions() as session:
                        await cache.grids(session, location, days)  # type: ignore[arg-type]
                samples = await measure(
                    sessions, n if cold else n * 5, query, cold=cold, cache=cache
                )
                print(summary(f"{name}: {label}", samples))

        # a booking changes one day; the next query for it reads only that day again
        cache = SlotCache()
        async with sessions() as session:
            await cache.grids(session, location, days)  # type: ignore[arg-type]
        samples: list[Sample] = []
        for attempt in range(max(20, count // 5)):
            day = days[1 + attempt % (len(days) - 1)]
            async with sessions() as session, session.begin():
                client = await session.get(User, world["client"])
                assert client is not None
                starts = await cache.starts(
                    session,
                    location_id=location,  # type: ignore[arg-type]
                    service_id=services[0],
                    specialist_id=None,
                    day=day,
                    after=now,
                )
                if not starts:
                    continue
                pick = rng.choice(starts)
                await Bookings(session, SlotCache(), None, now=now).create(
                    Actor(client),
                    Request(
                        client.id,
                        location,  # type: ignore[arg-type]
                        services[0],
                        pick.specialists[0],
                        datetime.fromtimestamp(pick.cell * CELL_SECONDS, UTC),
                    ),
                )
            async with sessions() as session, session.begin():
                started = clock()
                await cache.starts(
                    session,
                    location_id=location,  # type: ignore[arg-type]
                    service_id=services[1],
                    specialist_id=None,
                    day=day,
                    after=now,
                )
                samples.append(since(started))
        print(summary("day, any: after a booking on it", samples))
        print(f"load average after: {os.getloadavg()[0]:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None, help="default: a new SQLite file")
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    if args.database_url:
        asyncio.run(run(args.database_url, args.queries))
        return
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(run(f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}", args.queries))


if __name__ == "__main__":
    main()
