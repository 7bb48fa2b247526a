"""Sample data: one studio, three services, three specialists with hours, a few bookings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from .bookings import Bookings, Request
from .catalog import Catalog
from .grid import local_moment
from .models import Booking, Location, User
from .slots import SlotCache
from .users import Actor

TIMEZONE = "Asia/Bishkek"


@dataclass(frozen=True)
class Sample:
    location: tuple[str, str]
    services: tuple[tuple[str, int, int], ...]  # name, minutes, price in tyiyn
    specialists: tuple[str, ...]
    clients: tuple[tuple[str, str], ...]


SAMPLES = {
    "en": Sample(
        location=("Central studio", "Bishkek, Chui avenue 120"),
        services=(("Haircut", 45, 80000), ("Manicure", 60, 120000), ("Massage", 90, 200000)),
        specialists=("Aigul", "Bakyt", "Saltanat"),
        clients=(("Nurlan", "+996555100200"), ("Elena", "+996700300400")),
    ),
    "ru": Sample(
        location=("Студия в центре", "Бишкек, проспект Чуй 120"),
        services=(("Стрижка", 45, 80000), ("Маникюр", 60, 120000), ("Массаж", 90, 200000)),
        specialists=("Айгуль", "Бакыт", "Салтанат"),
        clients=(("Нурлан", "+996555100200"), ("Елена", "+996700300400")),
    ),
}
OFFERS = [(0, 1), (0, 2), (1, 2)]  # service positions each specialist offers
WEEKDAY_HOURS = [(9 * 60, 13 * 60), (14 * 60, 19 * 60)]
SATURDAY_HOURS = [(10 * 60, 16 * 60)]


@dataclass(frozen=True)
class DemoResult:
    created: bool
    locations: int
    services: int
    specialists: int
    bookings: int
    present: bool = False


async def seed_demo(session: AsyncSession, *, locale: str, now: datetime) -> DemoResult:
    """Create the sample data unless there is a location already (then change nothing);
    `present` says whether that location is a sample studio, in any language."""
    if await session.scalar(select(func.count()).select_from(Location)):
        names = [s.location[0] for s in SAMPLES.values()]
        present = await session.scalar(select(Location.id).where(Location.name.in_(names)))
        return DemoResult(False, 0, 0, 0, 0, present=present is not None)
    sample = SAMPLES.get(locale, SAMPLES["en"])
    operator = Actor(User(role="admin", name="operator"))
    catalog = Catalog(session, operator)
    place, address = sample.location
    location = await catalog.add_location(name=place, address=address, timezone=TIMEZONE)
    services = [
        await catalog.add_service(name=n, duration_min=m, price_minor=p, currency="KGS")
        for n, m, p in sample.services
    ]
    specialists = []
    for person, offers in zip(sample.specialists, OFFERS, strict=True):
        specialist = await catalog.add_specialist(
            name=person, service_ids=[services[i].id for i in offers]
        )
        await catalog.set_hours(
            specialist.id, location.id, weekdays=range(5), intervals=WEEKDAY_HOURS
        )
        await catalog.set_hours(specialist.id, location.id, weekdays=[5], intervals=SATURDAY_HOURS)
        specialists.append(specialist)
    bookings = 0
    tz = ZoneInfo(TIMEZONE)
    day = now.astimezone(tz).date() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    cache = SlotCache()
    for index, (client_name, phone) in enumerate(sample.clients):
        client = User(name=client_name, phone=phone, role="client")
        session.add(client)
        await session.flush()
        request = Request(
            client_id=client.id,
            location_id=location.id,
            service_id=services[index].id,
            specialist_id=None,
            start=local_moment(day, 10 * 60 + 60 * index, tz),
        )
        result = await Bookings(session, cache, None, now=now).create(Actor(client), request)
        bookings += isinstance(result, Booking)
    return DemoResult(True, 1, len(services), len(specialists), bookings)
