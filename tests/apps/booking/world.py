"""A small booking business for the tests: one studio in Bishkek, two services, two specialists.

Aigul (haircut 60 min, shave 30 min) is signed in to the bot; Bakyt (haircut) is not. Both
work Monday to Saturday 09:00-13:00 and 14:00-18:00. `day` is a Monday at least two days
ahead, so its times are in the future whenever the tests run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from relaybot.apps.booking.bookings import Bookings, Request
from relaybot.apps.booking.catalog import Catalog
from relaybot.apps.booking.grid import local_moment
from relaybot.apps.booking.models import Booking, User
from relaybot.apps.booking.slots import SlotCache
from relaybot.apps.booking.users import Actor
from relaybot.config import Settings
from relaybot.system import System, build_system
from relaybot.testing.driver import ChatDriver, DrivenChat

TZ = "Asia/Bishkek"
HOURS = [(9 * 60, 13 * 60), (14 * 60, 18 * 60)]


def coming_monday(now: datetime, tz: ZoneInfo) -> date:
    day = now.astimezone(tz).date() + timedelta(days=2)
    while day.weekday() != 0:
        day += timedelta(days=1)
    return day


@dataclass
class World:
    system: System
    driver: ChatDriver
    location: int
    haircut: int
    shave: int
    aigul: int
    bakyt: int
    admin_user: int
    aigul_user: int
    day: date
    admin: DrivenChat
    aigul_chat: DrivenChat

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(TZ)

    def at(self, hhmm: str, day: date | None = None) -> datetime:
        hours, minutes = map(int, hhmm.split(":"))
        return local_moment(day or self.day, hours * 60 + minutes, self.tz).astimezone(UTC)

    def client(self, chat_id: str, *, name: str | None = None, language: str = "en") -> DrivenChat:
        return self.driver.chat("booking", chat_id, name=name, language=language)

    async def user_id(self, chat: DrivenChat) -> int:
        async with self.system.sessions() as session:
            found = await session.scalar(
                select(User.id).where(User.bot == "booking", User.chat_id == chat.address.chat_id)
            )
        assert found is not None, "that chat has not written to the bot yet"
        return found

    async def new_client(self, name: str) -> int:
        """A client the admin knows by name only (no chat)."""
        async with self.system.sessions() as session, session.begin():
            client = User(name=name, role="client")
            session.add(client)
            await session.flush()
            return client.id

    async def book(
        self, client_id: int, specialist: int, service: int, hhmm: str, *, day: date | None = None
    ) -> Booking:
        """A booking made the way the bot makes one, without notifications."""
        async with self.system.sessions() as session, session.begin():
            client = await session.get(User, client_id)
            assert client is not None
            result = await Bookings(session, SlotCache(), None, now=datetime.now(UTC)).create(
                Actor(client),
                Request(client_id, self.location, service, specialist, self.at(hhmm, day)),
            )
        assert isinstance(result, Booking), result
        return result

    async def bookings(self) -> list[Booking]:
        async with self.system.sessions() as session:
            return list(await session.scalars(select(Booking).order_by(Booking.id)))

    async def count(self, model: type) -> int:
        async with self.system.sessions() as session:
            return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def make_world(settings: Settings) -> World:
    system = await build_system(settings)
    async with system.sessions() as session, session.begin():
        admin = User(
            bot="booking",
            chat_id="admin",
            channel="webchat",
            name="Asel",
            role="admin",
            language="en",
        )
        specialist_user = User(
            bot="booking",
            chat_id="aigul",
            channel="webchat",
            name="Aigul",
            role="specialist",
            language="en",
        )
        session.add_all([admin, specialist_user])
        await session.flush()
        catalog = Catalog(session, Actor(admin))
        location = await catalog.add_location(name="Central", address="Chui 120", timezone=TZ)
        haircut = await catalog.add_service(
            name="Haircut", duration_min=60, price_minor=100000, currency="KGS"
        )
        shave = await catalog.add_service(
            name="Shave", duration_min=30, price_minor=50000, currency="KGS"
        )
        aigul = await catalog.add_specialist(name="Aigul", service_ids=[haircut.id, shave.id])
        bakyt = await catalog.add_specialist(name="Bakyt", service_ids=[haircut.id])
        aigul.user_id = specialist_user.id
        aigul.invite_code = None
        for person in (aigul, bakyt):
            await catalog.set_hours(person.id, location.id, weekdays=range(6), intervals=HOURS)
        ids = (location.id, haircut.id, shave.id, aigul.id, bakyt.id, admin.id, specialist_user.id)
    driver = ChatDriver(system)
    return World(
        system,
        driver,
        *ids,
        day=coming_monday(datetime.now(UTC), ZoneInfo(TZ)),
        admin=driver.chat("booking", "admin"),
        aigul_chat=driver.chat("booking", "aigul"),
    )
