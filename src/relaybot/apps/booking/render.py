"""Dates, times, prices and booking lines in the reader's language and the location's timezone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton
from babel.numbers import format_decimal, get_currency_symbol
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from relaybot import N_, Translator

from .models import Booking, Location, Service, Specialist, User
from .users import display_name

STATUS_NAMES = {
    "pending": N_("awaiting confirmation"),
    "confirmed": N_("confirmed"),
    "done": N_("done"),
    "cancelled": N_("cancelled"),
    "no_show": N_("no-show"),
}
WEEKDAYS = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)


def day_label(day: date, locale: str) -> str:
    """`Mon, Dec 1` / `пн, 1 дек.`"""
    return str(format_skeleton("MMMEd", day, locale=locale))


def clock(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%H:%M")


def when(moment: datetime, tz: ZoneInfo, locale: str) -> str:
    local = moment.astimezone(tz)
    return f"{day_label(local.date(), locale)}, {local:%H:%M}"


def minutes_label(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def price(amount_minor: int, currency: str, locale: str) -> str:
    amount = amount_minor / 100
    shown = format_decimal(
        amount, format="#,##0" if amount_minor % 100 == 0 else "#,##0.00", locale=locale
    )
    return f"{shown} {get_currency_symbol(currency, locale=locale)}"


@dataclass(frozen=True)
class BookingView:
    """A booking with the names a person reads."""

    booking: Booking
    service: str
    specialist: str
    specialist_user_id: int | None
    location: str
    address: str
    tz: ZoneInfo
    client: User

    @property
    def id(self) -> int:
        return self.booking.id

    def when(self, locale: str) -> str:
        return when(self.booking.starts_at, self.tz, locale)

    def span(self) -> str:
        return f"{clock(self.booking.starts_at, self.tz)}–{clock(self.booking.ends_at, self.tz)}"

    def values(self, t: Translator) -> dict[str, str]:
        """Placeholders every booking text may use."""
        booking = self.booking
        client = display_name(self.client)
        if self.client.phone:
            client = f"{client}, {self.client.phone}"
        return {
            "number": str(booking.id),
            "service": self.service,
            "specialist": self.specialist,
            "location": self.location,
            "address": self.address,
            "client": client,
            "when": self.when(t.locale),
            "duration": str(booking.duration_min),
            "price": price(booking.price_minor, booking.currency, t.locale),
            "status": t(STATUS_NAMES[booking.status]),
        }

    def details(self, t: Translator) -> str:
        return t(
            N_(
                "No. {number}: {service}, {when}\n"
                "Specialist: {specialist}\nWhere: {location}, {address}\n"
                "Client: {client}\nStatus: {status}"
            ),
            **self.values(t),
        )


async def booking_views(session: AsyncSession, where: list[object]) -> list[BookingView]:
    client = aliased(User)
    rows = await session.execute(
        select(Booking, Service.name, Specialist.name, Specialist.user_id, Location, client)
        .join(Service, Service.id == Booking.service_id)
        .join(Specialist, Specialist.id == Booking.specialist_id)
        .join(Location, Location.id == Booking.location_id)
        .join(client, client.id == Booking.client_id)
        .where(*where)  # type: ignore[arg-type]
        .order_by(Booking.starts_at, Booking.id)
    )
    return [
        BookingView(
            booking=r[0],
            service=r[1],
            specialist=r[2],
            specialist_user_id=r[3],
            location=r[4].name,
            address=r[4].address,
            tz=ZoneInfo(r[4].timezone),
            client=r[5],
        )
        for r in rows
    ]


async def booking_view(session: AsyncSession, booking_id: int) -> BookingView | None:
    views = await booking_views(session, [Booking.id == booking_id])
    return views[0] if views else None
