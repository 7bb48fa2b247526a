"""Making, moving, cancelling and closing bookings, each checked against the actor's role.

A booking takes its 15-minute cells in `booking_cells` inside a savepoint: when another
transaction took one of them first, the primary key refuses the insert, the savepoint is
rolled back, and the person is offered the nearest free times instead. Nothing here relies
on the slot cache being up to date.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from relaybot import N_

from .grid import CELL_SECONDS, cell_at, cells_for
from .journal import Journal
from .models import OPEN_STATUSES, Booking, Cell, Location, Service, Specialist, User
from .notifications import Notifier
from .render import STATUS_NAMES, BookingView, booking_view
from .slots import SlotCache, Start, touch_days
from .users import Actor

ADMINS_ONLY = N_("Sorry, only an administrator can do that.")
OWN_ONLY = N_("Sorry, you can only change your own bookings.")
SPECIALISTS_DO_NOT_BOOK = N_("Sorry, bookings are made by clients and administrators.")
ASK_ADMIN_TO_MOVE = N_("Sorry, please ask an administrator to move a booking.")
NO_BOOKING = N_("There is no booking with that number.")
NO_CLIENT = N_("That client does not exist.")
SEE_OWN_ONLY = N_("Sorry, you can only see your own bookings.")


class Refused(Exception):
    """The action is not allowed or not possible; `message` is shown, nothing was changed."""

    def __init__(self, message: str, **values: object) -> None:
        super().__init__(message)
        self.message = message
        self.values = values


@dataclass(frozen=True)
class Taken:
    """The time was taken a moment ago; `alternatives` are the nearest free starts."""

    alternatives: list[Start]


@dataclass(frozen=True)
class Request:
    client_id: int
    location_id: int
    service_id: int
    specialist_id: int | None
    start: datetime


class Bookings:
    """Booking operations inside one transaction (the update's or the job's)."""

    def __init__(
        self,
        session: AsyncSession,
        cache: SlotCache,
        notifier: Notifier | None,
        *,
        now: datetime,
        channel: str = "chat",
    ) -> None:
        self.session = session
        self.cache = cache
        self.notifier = notifier
        self.now = now
        self.channel = channel

    # -- making -------------------------------------------------------------------------------
    async def create(
        self, actor: Actor, request: Request, *, status: str = "confirmed"
    ) -> Booking | Taken:
        if actor.role == "specialist":
            raise Refused(SPECIALISTS_DO_NOT_BOOK)
        if not actor.is_admin and request.client_id != actor.user.id:
            raise Refused(OWN_ONLY)
        client = await self.session.get(User, request.client_id)
        if client is None:
            raise Refused(NO_CLIENT)
        location, service = await self._place(request.location_id, request.service_id)
        if request.specialist_id is not None:
            await self._specialist(request.specialist_id, service.id)
        self._check_time(request.start)
        free = await self.cache.is_free(
            self.session,
            location_id=location.id,
            service_id=service.id,
            specialist_id=request.specialist_id,
            start=request.start,
            after=self.now,
        )
        for specialist_id in await self._least_busy_first(free, request.start):
            booking = await self._occupy(actor, request, service, specialist_id, status)
            if booking is not None:
                await self._note(actor, "create", booking, status=booking.status)
                await self._tell("booking_created", booking, actor)
                return booking
        return await self._taken(location.id, service.id, request.specialist_id, request.start)

    async def _least_busy_first(self, specialists: Sequence[int], start: datetime) -> list[int]:
        """For "any specialist": whoever has the fewest bookings around that day goes first."""
        if len(specialists) < 2:
            return list(specialists)
        window = timedelta(hours=12)
        rows = await self.session.execute(
            select(Booking.specialist_id, func.count())
            .where(
                Booking.specialist_id.in_(specialists),
                Booking.status.in_(OPEN_STATUSES),
                Booking.starts_at >= start - window,
                Booking.starts_at < start + window,
            )
            .group_by(Booking.specialist_id)
        )
        load = {row[0]: int(row[1]) for row in rows}
        return sorted(specialists, key=lambda s: (load.get(s, 0), s))

    async def _occupy(
        self, actor: Actor, request: Request, service: Service, specialist_id: int, status: str
    ) -> Booking | None:
        cells = _cells(request.start, service.duration_min)
        try:
            async with self.session.begin_nested():
                booking = Booking(
                    client_id=request.client_id,
                    specialist_id=specialist_id,
                    service_id=service.id,
                    location_id=request.location_id,
                    starts_at=request.start,
                    ends_at=request.start + timedelta(minutes=service.duration_min),
                    duration_min=service.duration_min,
                    price_minor=service.price_minor,
                    currency=service.currency,
                    status=status,
                    created_by=actor.user.id,
                    created_at=self.now,
                    updated_at=self.now,
                )
                self.session.add(booking)
                await self.session.flush()
                await self.session.execute(
                    insert(Cell),
                    [
                        {"specialist_id": specialist_id, "cell": cell, "booking_id": booking.id}
                        for cell in cells
                    ],
                )
                await touch_days(
                    self.session, specialist_id, cells, location_id=request.location_id
                )
        except IntegrityError:
            return None
        return booking

    # -- moving -------------------------------------------------------------------------------
    async def reschedule(self, actor: Actor, booking_id: int, start: datetime) -> Booking | Taken:
        booking = await self._booking(booking_id)
        if actor.role == "specialist":
            raise Refused(ASK_ADMIN_TO_MOVE)
        self.may_change(actor, booking)
        self._check_time(start)
        if start == booking.starts_at:
            raise Refused(N_("The booking is already at that time."))
        old_start = booking.starts_at
        old_cells = list(
            await self.session.scalars(select(Cell.cell).where(Cell.booking_id == booking.id))
        )
        fits = await self.cache.is_free(
            self.session,
            location_id=booking.location_id,
            service_id=booking.service_id,
            specialist_id=booking.specialist_id,
            start=start,
            after=self.now,
            ignore=old_cells,
        )
        cells = _cells(start, booking.duration_min)
        if fits:
            try:
                async with self.session.begin_nested():
                    await self.session.execute(delete(Cell).where(Cell.booking_id == booking.id))
                    await self.session.execute(
                        insert(Cell),
                        [
                            {
                                "specialist_id": booking.specialist_id,
                                "cell": cell,
                                "booking_id": booking.id,
                            }
                            for cell in cells
                        ],
                    )
                    booking.starts_at = start
                    booking.ends_at = start + timedelta(minutes=booking.duration_min)
                    booking.updated_at = self.now
                    booking.completion_asked_at = None
                    await self.session.flush()
                    await touch_days(
                        self.session,
                        booking.specialist_id,
                        [*old_cells, *cells],
                        location_id=booking.location_id,
                    )
            except IntegrityError:
                await self.session.refresh(booking)
            else:
                await self._note(
                    actor,
                    "reschedule",
                    booking,
                    before={"starts_at": old_start.isoformat()},
                    after={"starts_at": start.isoformat()},
                )
                await self._tell("booking_rescheduled", booking, actor, old_start=old_start)
                return booking
        return await self._taken(
            booking.location_id, booking.service_id, booking.specialist_id, start
        )

    # -- ending -------------------------------------------------------------------------------
    async def cancel(self, actor: Actor, booking_id: int) -> Booking:
        booking = await self._booking(booking_id)
        self.may_change(actor, booking)
        cells = list(
            await self.session.scalars(select(Cell.cell).where(Cell.booking_id == booking.id))
        )
        await self.session.execute(delete(Cell).where(Cell.booking_id == booking.id))
        before = booking.status
        booking.status = "cancelled"
        booking.updated_at = self.now
        await self.session.flush()
        await self._note(
            actor, "cancel", booking, before={"status": before}, after={"status": "cancelled"}
        )
        await touch_days(
            self.session, booking.specialist_id, cells, location_id=booking.location_id
        )
        await self._tell("booking_cancelled", booking, actor)
        return booking

    async def confirm(self, actor: Actor, booking_id: int) -> Booking:
        if not actor.is_admin:
            raise Refused(ADMINS_ONLY)
        booking = await self._booking(booking_id)
        if booking.status != "pending":
            raise Refused(
                N_("This booking is already {status}."), status=STATUS_NAMES[booking.status]
            )
        booking.status = "confirmed"
        booking.updated_at = self.now
        await self.session.flush()
        await self._note(
            actor, "confirm", booking, before={"status": "pending"}, after={"status": "confirmed"}
        )
        await self._tell("booking_confirmed", booking, actor)
        return booking

    async def mark(self, actor: Actor, booking_id: int, outcome: str) -> Booking:
        """The visit took place (`done`) or the client did not come (`no_show`)."""
        if not actor.is_admin:
            raise Refused(ADMINS_ONLY)
        if outcome not in ("done", "no_show"):
            raise ValueError(f"unknown outcome {outcome!r}")
        booking = await self._booking(booking_id)
        if booking.status not in OPEN_STATUSES:
            raise Refused(
                N_("This booking is already {status}."), status=STATUS_NAMES[booking.status]
            )
        if booking.starts_at > self.now:
            raise Refused(N_("This booking has not started yet."))
        before = booking.status
        booking.status = outcome
        booking.updated_at = self.now
        await self.session.flush()
        await self._note(
            actor, outcome, booking, before={"status": before}, after={"status": outcome}
        )
        return booking

    # -- checks -------------------------------------------------------------------------------
    async def _booking(self, booking_id: int) -> Booking:
        booking = await self.session.get(Booking, booking_id)
        if booking is None:
            raise Refused(NO_BOOKING)
        return booking

    def may_see(self, actor: Actor, booking: Booking) -> None:
        own = (actor.role == "client" and booking.client_id == actor.user.id) or (
            actor.role == "specialist" and booking.specialist_id == actor.specialist_id
        )
        if not (actor.is_admin or own):
            raise Refused(SEE_OWN_ONLY)

    async def visible(self, actor: Actor, booking_id: int) -> Booking:
        """The booking, when `actor` may see it."""
        booking = await self._booking(booking_id)
        self.may_see(actor, booking)
        return booking

    def may_change(self, actor: Actor, booking: Booking) -> None:
        own = (actor.role == "client" and booking.client_id == actor.user.id) or (
            actor.role == "specialist" and booking.specialist_id == actor.specialist_id
        )
        if not (actor.is_admin or own):
            raise Refused(OWN_ONLY)
        if booking.status not in OPEN_STATUSES:
            raise Refused(
                N_("This booking is already {status}."), status=STATUS_NAMES[booking.status]
            )
        if not actor.is_admin and booking.starts_at <= self.now:
            raise Refused(
                N_("This booking has already begun, so it cannot be changed here any more.")
            )

    async def _place(self, location_id: int, service_id: int) -> tuple[Location, Service]:
        location = await self.session.get(Location, location_id)
        if location is None or not location.active:
            raise Refused(N_("This place does not take bookings at the moment."))
        service = await self.session.get(Service, service_id)
        if service is None or not service.active:
            raise Refused(N_("This service is not available at the moment."))
        return location, service

    async def _specialist(self, specialist_id: int, service_id: int) -> Specialist:
        specialist = await self.session.get(Specialist, specialist_id)
        if specialist is None or not specialist.active:
            raise Refused(N_("This specialist does not take bookings at the moment."))
        return specialist

    def _check_time(self, start: datetime) -> None:
        if start.timestamp() % CELL_SECONDS:
            raise Refused(N_("Please choose one of the offered times."))
        if start <= self.now:
            raise Refused(N_("That time has already passed. Please choose a later one."))

    async def _taken(
        self, location_id: int, service_id: int, specialist_id: int | None, start: datetime
    ) -> Taken:
        nearest = await self.cache.nearest(
            self.session,
            location_id=location_id,
            service_id=service_id,
            specialist_id=specialist_id,
            around=start,
            after=self.now,
        )
        return Taken([s for s in nearest if s.cell != cell_at(start)])

    async def _note(self, actor: Actor, action: str, booking: Booking, **details: Any) -> None:
        """Staff actions on bookings are audited; a client's own booking is their business."""
        if actor.role in ("admin", "specialist"):
            await Journal(self.session, actor, self.channel).note(
                f"booking.{action}", f"booking:{booking.id}", **details
            )

    async def _tell(
        self,
        event: str,
        booking: Booking,
        actor: Actor | None,
        *,
        old_start: datetime | None = None,
    ) -> None:
        if self.notifier is None:
            return
        view = await self.view(booking.id)
        await self.notifier.tell(self.session, event, view, initiator=actor, old_start=old_start)

    async def view(self, booking_id: int) -> BookingView:
        view = await booking_view(self.session, booking_id)
        if view is None:
            raise Refused(NO_BOOKING)
        return view


def _cells(start: datetime, minutes: int) -> Sequence[int]:
    first = cell_at(start)
    return list(range(first, first + cells_for(minutes)))
