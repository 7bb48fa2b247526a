"""Who hears of a booking event, in their own language, with the admin's settings applied.

The matrix is the seed's, row for row. Where the seed lets the client of a new booking have
a "confirmation", that confirmation is the answer in the client's own chat (they are the
initiator and are never notified of their own act); rows the seed does not have (a client
or specialist moving a booking, an admin confirming one) follow the same rule: everyone
concerned but the initiator.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from relaybot import N_, Button, Matrix, Outlet, Recipient, Route, route, translator

from .models import AdTemplate, NotificationSetting, User
from .render import BookingView, when
from .users import Actor, recipient

SYSTEM = "system"

NEW_FOR_STAFF = N_(
    "New booking {number}: {service}, {when}. Client: {client}. Specialist: {specialist}."
)
CANCELLED_FOR_STAFF = N_("Booking {number} was cancelled: {service}, {when}, client {client}.")
CANCELLED_FOR_CLIENT = N_(
    "Your booking {number} was cancelled: {service}, {when}. Sorry for the inconvenience; "
    "you are welcome to book another time."
)
MOVED_FOR_STAFF = N_("Booking {number} was moved from {old_when} to {when}: {service}, {client}.")
MOVED_FOR_CLIENT = N_(
    "Your booking {number} was moved: {service} is now on {when} (was {old_when})."
)
DONE_CARD = N_(
    "Did it happen? Booking {number}: {service}, {when}.\nClient: {client}. "
    "Specialist: {specialist}."
)

MATRIX = Matrix(
    [
        Route("booking_created", "client", "specialist", NEW_FOR_STAFF),
        Route("booking_created", "client", "admin", NEW_FOR_STAFF),
        Route(
            "booking_created",
            "admin",
            "client",
            N_(
                "A booking was made for you: {service}, {when} with {specialist} at "
                "{location}, {address}. Booking number {number}."
            ),
        ),
        Route("booking_created", "admin", "specialist", NEW_FOR_STAFF),
        Route("booking_cancelled", "client", "specialist", CANCELLED_FOR_STAFF),
        Route("booking_cancelled", "client", "admin", CANCELLED_FOR_STAFF),
        Route("booking_cancelled", "admin", "client", CANCELLED_FOR_CLIENT),
        Route("booking_cancelled", "admin", "specialist", CANCELLED_FOR_STAFF),
        Route("booking_cancelled", "specialist", "client", CANCELLED_FOR_CLIENT),
        Route("booking_cancelled", "specialist", "admin", CANCELLED_FOR_STAFF),
        Route("booking_rescheduled", "admin", "client", MOVED_FOR_CLIENT),
        Route("booking_rescheduled", "admin", "specialist", MOVED_FOR_STAFF),
        Route("booking_rescheduled", "client", "specialist", MOVED_FOR_STAFF),
        Route("booking_rescheduled", "client", "admin", MOVED_FOR_STAFF),
        Route("booking_done", SYSTEM, "admin", DONE_CARD),
        Route(
            "booking_confirmed",
            "admin",
            "client",
            N_("Your booking {number} is confirmed: {service}, {when}, {location}, {address}."),
        ),
    ]
)
EVENT_NAMES = {
    "booking_created": N_("New booking"),
    "booking_cancelled": N_("Booking cancelled"),
    "booking_rescheduled": N_("Booking moved"),
    "booking_done": N_("Did it happen?"),
    "booking_confirmed": N_("Booking confirmed"),
}
ROLE_NAMES = {"admin": N_("administrator"), "specialist": N_("specialist"), "client": N_("client")}


@dataclass(frozen=True)
class Setting:
    enabled: bool = True
    ad: str | None = None


async def settings_for(session: AsyncSession, event: str) -> dict[tuple[str, str], Setting]:
    """(recipient role, channel) -> setting; channel '*' applies where none is more specific."""
    rows = await session.execute(
        select(NotificationSetting, AdTemplate)
        .outerjoin(
            AdTemplate,
            (AdTemplate.id == NotificationSetting.ad_template_id) & AdTemplate.active.is_(True),
        )
        .where(NotificationSetting.event == event)
    )
    return {
        (s.recipient_role, s.channel): Setting(s.enabled, ad.text if ad is not None else None)
        for s, ad in rows
    }


def _setting(table: dict[tuple[str, str], Setting], role: str, channel: str) -> Setting:
    return table.get((role, channel)) or table.get((role, "*")) or Setting()


class Notifier:
    """Sends booking events through an outlet (the update's or the job's outbox)."""

    def __init__(self, outlet: Outlet, *, default_locale: str, bots: Iterable[str]) -> None:
        self.outlet = outlet
        self.default_locale = default_locale
        self.bots = set(bots)

    async def people(self, session: AsyncSession, view: BookingView) -> list[Recipient]:
        def person(user: User, role: str) -> Recipient:
            return recipient(user, role=role, default_locale=self.default_locale, bots=self.bots)

        found = [person(view.client, "client")]
        if view.specialist_user_id is not None:
            specialist = await session.get(User, view.specialist_user_id)
            if specialist is not None:
                found.append(person(specialist, "specialist"))
        admins = await session.scalars(select(User).where(User.role == "admin").order_by(User.id))
        found.extend(person(admin, "admin") for admin in admins)
        return found

    async def tell(
        self,
        session: AsyncSession,
        event: str,
        view: BookingView,
        *,
        initiator: Actor | None,
        old_start: datetime | None = None,
    ) -> list[Recipient]:
        """Notify everyone the matrix names for `event`; returns who was told."""
        notices = route(
            MATRIX,
            event,
            initiator_role=initiator.role if initiator is not None else SYSTEM,
            initiator_key=initiator.key if initiator is not None else None,
            people=await self.people(session, view),
        )
        table = await settings_for(session, event) if notices else {}
        told: list[Recipient] = []
        for notice in notices:
            person = notice.recipient
            setting = _setting(table, person.role, person.channel)
            if not setting.enabled or person.address is None:
                continue
            t = translator(person.locale)
            values = view.values(t)
            if old_start is not None:
                values["old_when"] = when(old_start, view.tz, t.locale)
            text = t(notice.text, **values)
            if setting.ad:
                text = f"{text}\n\n{setting.ad}"
            buttons: list[Button] | None = None
            if event == "booking_done":
                buttons = [
                    Button(t(N_("Yes, it happened")), f"bk:q:{view.id}:y"),
                    Button(t(N_("No, they did not come")), f"bk:q:{view.id}:n"),
                ]
            elif person.role in ("admin", "specialist") and event != "booking_cancelled":
                buttons = [Button(t(N_("Open No. {number}"), number=view.id), f"bk:b:{view.id}")]
            self.outlet.send(person.address, text, buttons=buttons)
            told.append(person)
        return told
