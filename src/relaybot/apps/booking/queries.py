"""Read-only lookups the screens need: what is offered where, and who is who."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import Location, Service, Specialist, SpecialistService, User, WorkingHours


async def active_locations(session: AsyncSession) -> list[Location]:
    return list(
        await session.scalars(
            select(Location).where(Location.active.is_(True)).order_by(Location.id)
        )
    )


async def services_at(session: AsyncSession, location_id: int) -> list[Service]:
    """Active services that at least one active specialist working here offers."""
    offered = (
        select(SpecialistService.service_id)
        .join(Specialist, Specialist.id == SpecialistService.specialist_id)
        .join(WorkingHours, WorkingHours.specialist_id == Specialist.id)
        .where(Specialist.active.is_(True), WorkingHours.location_id == location_id)
    )
    return list(
        await session.scalars(
            select(Service)
            .where(Service.active.is_(True), Service.id.in_(offered))
            .order_by(Service.id)
        )
    )


async def specialists_for(
    session: AsyncSession, location_id: int, service_id: int
) -> list[Specialist]:
    here = select(WorkingHours.specialist_id).where(WorkingHours.location_id == location_id)
    return list(
        await session.scalars(
            select(Specialist)
            .join(SpecialistService, SpecialistService.specialist_id == Specialist.id)
            .where(
                Specialist.active.is_(True),
                SpecialistService.service_id == service_id,
                Specialist.id.in_(here),
            )
            .order_by(Specialist.name, Specialist.id)
        )
    )


async def find_clients(session: AsyncSession, query: str | None, *, limit: int = 8) -> list[User]:
    """Clients whose name or phone contains `query`; the newest ones without a query."""
    stmt = select(User).where(User.role == "client")
    if query:
        text = query.strip()
        # SQLite folds the case of ASCII letters only, so Cyrillic is tried as typed,
        # in lower case and capitalised ("дана" finds "Дана").
        variants = {text, text.lower(), text.capitalize(), text.title()}
        conditions = [User.name.ilike(f"%{v}%") for v in sorted(variants)]
        digits = "".join(ch for ch in text if ch.isdigit())
        if len(digits) >= 3:
            conditions.append(User.phone.like(f"%{digits}%"))
        stmt = stmt.where(or_(*conditions))
    return list(await session.scalars(stmt.order_by(User.id.desc()).limit(limit)))
