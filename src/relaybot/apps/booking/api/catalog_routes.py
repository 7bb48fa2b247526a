"""Locations, services, specialists, working hours and exceptions: read by anyone signed in,
changed by administrators, through the same `Catalog` as the admin's chat screens."""

from __future__ import annotations

from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Path, Query, Response
from sqlalchemy import select

from relaybot import MAX_JSON_INT, Principal

from ..models import Location, ScheduleException, Service, Specialist, WorkingHours
from .base import CONFLICT, INVALID, NOT_FOUND, SIGNED_IN, Api, Desk, invalid
from .schemas import (
    ExceptionIn,
    ExceptionOut,
    ExceptionPatch,
    HoursIn,
    HoursOut,
    HoursPatch,
    JsonDate,
    LocationIn,
    LocationOut,
    LocationPatch,
    ServiceIn,
    ServiceOut,
    ServicePatch,
    SpecialistIn,
    SpecialistOut,
    SpecialistPatch,
)

Id = Annotated[int, Path(gt=0, le=MAX_JSON_INT)]
FilterId = Annotated[int | None, Query(gt=0, le=MAX_JSON_INT)]
READ: dict[int | str, dict[str, Any]] = {**SIGNED_IN, **NOT_FOUND}
WRITE: dict[int | str, dict[str, Any]] = {**SIGNED_IN, **NOT_FOUND, **INVALID}
DELETE: dict[int | str, dict[str, Any]] = {**SIGNED_IN, **NOT_FOUND, **CONFLICT}


def check_zone(name: str | None) -> None:
    if name is None:
        return
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise invalid("timezone", f"{name!r} is not a known time zone, e.g. Asia/Bishkek") from None


def check_span(start: int | None, end: int | None) -> None:
    if start is not None and end is not None and start >= end:
        raise invalid("end_min", "the end must come after the start")


def location_out(row: Location) -> LocationOut:
    return LocationOut(
        id=row.id, name=row.name, address=row.address, timezone=row.timezone, active=row.active
    )


def service_out(row: Service) -> ServiceOut:
    return ServiceOut(
        id=row.id,
        name=row.name,
        duration_min=row.duration_min,
        price_minor=row.price_minor,
        currency=row.currency,
        active=row.active,
    )


async def specialist_out(desk: Desk, row: Specialist) -> SpecialistOut:
    return SpecialistOut(
        id=row.id,
        name=row.name,
        active=row.active,
        user_id=row.user_id,
        service_ids=await desk.catalog.offers(row.id),
        invite_code=row.invite_code if desk.actor.is_admin else None,
    )


def hours_out(row: WorkingHours) -> HoursOut:
    return HoursOut(
        id=row.id,
        specialist_id=row.specialist_id,
        location_id=row.location_id,
        weekday=row.weekday,
        start_min=row.start_min,
        end_min=row.end_min,
    )


def exception_out(row: ScheduleException) -> ExceptionOut:
    return ExceptionOut(
        id=row.id,
        specialist_id=row.specialist_id,
        location_id=row.location_id,
        day=row.day,
        start_min=row.start_min,
        end_min=row.end_min,
    )


async def _known_services(desk: Desk, ids: list[int]) -> None:
    for service_id in ids:
        if await desk.session.get(Service, service_id) is None:
            raise invalid("service_ids", f"there is no service {service_id}")


