"""What an administrator manages: locations, services, specialists and their working hours.

Every method checks that the actor is an administrator, and every change that moves free
time touches the slot versions in the same transaction.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import date
from typing import TypeVar

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from relaybot import N_

from .bookings import ADMINS_ONLY, Refused
from .models import (
    AdTemplate,
    Location,
    NotificationSetting,
    ScheduleException,
    Service,
    Specialist,
    SpecialistService,
    User,
    WorkingHours,
    new_version,
)
from .slots import touch_schedule
from .users import Actor

T = TypeVar("T")
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def invite_code() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))


class Catalog:
    def __init__(self, session: AsyncSession, actor: Actor) -> None:
        self.session = session
        self.actor = actor

    def _admin(self) -> None:
        if not self.actor.is_admin:
            raise Refused(ADMINS_ONLY)

    async def _get(self, model: type[T], ident: int) -> T:
        found = await self.session.get(model, ident)
        if found is None:
            raise Refused(N_("That item no longer exists."))
        return found

    # -- locations ----------------------------------------------------------------------------
    async def add_location(self, *, name: str, address: str, timezone: str) -> Location:
        self._admin()
        location = Location(
            name=name, address=address, timezone=timezone, schedule_version=new_version()
        )
        self.session.add(location)
        await self.session.flush()
        return location

    async def toggle_location(self, location_id: int) -> Location:
        self._admin()
        location = await self._get(Location, location_id)
        location.active = not location.active
        await touch_schedule(self.session, [location.id])
        return location

    # -- services -----------------------------------------------------------------------------
    async def add_service(
        self, *, name: str, duration_min: int, price_minor: int, currency: str
    ) -> Service:
        self._admin()
        service = Service(
            name=name, duration_min=duration_min, price_minor=price_minor, currency=currency
        )
        self.session.add(service)
        await self.session.flush()
        return service

    async def toggle_service(self, service_id: int) -> Service:
        self._admin()
        service = await self._get(Service, service_id)
        service.active = not service.active
        await touch_schedule(self.session)
        return service

    # -- specialists --------------------------------------------------------------------------
    async def add_specialist(self, *, name: str, service_ids: Sequence[int] = ()) -> Specialist:
        self._admin()
        specialist = Specialist(name=name, invite_code=invite_code())
        self.session.add(specialist)
        await self.session.flush()
        for service_id in service_ids:
            self.session.add(SpecialistService(specialist_id=specialist.id, service_id=service_id))
        await self.session.flush()
        return specialist

    async def toggle_specialist(self, specialist_id: int) -> Specialist:
        self._admin()
        specialist = await self._get(Specialist, specialist_id)
        specialist.active = not specialist.active
        await touch_schedule(self.session)
        return specialist

    async def toggle_offer(self, specialist_id: int, service_id: int) -> bool:
        """Whether the specialist now offers the service."""
        self._admin()
        await self._get(Specialist, specialist_id)
        await self._get(Service, service_id)
        link = await self.session.get(SpecialistService, (specialist_id, service_id))
        if link is None:
            self.session.add(SpecialistService(specialist_id=specialist_id, service_id=service_id))
        else:
            await self.session.delete(link)
        await self.session.flush()
        await touch_schedule(self.session)
        return link is None

    async def new_invite(self, specialist_id: int) -> str:
        self._admin()
        specialist = await self._get(Specialist, specialist_id)
        specialist.invite_code = invite_code()
        await self.session.flush()
        return specialist.invite_code

    # -- working hours ------------------------------------------------------------------------
    async def set_hours(
        self,
        specialist_id: int,
        location_id: int,
        *,
        weekdays: Sequence[int],
        intervals: Sequence[tuple[int, int]],
    ) -> None:
        """The given weekdays get exactly these intervals (none: days off) at this location."""
        self._admin()
        await self._get(Specialist, specialist_id)
        await self._get(Location, location_id)
        await self.session.execute(
            delete(WorkingHours).where(
                WorkingHours.specialist_id == specialist_id,
                WorkingHours.location_id == location_id,
                WorkingHours.weekday.in_(list(weekdays)),
            )
        )
        for weekday in weekdays:
            for start, end in intervals:
                self.session.add(
                    WorkingHours(
                        specialist_id=specialist_id,
                        location_id=location_id,
                        weekday=weekday,
                        start_min=start,
                        end_min=end,
                    )
                )
        await self.session.flush()
        await touch_schedule(self.session, [location_id])

    async def clear_hours(self, specialist_id: int, location_id: int) -> None:
        self._admin()
        await self.session.execute(
            delete(WorkingHours).where(
                WorkingHours.specialist_id == specialist_id,
                WorkingHours.location_id == location_id,
            )
        )
        await self.session.execute(
            delete(ScheduleException).where(
                ScheduleException.specialist_id == specialist_id,
                ScheduleException.location_id == location_id,
            )
        )
        await touch_schedule(self.session, [location_id])

    async def set_exception(
        self,
        specialist_id: int,
        location_id: int,
        *,
        day: date,
        intervals: Sequence[tuple[int, int]],
    ) -> None:
        """On `day` the specialist works only these intervals (none: a day off)."""
        self._admin()
        await self._get(Specialist, specialist_id)
        await self._get(Location, location_id)
        await self.session.execute(
            delete(ScheduleException).where(
                ScheduleException.specialist_id == specialist_id,
                ScheduleException.location_id == location_id,
                ScheduleException.day == day,
            )
        )
        rows: list[tuple[int | None, int | None]] = list(intervals) or [(None, None)]
        for start, end in rows:
            self.session.add(
                ScheduleException(
                    specialist_id=specialist_id,
                    location_id=location_id,
                    day=day,
                    start_min=start,
                    end_min=end,
                )
            )
        await self.session.flush()
        await touch_schedule(self.session, [location_id])

    # -- notifications ------------------------------------------------------------------------
    async def setting(self, event: str, role: str) -> NotificationSetting:
        row = await self.session.scalar(
            select(NotificationSetting).where(
                NotificationSetting.event == event,
                NotificationSetting.recipient_role == role,
                NotificationSetting.channel == "*",
            )
        )
        if row is None:
            row = NotificationSetting(event=event, recipient_role=role, channel="*", enabled=True)
            self.session.add(row)
            await self.session.flush()
        return row

    async def toggle_notification(self, event: str, role: str) -> bool:
        self._admin()
        row = await self.setting(event, role)
        row.enabled = not row.enabled
        return row.enabled

    async def cycle_ad(self, event: str, role: str) -> int | None:
        """Attach the next active ad template (none after the last one)."""
        self._admin()
        row = await self.setting(event, role)
        ids = list(
            await self.session.scalars(
                select(AdTemplate.id).where(AdTemplate.active.is_(True)).order_by(AdTemplate.id)
            )
        )
        choices: list[int | None] = [None, *ids]
        position = choices.index(row.ad_template_id) if row.ad_template_id in choices else 0
        row.ad_template_id = choices[(position + 1) % len(choices)]
        return row.ad_template_id

    async def add_ad(self, text: str) -> AdTemplate:
        self._admin()
        ad = AdTemplate(text=text)
        self.session.add(ad)
        await self.session.flush()
        return ad

    async def toggle_ad(self, ad_id: int) -> AdTemplate:
        self._admin()
        ad = await self._get(AdTemplate, ad_id)
        ad.active = not ad.active
        return ad

    # -- people -------------------------------------------------------------------------------
    async def add_client(self, *, name: str, phone: str | None) -> User:
        """A client who books by phone or at the desk: known by name, not reachable in a chat."""
        self._admin()
        client = User(name=name, phone=phone or None, role="client")
        self.session.add(client)
        await self.session.flush()
        return client


async def join_as_specialist(session: AsyncSession, user: User, code: str) -> Specialist | None:
    """Link the person to the specialist record with this invite code (used once)."""
    cleaned = code.strip().upper()
    if not cleaned:
        return None
    specialist = await session.scalar(select(Specialist).where(Specialist.invite_code == cleaned))
    if specialist is None:
        return None
    previous = await session.scalar(select(Specialist).where(Specialist.user_id == user.id))
    if previous is not None and previous.id != specialist.id:
        previous.user_id = None
    specialist.user_id = user.id
    specialist.invite_code = None
    if user.role == "client":
        user.role = "specialist"
    await session.flush()
    return specialist
