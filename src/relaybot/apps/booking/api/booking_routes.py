"""Free times and bookings over REST, through the same `Bookings` as the chat, so the same
people are told the same things; clients reach only their own bookings, specialists theirs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse
from sqlalchemy import func, select

from relaybot import MAX_JSON_INT, Principal

from ..bookings import Request, Taken
from ..models import Booking
from ..render import BookingView, booking_views
from ..ui.screen import Options
from .base import CLASH, CONFLICT, INVALID, NOT_FOUND, SIGNED_IN, Api, Desk, clash
from .schemas import BookingIn, BookingOut, BookingPage, JsonDate, Me, Move, SlotOut, Status

Id = Annotated[int, Path(gt=0, le=MAX_JSON_INT)]
FilterId = Annotated[int | None, Query(gt=0, le=MAX_JSON_INT)]
QueryId = Annotated[int, Query(gt=0, le=MAX_JSON_INT)]
READ: dict[int | str, dict[str, Any]] = {**SIGNED_IN, **NOT_FOUND}
CHANGE: dict[int | str, dict[str, Any]] = {**SIGNED_IN, **NOT_FOUND, **CLASH}
MAKE: dict[int | str, dict[str, Any]] = {**SIGNED_IN, **NOT_FOUND, **CLASH, **INVALID}


def booking_out(view: BookingView) -> BookingOut:
    b = view.booking
    return BookingOut(
        id=b.id,
        status=b.status,
        client_id=b.client_id,
        client_name=view.client.name,
        specialist_id=b.specialist_id,
        specialist_name=view.specialist,
        service_id=b.service_id,
        service_name=view.service,
        location_id=b.location_id,
        location_name=view.location,
        starts_at=b.starts_at,
        ends_at=b.ends_at,
        duration_min=b.duration_min,
        price_minor=b.price_minor,
        currency=b.currency,
    )


def add_booking_routes(router: APIRouter, api: Api) -> None:
    signed_in = api.signed_in
    bots = [bot for bot in api.settings.bots if bot.app == "booking"]
    auto_confirm = Options.of(bots[0]).auto_confirm if bots else True

    async def out(desk: Desk, booking_id: int) -> BookingOut:
        return booking_out(await desk.bookings.view(booking_id))

    @router.get("/me", summary="Who the token belongs to, and their role", responses=SIGNED_IN)
    async def me(who: Principal = signed_in) -> Me:
        async def act(desk: Desk) -> Me:
            user = desk.actor.user
            return Me(
                id=user.id,
                name=user.name,
                role=user.role,
                specialist_id=desk.actor.specialist_id,
            )

        return await api.run(who, act)

    @router.get(
        "/slots",
        summary="Free starts of a service on a day or a range of days",
        responses={**SIGNED_IN, **NOT_FOUND, **CONFLICT},
    )
    async def slots(
        location_id: QueryId,
        service_id: QueryId,
        day: JsonDate,
        who: Principal = signed_in,
        specialist_id: FilterId = None,
        days: Annotated[int, Query(ge=1, le=31)] = 1,
    ) -> list[SlotOut]:
        async def act(desk: Desk) -> list[SlotOut]:
            await desk.bookings._place(location_id, service_id)
            found: list[SlotOut] = []
            for offset in range(days):
                starts = await api.cache.starts(
                    desk.session,
                    location_id=location_id,
                    service_id=service_id,
                    specialist_id=specialist_id,
                    day=day + timedelta(days=offset),
                    after=desk.now,
                )
                found.extend(
                    SlotOut(start=s.at, specialist_ids=list(s.specialists)) for s in starts
                )
            return found

        return await api.run(who, act)

    @router.post(
        "/bookings",
        status_code=201,
        summary="Book a free time; everyone concerned is told, as in the chat",
        responses=MAKE,
        response_model=BookingOut,
    )
    async def create(body: BookingIn, who: Principal = signed_in) -> Any:
        async def act(desk: Desk) -> BookingOut | JSONResponse:
            client_id = body.client_id or desk.actor.user.id
            request = Request(
                client_id,
                body.location_id,
                body.service_id,
                body.specialist_id,
                body.start.astimezone(desk.now.tzinfo),
            )
            status = "confirmed" if auto_confirm or desk.actor.is_admin else "pending"
            made = await desk.bookings.create(desk.actor, request, status=status)
            if isinstance(made, Taken):
                return _taken(api, made)
            return await out(desk, made.id)

        return await api.run(who, act)

    @router.get("/bookings", summary="Bookings the caller may see, by start", responses=SIGNED_IN)
    async def list_bookings(
        who: Principal = signed_in,
        status: Status | None = None,
        specialist_id: FilterId = None,
        location_id: FilterId = None,
        client_id: FilterId = None,
        since: Annotated[JsonDate | None, Query(description="From this UTC date on")] = None,
        until: Annotated[JsonDate | None, Query(description="Before this UTC date")] = None,
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
        offset: Annotated[int, Query(ge=0, le=MAX_JSON_INT)] = 0,
    ) -> BookingPage:
        async def act(desk: Desk) -> BookingPage:
            actor = desk.actor
            where: list[Any] = []
            if actor.role == "client":
                where.append(Booking.client_id == actor.user.id)
            elif actor.role == "specialist":
                where.append(Booking.specialist_id == (actor.specialist_id or 0))
            for column, value in (
                (Booking.status, status),
                (Booking.specialist_id, specialist_id),
                (Booking.location_id, location_id),
                (Booking.client_id, client_id),
            ):
                if value is not None:
                    where.append(column == value)
            if since is not None:
                where.append(Booking.starts_at >= _midnight(since))
            if until is not None:
                where.append(Booking.starts_at < _midnight(until))
            total = await desk.session.scalar(
                select(func.count()).select_from(Booking).where(*where)
            )
            ids = list(
                await desk.session.scalars(
                    select(Booking.id)
                    .where(*where)
                    .order_by(Booking.starts_at, Booking.id)
                    .limit(limit)
                    .offset(offset)
                )
            )
            views = await booking_views(desk.session, [Booking.id.in_(ids)]) if ids else []
            return BookingPage(
                items=[booking_out(v) for v in views],
                total=int(total or 0),
                limit=limit,
                offset=offset,
            )

        return await api.run(who, act)

    @router.get("/bookings/{booking_id}", summary="One booking", responses=READ)
    async def get_booking(booking_id: Id, who: Principal = signed_in) -> BookingOut:
        async def act(desk: Desk) -> BookingOut:
            await desk.bookings.visible(desk.actor, booking_id)
            return await out(desk, booking_id)

        return await api.run(who, act)

    @router.post(
        "/bookings/{booking_id}/reschedule",
        summary="Move a booking to another free time; everyone concerned is told",
        responses=MAKE,
        response_model=BookingOut,
    )
    async def reschedule(booking_id: Id, body: Move, who: Principal = signed_in) -> Any:
        async def act(desk: Desk) -> BookingOut | JSONResponse:
            await desk.bookings.visible(desk.actor, booking_id)
            moved = await desk.bookings.reschedule(
                desk.actor, booking_id, body.start.astimezone(desk.now.tzinfo)
            )
            if isinstance(moved, Taken):
                return _taken(api, moved)
            return await out(desk, moved.id)

        return await api.run(who, act)

    def transition(path: str, summary: str, step: str) -> None:
        async def change(booking_id: Id, who: Principal = signed_in) -> BookingOut:
            async def act(desk: Desk) -> BookingOut:
                await desk.bookings.visible(desk.actor, booking_id)
                if step == "cancel":
                    await desk.bookings.cancel(desk.actor, booking_id)
                elif step == "confirm":
                    await desk.bookings.confirm(desk.actor, booking_id)
                else:
                    await desk.bookings.mark(desk.actor, booking_id, step)
                return await out(desk, booking_id)

            return await api.run(who, act)

        change.__name__ = f"{step}_booking"
        router.add_api_route(
            f"/bookings/{{booking_id}}/{path}",
            change,
            methods=["POST"],
            summary=summary,
            responses=CHANGE,
        )

    transition("cancel", "Cancel a booking; everyone concerned is told", "cancel")
    transition("confirm", "Confirm a pending booking (administrators)", "confirm")
    transition("done", "The visit took place (administrators)", "done")
    transition("no-show", "The client did not come (administrators)", "no_show")


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _taken(api: Api, taken: Taken) -> JSONResponse:
    return clash(
        "That time was just taken. The nearest free times are in `alternatives`.",
        [start.at for start in taken.alternatives],
    )
