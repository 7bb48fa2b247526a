"""What an administrator manages: locations, services, specialists and their working hours.

Every method checks that the actor is an administrator, every change that moves free time
touches the slot versions in the same transaction, and every change leaves an audit entry
(who, what, before and after, through which channel) committed with it.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import date, datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from relaybot import N_, utcnow

from .bookings import ADMINS_ONLY, Refused
from .journal import Journal, snapshot
from .models import (
    OPEN_STATUSES,
    AdTemplate,
    Booking,
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
GONE = N_("That item no longer exists.")
UPCOMING = {
    "location": N_(
        "This place has {count} upcoming bookings, so it cannot be deleted. Deactivate it "
        "instead: it then takes no new bookings and keeps the existing ones."
    ),
    "service": N_(
        "This service has {count} upcoming bookings, so it cannot be deleted. Deactivate it "
        "instead: it then takes no new bookings and keeps the existing ones."
    ),
    "specialist": N_(
        "This specialist has {count} upcoming bookings, so they cannot be deleted. Deactivate "
        "them instead: they then take no new bookings and keep the existing ones."
    ),
}
HISTORY = {
    "location": N_(
        "This place appears in {count} past bookings, so deleting it would lose their "
        "history. Deactivate it instead."
    ),
    "service": N_(
        "This service appears in {count} past bookings, so deleting it would lose their "
        "history. Deactivate it instead."
    ),
    "specialist": N_(
        "This specialist appears in {count} past bookings, so deleting them would lose their "
        "history. Deactivate them instead."
    ),
}
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def invite_code() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))


class InUse(Refused):
    """Deleting would strand bookings; the message offers deactivating instead."""


class Catalog:
    def __init__(
        self,
        session: AsyncSession,
        actor: Actor,
        *,
        channel: str = "chat",
        now: datetime | None = None,
    ) -> None:
        self.session = session
        self.actor = actor
        self.now = now or utcnow()
        self.journal = Journal(session, actor, channel)

    def require_admin(self) -> None:
        if not self.actor.is_admin:
            raise Refused(ADMINS_ONLY)

    async def get(self, model: type[T], ident: int) -> T:
        found = await self.session.get(model, ident)
        if found is None:
            raise Refused(GONE)
        return found

    async def _edit(self, row: object, what: str, changes: dict[str, object]) -> None:
        """Apply `changes` to `row` and note what it was and what it became."""
        fields = list(changes)
        before = snapshot(row, fields)
        for name, value in changes.items():
            setattr(row, name, value)
        await self.session.flush()
        ident = getattr(row, "id", "")
        await self.journal.note(
            f"{what}.edit", f"{what}:{ident}", before=before, after=snapshot(row, fields)
        )

    async def _refuse_if_booked(self, what: str, *conditions: object) -> None:
        """Deleting what bookings refer to would lose them or their history: refuse and say
        how many there are, offering deactivation, which keeps both."""
        upcoming = await self.session.scalar(
            select(func.count())
            .select_from(Booking)
            .where(
                *conditions,  # type: ignore[arg-type]
                Booking.status.in_(OPEN_STATUSES),
                Booking.ends_at > self.now,
            )
        )
        if upcoming:
            raise InUse(UPCOMING[what], count=int(upcoming))
        past = await self.session.scalar(
            select(func.count()).select_from(Booking).where(*conditions)  # type: ignore[arg-type]
        )
        if past:
            raise InUse(HISTORY[what], count=int(past))

    # -- locations ----------------------------------------------------------------------------
    async def add_location(self, *, name: str, address: str, timezone: str) -> Location:
        self.require_admin()
        location = Location(
            name=name, address=address, timezone=timezone, schedule_version=new_version()
        )
        self.session.add(location)
        await self.session.flush()
        await self.journal.note(
            "location.add",
            f"location:{location.id}",
            after=snapshot(location, LOCATION_FIELDS),
        )
        return location

    async def edit_location(self, location_id: int, **changes: object) -> Location:
        self.require_admin()
        location = await self.get(Location, location_id)
        await self._edit(location, "location", changes)
        await touch_schedule(self.session, [location.id])
        return location

    async def toggle_location(self, location_id: int) -> Location:
        location = await self.get(Location, location_id)
        return await self.edit_location(location_id, active=not location.active)

    async def delete_location(self, location_id: int) -> None:
        self.require_admin()
        location = await self.get(Location, location_id)
        await self._refuse_if_booked("location", Booking.location_id == location_id)
        before = snapshot(location, LOCATION_FIELDS)
        await self.session.delete(location)
        await self.session.flush()
        await self.journal.note("location.delete", f"location:{location_id}", before=before)

    # -- services -----------------------------------------------------------------------------
    async def add_service(
        self, *, name: str, duration_min: int, price_minor: int, currency: str
    ) -> Service:
        self.require_admin()
        service = Service(
            name=name, duration_min=duration_min, price_minor=price_minor, currency=currency
        )
        self.session.add(service)
        await self.session.flush()
        await self.journal.note(
            "service.add", f"service:{service.id}", after=snapshot(service, SERVICE_FIELDS)
        )
        return service

    async def edit_service(self, service_id: int, **changes: object) -> Service:
        """Correct a service; bookings already made keep the duration and price they had."""
        self.require_admin()
        service = await self.get(Service, service_id)
        await self._edit(service, "service", changes)
        await touch_schedule(self.session)
        return service

    async def toggle_service(self, service_id: int) -> Service:
        service = await self.get(Service, service_id)
        return await self.edit_service(service_id, active=not service.active)

    async def delete_service(self, service_id: int) -> None:
        self.require_admin()
        service = await self.get(Service, service_id)
        await self._refuse_if_booked("service", Booking.service_id == service_id)
        before = snapshot(service, SERVICE_FIELDS)
        await self.session.delete(service)
        await self.session.flush()
        await touch_schedule(self.session)
        await self.journal.note("service.delete", f"service:{service_id}", before=before)

    # -- specialists --------------------------------------------------------------------------
    async def add_specialist(self, *, name: str, service_ids: Sequence[int] = ()) -> Specialist:
        self.require_admin()
        specialist = Specialist(name=name, invite_code=invite_code())
        self.session.add(specialist)
        await self.session.flush()
        for service_id in service_ids:
            self.session.add(SpecialistService(specialist_id=specialist.id, service_id=service_id))
        await self.session.flush()
        await self.journal.note(
            "specialist.add",
            f"specialist:{specialist.id}",
            after={"name": name, "service_ids": ",".join(map(str, service_ids))},
        )
        return specialist

    async def edit_specialist(self, specialist_id: int, **changes: object) -> Specialist:
        self.require_admin()
        specialist = await self.get(Specialist, specialist_id)
        await self._edit(specialist, "specialist", changes)
        await touch_schedule(self.session)
        return specialist

    async def toggle_specialist(self, specialist_id: int) -> Specialist:
        specialist = await self.get(Specialist, specialist_id)
        return await self.edit_specialist(specialist_id, active=not specialist.active)

    async def delete_specialist(self, specialist_id: int) -> None:
        self.require_admin()
        specialist = await self.get(Specialist, specialist_id)
        await self._refuse_if_booked("specialist", Booking.specialist_id == specialist_id)
        before = snapshot(specialist, ("name", "user_id", "active"))
        await self._unlink(specialist)
        await self.session.delete(specialist)
        await self.session.flush()
        await touch_schedule(self.session)
        await self.journal.note("specialist.delete", f"specialist:{specialist_id}", before=before)

    async def offers(self, specialist_id: int) -> list[int]:
        return list(
            await self.session.scalars(
                select(SpecialistService.service_id)
                .where(SpecialistService.specialist_id == specialist_id)
                .order_by(SpecialistService.service_id)
            )
        )

    async def set_offers(self, specialist_id: int, service_ids: Sequence[int]) -> None:
        """The specialist offers exactly these services."""
        self.require_admin()
        await self.get(Specialist, specialist_id)
        for service_id in service_ids:
            await self.get(Service, service_id)
        before = await self.offers(specialist_id)
        await self.session.execute(
            delete(SpecialistService).where(SpecialistService.specialist_id == specialist_id)
        )
        for service_id in sorted(set(service_ids)):
            self.session.add(SpecialistService(specialist_id=specialist_id, service_id=service_id))
        await self.session.flush()
        await touch_schedule(self.session)
        await self.journal.note(
            "specialist.services",
            f"specialist:{specialist_id}",
            before={"service_ids": ",".join(map(str, before))},
            after={"service_ids": ",".join(map(str, sorted(set(service_ids))))},
        )

    async def toggle_offer(self, specialist_id: int, service_id: int) -> bool:
        """Whether the specialist now offers the service."""
        self.require_admin()
        await self.get(Specialist, specialist_id)
        await self.get(Service, service_id)
        link = await self.session.get(SpecialistService, (specialist_id, service_id))
        if link is None:
            self.session.add(SpecialistService(specialist_id=specialist_id, service_id=service_id))
        else:
            await self.session.delete(link)
        await self.session.flush()
        await touch_schedule(self.session)
        await self.journal.note(
            "specialist.offer",
            f"specialist:{specialist_id}",
            service_id=service_id,
            offered=link is None,
        )
        return link is None

    async def new_invite(self, specialist_id: int) -> str:
        self.require_admin()
        specialist = await self.get(Specialist, specialist_id)
        specialist.invite_code = invite_code()
        await self.session.flush()
        await self.journal.note("specialist.invite", f"specialist:{specialist_id}")
        return specialist.invite_code

    async def _unlink(self, specialist: Specialist) -> None:
        if specialist.user_id is None:
            return
        user = await self.session.get(User, specialist.user_id)
        specialist.user_id = None
        if user is not None and user.role == "specialist":
            user.role = "client"
        await self.session.flush()

    # -- people -------------------------------------------------------------------------------
    async def revoke_specialist(self, specialist_id: int) -> Specialist:
        """The person no longer signs in as this specialist (the record and its bookings stay;
        a new invitation code can link someone else)."""
        self.require_admin()
        specialist = await self.get(Specialist, specialist_id)
        if specialist.user_id is None:
            raise Refused(N_("No one is signed in as this specialist."))
        user_id = specialist.user_id
        await self._unlink(specialist)
        await self.journal.note(
            "specialist.revoke",
            f"specialist:{specialist_id}",
            before={"user_id": user_id},
            after={"user_id": None},
        )
        return specialist

    async def set_role(self, user_id: int, role: str) -> User:
        """Make a person an admin or take it back; the last admin always stays one."""
        self.require_admin()
        if role not in ("admin", "client"):
            raise ValueError(f"unknown role {role!r}")
        user = await self.get(User, user_id)
        if user.role == role:
            return user
        if user.role == "admin":
            admins = await self.session.scalar(
                select(func.count()).select_from(User).where(User.role == "admin")
            )
            if int(admins or 0) <= 1:
                raise Refused(N_("This is the last administrator. Make someone else one first."))
        before = user.role
        linked = await self.session.scalar(
            select(Specialist.id).where(Specialist.user_id == user.id)
        )
        user.role = "specialist" if role == "client" and linked is not None else role
        await self.session.flush()
        await self.journal.note(
            "user.role", f"user:{user.id}", before={"role": before}, after={"role": user.role}
        )
        return user

    async def add_client(self, *, name: str, phone: str | None) -> User:
        """A client who books by phone or at the desk: known by name, not reachable in a chat."""
        self.require_admin()
        client = User(name=name, phone=phone or None, role="client")
        self.session.add(client)
        await self.session.flush()
        await self.journal.note("client.add", f"user:{client.id}", after={"name": name})
        return client

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
        self.require_admin()
        await self.get(Specialist, specialist_id)
        await self.get(Location, location_id)
        before = await self._week(specialist_id, location_id, weekdays)
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
        await self.journal.note(
            "hours.set",
            f"specialist:{specialist_id}",
            location_id=location_id,
            before=before,
            after=await self._week(specialist_id, location_id, weekdays),
        )

    async def _week(
        self, specialist_id: int, location_id: int, weekdays: Sequence[int]
    ) -> dict[str, object]:
        rows = await self.session.scalars(
            select(WorkingHours)
            .where(
                WorkingHours.specialist_id == specialist_id,
                WorkingHours.location_id == location_id,
                WorkingHours.weekday.in_(list(weekdays)),
            )
            .order_by(WorkingHours.weekday, WorkingHours.start_min)
        )
        week: dict[str, list[str]] = {str(day): [] for day in weekdays}
        for row in rows:
            week[str(row.weekday)].append(f"{_hhmm(row.start_min)}-{_hhmm(row.end_min)}")
        return {day: " ".join(spans) or "off" for day, spans in week.items()}

    async def add_hours(
        self, specialist_id: int, location_id: int, *, weekday: int, start_min: int, end_min: int
    ) -> WorkingHours:
        self.require_admin()
        await self.get(Specialist, specialist_id)
        await self.get(Location, location_id)
        row = WorkingHours(
            specialist_id=specialist_id,
            location_id=location_id,
            weekday=weekday,
            start_min=start_min,
            end_min=end_min,
        )
        self.session.add(row)
        await self.session.flush()
        await touch_schedule(self.session, [location_id])
        await self.journal.note("hours.add", f"hours:{row.id}", after=snapshot(row, HOURS_FIELDS))
        return row

    async def edit_hours(self, hours_id: int, **changes: object) -> WorkingHours:
        self.require_admin()
        row = await self.get(WorkingHours, hours_id)
        await self._edit(row, "hours", changes)
        await touch_schedule(self.session, [row.location_id])
        return row

    async def delete_hours(self, hours_id: int) -> None:
        """Remove a weekly interval unless upcoming bookings lie in it."""
        self.require_admin()
        row = await self.get(WorkingHours, hours_id)
        location = await self.get(Location, row.location_id)
        tz = ZoneInfo(location.timezone)
        starts = await self.session.scalars(
            select(Booking.starts_at).where(
                Booking.specialist_id == row.specialist_id,
                Booking.location_id == row.location_id,
                Booking.status.in_(OPEN_STATUSES),
                Booking.starts_at > self.now,
            )
        )
        inside = 0
        for start in starts:
            local = start.astimezone(tz)
            minute = local.hour * 60 + local.minute
            if local.weekday() == row.weekday and row.start_min <= minute < row.end_min:
                inside += 1
        if inside:
            raise InUse(
                N_(
                    "{count} upcoming bookings lie in these working hours, so they cannot be "
                    "deleted. Move or cancel those bookings first."
                ),
                count=inside,
            )
        before = snapshot(row, HOURS_FIELDS)
        await self.session.delete(row)
        await self.session.flush()
        await touch_schedule(self.session, [before["location_id"]])
        await self.journal.note("hours.delete", f"hours:{hours_id}", before=before)

    async def clear_hours(self, specialist_id: int, location_id: int) -> None:
        self.require_admin()
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
        await self.journal.note(
            "hours.clear", f"specialist:{specialist_id}", location_id=location_id
        )

    async def set_exception(
        self,
        specialist_id: int,
        location_id: int,
        *,
        day: date,
        intervals: Sequence[tuple[int, int]],
    ) -> list[ScheduleException]:
        """On `day` the specialist works only these intervals (none: a day off)."""
        self.require_admin()
        await self.get(Specialist, specialist_id)
        await self.get(Location, location_id)
        await self.session.execute(
            delete(ScheduleException).where(
                ScheduleException.specialist_id == specialist_id,
                ScheduleException.location_id == location_id,
                ScheduleException.day == day,
            )
        )
        rows: list[tuple[int | None, int | None]] = list(intervals) or [(None, None)]
        made = []
        for start, end in rows:
            made.append(
                ScheduleException(
                    specialist_id=specialist_id,
                    location_id=location_id,
                    day=day,
                    start_min=start,
                    end_min=end,
                )
            )
        self.session.add_all(made)
        await self.session.flush()
        await touch_schedule(self.session, [location_id])
        await self.journal.note(
            "exception.set",
            f"specialist:{specialist_id}",
            location_id=location_id,
            day=day,
            after={"hours": " ".join(f"{_hhmm(s)}-{_hhmm(e)}" for s, e in intervals) or "day off"},
        )
        return made

    async def edit_exception(self, exception_id: int, **changes: object) -> ScheduleException:
        self.require_admin()
        row = await self.get(ScheduleException, exception_id)
        await self._edit(row, "exception", changes)
        await touch_schedule(self.session, [row.location_id])
        return row

    async def delete_exception(self, exception_id: int) -> None:
        """The day follows the weekly hours again (which only adds free time)."""
        self.require_admin()
        row = await self.get(ScheduleException, exception_id)
        before = snapshot(row, EXCEPTION_FIELDS)
        await self.session.delete(row)
        await self.session.flush()
        await touch_schedule(self.session, [before["location_id"]])
        await self.journal.note("exception.delete", f"exception:{exception_id}", before=before)

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
        self.require_admin()
        row = await self.setting(event, role)
        row.enabled = not row.enabled
        await self.journal.note(
            "notification.toggle",
            f"{event}:{role}",
            before={"enabled": not row.enabled},
            after={"enabled": row.enabled},
        )
        return row.enabled

    async def cycle_ad(self, event: str, role: str) -> int | None:
        """Attach the next active ad template (none after the last one)."""
        self.require_admin()
        row = await self.setting(event, role)
        ids = list(
            await self.session.scalars(
                select(AdTemplate.id).where(AdTemplate.active.is_(True)).order_by(AdTemplate.id)
            )
        )
        choices: list[int | None] = [None, *ids]
        position = choices.index(row.ad_template_id) if row.ad_template_id in choices else 0
        before = row.ad_template_id
        row.ad_template_id = choices[(position + 1) % len(choices)]
        await self.journal.note(
            "notification.ad",
            f"{event}:{role}",
            before={"ad_template_id": before},
            after={"ad_template_id": row.ad_template_id},
        )
        return row.ad_template_id

    async def add_ad(self, text: str) -> AdTemplate:
        self.require_admin()
        ad = AdTemplate(text=text)
        self.session.add(ad)
        await self.session.flush()
        await self.journal.note("ad.add", f"ad:{ad.id}", after={"text": text})
        return ad

    async def edit_ad(self, ad_id: int, text: str) -> AdTemplate:
        self.require_admin()
        ad = await self.get(AdTemplate, ad_id)
        await self._edit(ad, "ad", {"text": text})
        return ad

    async def delete_ad(self, ad_id: int) -> None:
        """Notices that carried it go out without an ad from now on."""
        self.require_admin()
        ad = await self.get(AdTemplate, ad_id)
        before = {"text": ad.text, "active": ad.active}
        await self.session.delete(ad)
        await self.session.flush()
        await self.journal.note("ad.delete", f"ad:{ad_id}", before=before)

    async def toggle_ad(self, ad_id: int) -> AdTemplate:
        self.require_admin()
        ad = await self.get(AdTemplate, ad_id)
        await self._edit(ad, "ad", {"active": not ad.active})
        return ad


LOCATION_FIELDS = ("name", "address", "timezone", "active")
SERVICE_FIELDS = ("name", "duration_min", "price_minor", "currency", "active")
HOURS_FIELDS = ("specialist_id", "location_id", "weekday", "start_min", "end_min")
EXCEPTION_FIELDS = ("specialist_id", "location_id", "day", "start_min", "end_min")


def _hhmm(minute: int | None) -> str:
    if minute is None:
        return "--:--"
    return f"{minute // 60:02d}:{minute % 60:02d}"


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