def add_catalog_routes(router: APIRouter, api: Api) -> None:
    signed_in = api.signed_in

    # -- locations ----------------------------------------------------------------------------
    @router.get("/locations", summary="Every location", responses=SIGNED_IN)
    async def list_locations(who: Principal = signed_in) -> list[LocationOut]:
        async def act(desk: Desk) -> list[LocationOut]:
            rows = await desk.session.scalars(select(Location).order_by(Location.id))
            return [location_out(row) for row in rows]

        return await api.run(who, act)

    @router.post("/locations", status_code=201, summary="Add a location", responses=WRITE)
    async def add_location(body: LocationIn, who: Principal = signed_in) -> LocationOut:
        check_zone(body.timezone)

        async def act(desk: Desk) -> LocationOut:
            row = await desk.catalog.add_location(
                name=body.name, address=body.address, timezone=body.timezone
            )
            if not body.active:
                await desk.catalog.edit_location(row.id, active=False)
            return location_out(row)

        return await api.run(who, act)

    @router.get("/locations/{location_id}", summary="One location", responses=READ)
    async def get_location(location_id: Id, who: Principal = signed_in) -> LocationOut:
        async def act(desk: Desk) -> LocationOut:
            return location_out(await desk.catalog.get(Location, location_id))

        return await api.run(who, act)

    @router.patch(
        "/locations/{location_id}",
        summary="Correct a location: name, address, time zone, or (de)activate it",
        responses=WRITE,
    )
    async def edit_location(
        location_id: Id, body: LocationPatch, who: Principal = signed_in
    ) -> LocationOut:
        check_zone(body.timezone)
        changes = body.model_dump(exclude_none=True)

        async def act(desk: Desk) -> LocationOut:
            return location_out(await desk.catalog.edit_location(location_id, **changes))

        return await api.run(who, act)

    @router.delete(
        "/locations/{location_id}",
        status_code=204,
        summary="Delete a location no booking refers to (else deactivate it)",
        responses=DELETE,
    )
    async def delete_location(location_id: Id, who: Principal = signed_in) -> Response:
        async def act(desk: Desk) -> None:
            await desk.catalog.delete_location(location_id)

        await api.run(who, act)
        return Response(status_code=204)

    # -- services -----------------------------------------------------------------------------
    @router.get("/services", summary="Every service", responses=SIGNED_IN)
    async def list_services(who: Principal = signed_in) -> list[ServiceOut]:
        async def act(desk: Desk) -> list[ServiceOut]:
            rows = await desk.session.scalars(select(Service).order_by(Service.id))
            return [service_out(row) for row in rows]

        return await api.run(who, act)

    @router.post("/services", status_code=201, summary="Add a service", responses=WRITE)
    async def add_service(body: ServiceIn, who: Principal = signed_in) -> ServiceOut:
        async def act(desk: Desk) -> ServiceOut:
            row = await desk.catalog.add_service(
                name=body.name,
                duration_min=body.duration_min,
                price_minor=body.price_minor,
                currency=body.currency,
            )
            if not body.active:
                await desk.catalog.edit_service(row.id, active=False)
            return service_out(row)

        return await api.run(who, act)

    @router.get("/services/{service_id}", summary="One service", responses=READ)
    async def get_service(service_id: Id, who: Principal = signed_in) -> ServiceOut:
        async def act(desk: Desk) -> ServiceOut:
            return service_out(await desk.catalog.get(Service, service_id))

        return await api.run(who, act)

    @router.patch(
        "/services/{service_id}",
        summary="Correct a service: name, duration, price, or (de)activate it",
        responses=WRITE,
    )
    async def edit_service(
        service_id: Id, body: ServicePatch, who: Principal = signed_in
    ) -> ServiceOut:
        changes = body.model_dump(exclude_none=True)

        async def act(desk: Desk) -> ServiceOut:
            return service_out(await desk.catalog.edit_service(service_id, **changes))

        return await api.run(who, act)

    @router.delete(
        "/services/{service_id}",
        status_code=204,
        summary="Delete a service no booking refers to (else deactivate it)",
        responses=DELETE,
    )
    async def delete_service(service_id: Id, who: Principal = signed_in) -> Response:
        async def act(desk: Desk) -> None:
            await desk.catalog.delete_service(service_id)

        await api.run(who, act)
        return Response(status_code=204)

    # -- specialists --------------------------------------------------------------------------
    @router.get("/specialists", summary="Every specialist", responses=SIGNED_IN)
    async def list_specialists(who: Principal = signed_in) -> list[SpecialistOut]:
        async def act(desk: Desk) -> list[SpecialistOut]:
            rows = await desk.session.scalars(select(Specialist).order_by(Specialist.id))
            return [await specialist_out(desk, row) for row in rows]

        return await api.run(who, act)

    @router.post("/specialists", status_code=201, summary="Add a specialist", responses=WRITE)
    async def add_specialist(body: SpecialistIn, who: Principal = signed_in) -> SpecialistOut:
        async def act(desk: Desk) -> SpecialistOut:
            desk.catalog.require_admin()
            await _known_services(desk, body.service_ids)
            row = await desk.catalog.add_specialist(
                name=body.name, service_ids=sorted(set(body.service_ids))
            )
            if not body.active:
                await desk.catalog.edit_specialist(row.id, active=False)
            return await specialist_out(desk, row)

        return await api.run(who, act)

    @router.get("/specialists/{specialist_id}", summary="One specialist", responses=READ)
    async def get_specialist(specialist_id: Id, who: Principal = signed_in) -> SpecialistOut:
        async def act(desk: Desk) -> SpecialistOut:
            return await specialist_out(desk, await desk.catalog.get(Specialist, specialist_id))

        return await api.run(who, act)

    @router.patch(
        "/specialists/{specialist_id}",
        summary="Correct a specialist: name, services, or (de)activate",
        responses=WRITE,
    )
    async def edit_specialist(
        specialist_id: Id, body: SpecialistPatch, who: Principal = signed_in
    ) -> SpecialistOut:
        changes = body.model_dump(exclude_none=True, exclude={"service_ids"})

        async def act(desk: Desk) -> SpecialistOut:
            row = await desk.catalog.edit_specialist(specialist_id, **changes)
            if body.service_ids is not None:
                await _known_services(desk, body.service_ids)
                await desk.catalog.set_offers(specialist_id, body.service_ids)
            return await specialist_out(desk, row)

        return await api.run(who, act)

    @router.delete(
        "/specialists/{specialist_id}",
        status_code=204,
        summary="Delete a specialist no booking refers to (else deactivate)",
        responses=DELETE,
    )
    async def delete_specialist(specialist_id: Id, who: Principal = signed_in) -> Response:
        async def act(desk: Desk) -> None:
            await desk.catalog.delete_specialist(specialist_id)

        await api.run(who, act)
        return Response(status_code=204)

    # -- working hours ------------------------------------------------------------------------
    @router.get("/hours", summary="Weekly working hours", responses=SIGNED_IN)
    async def list_hours(
        who: Principal = signed_in,
        specialist_id: FilterId = None,
        location_id: FilterId = None,
    ) -> list[HoursOut]:
        async def act(desk: Desk) -> list[HoursOut]:
            query = select(WorkingHours).order_by(
                WorkingHours.specialist_id, WorkingHours.weekday, WorkingHours.start_min
            )
            if specialist_id is not None:
                query = query.where(WorkingHours.specialist_id == specialist_id)
            if location_id is not None:
                query = query.where(WorkingHours.location_id == location_id)
            return [hours_out(row) for row in await desk.session.scalars(query)]

        return await api.run(who, act)

    @router.post("/hours", status_code=201, summary="Add a weekly interval", responses=WRITE)
    async def add_hours(body: HoursIn, who: Principal = signed_in) -> HoursOut:
        check_span(body.start_min, body.end_min)

        async def act(desk: Desk) -> HoursOut:
            row = await desk.catalog.add_hours(
                body.specialist_id,
                body.location_id,
                weekday=body.weekday,
                start_min=body.start_min,
                end_min=body.end_min,
            )
            return hours_out(row)

        return await api.run(who, act)

    @router.get("/hours/{hours_id}", summary="One weekly interval", responses=READ)
    async def get_hours(hours_id: Id, who: Principal = signed_in) -> HoursOut:
        async def act(desk: Desk) -> HoursOut:
            return hours_out(await desk.catalog.get(WorkingHours, hours_id))

        return await api.run(who, act)

    @router.patch("/hours/{hours_id}", summary="Correct a weekly interval", responses=WRITE)
    async def edit_hours(hours_id: Id, body: HoursPatch, who: Principal = signed_in) -> HoursOut:
        changes = body.model_dump(exclude_none=True)

        async def act(desk: Desk) -> HoursOut:
            desk.catalog.require_admin()
            row = await desk.catalog.get(WorkingHours, hours_id)
            check_span(changes.get("start_min", row.start_min), changes.get("end_min", row.end_min))
            return hours_out(await desk.catalog.edit_hours(hours_id, **changes))

        return await api.run(who, act)

    @router.delete(
        "/hours/{hours_id}",
        status_code=204,
        summary="Delete a weekly interval no upcoming booking lies in",
        responses=DELETE,
    )
    async def delete_hours(hours_id: Id, who: Principal = signed_in) -> Response:
        async def act(desk: Desk) -> None:
            await desk.catalog.delete_hours(hours_id)

        await api.run(who, act)
        return Response(status_code=204)

    # -- exceptions ---------------------------------------------------------------------------
    @router.get("/exceptions", summary="Dates that differ from the week", responses=SIGNED_IN)
    async def list_exceptions(
        who: Principal = signed_in,
        specialist_id: FilterId = None,
        location_id: FilterId = None,
        since: Annotated[JsonDate | None, Query(description="From this date on")] = None,
    ) -> list[ExceptionOut]:
        async def act(desk: Desk) -> list[ExceptionOut]:
            query = select(ScheduleException).order_by(ScheduleException.day, ScheduleException.id)
            if specialist_id is not None:
                query = query.where(ScheduleException.specialist_id == specialist_id)
            if location_id is not None:
                query = query.where(ScheduleException.location_id == location_id)
            if since is not None:
                query = query.where(ScheduleException.day >= since)
            return [exception_out(row) for row in await desk.session.scalars(query)]

        return await api.run(who, act)

    @router.post(
        "/exceptions",
        status_code=201,
        summary="Set a date's hours (no minutes: a day off); replaces that date's others",
        responses=WRITE,
    )
    async def add_exception(body: ExceptionIn, who: Principal = signed_in) -> ExceptionOut:
        if (body.start_min is None) != (body.end_min is None):
            raise invalid("end_min", "give both start_min and end_min, or neither for a day off")
        check_span(body.start_min, body.end_min)
        spans = (
            []
            if body.start_min is None or body.end_min is None
            else [(body.start_min, body.end_min)]
        )

        async def act(desk: Desk) -> ExceptionOut:
            made = await desk.catalog.set_exception(
                body.specialist_id, body.location_id, day=body.day, intervals=spans
            )
            return exception_out(made[0])

        return await api.run(who, act)

    @router.get("/exceptions/{exception_id}", summary="One exception", responses=READ)
    async def get_exception(exception_id: Id, who: Principal = signed_in) -> ExceptionOut:
        async def act(desk: Desk) -> ExceptionOut:
            return exception_out(await desk.catalog.get(ScheduleException, exception_id))

        return await api.run(who, act)

    @router.patch(
        "/exceptions/{exception_id}",
        summary="Change an exception's hours, or make it a day off",
        responses=WRITE,
    )
    async def edit_exception(
        exception_id: Id, body: ExceptionPatch, who: Principal = signed_in
    ) -> ExceptionOut:
        if body.day_off:
            changes: dict[str, int | None] = {"start_min": None, "end_min": None}
        elif body.start_min is None or body.end_min is None:
            raise invalid("end_min", "give both start_min and end_min, or day_off")
        else:
            check_span(body.start_min, body.end_min)
            changes = {"start_min": body.start_min, "end_min": body.end_min}

        async def act(desk: Desk) -> ExceptionOut:
            return exception_out(await desk.catalog.edit_exception(exception_id, **changes))

        return await api.run(who, act)

    @router.delete(
        "/exceptions/{exception_id}",
        status_code=204,
        summary="Delete an exception: the date follows the week again",
        responses=DELETE,
    )
    async def delete_exception(exception_id: Id, who: Principal = signed_in) -> Response:
        async def act(desk: Desk) -> None:
            await desk.catalog.delete_exception(exception_id)

        await api.run(who, act)
        return Response(status_code=204)
