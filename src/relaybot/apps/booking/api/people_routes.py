"""People of the booking app for administrators: who they are, granting and revoking the
admin role (never the last administrator) and unlinking a specialist's account."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from sqlalchemy import select

from relaybot import MAX_JSON_INT, Principal

from ..models import Specialist, User
from .base import CONFLICT, NOT_FOUND, SIGNED_IN, Api, Desk
from .catalog_routes import specialist_out
from .schemas import PersonOut, Role, RoleChange, SpecialistOut

Id = Annotated[int, Path(gt=0, le=MAX_JSON_INT)]
CHANGE: dict[int | str, dict[str, Any]] = {**SIGNED_IN, **NOT_FOUND, **CONFLICT}


def person_out(user: User) -> PersonOut:
    return PersonOut(
        id=user.id,
        name=user.name,
        role=user.role,
        phone=user.phone,
        reachable=user.chat_id is not None,
    )


def add_people_routes(router: APIRouter, api: Api) -> None:
    signed_in = api.signed_in

    @router.get("/people", summary="The people the app knows (administrators)", responses=SIGNED_IN)
    async def list_people(
        who: Principal = signed_in,
        role: Role | None = None,
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
        offset: Annotated[int, Query(ge=0, le=MAX_JSON_INT)] = 0,
    ) -> list[PersonOut]:
        async def act(desk: Desk) -> list[PersonOut]:
            desk.catalog.require_admin()
            query = select(User).order_by(User.id).limit(limit).offset(offset)
            if role is not None:
                query = query.where(User.role == role)
            return [person_out(user) for user in await desk.session.scalars(query)]

        return await api.run(who, act)

    @router.post(
        "/people/{user_id}/role",
        summary="Grant or revoke the administrator role; the last admin stays",
        responses=CHANGE,
    )
    async def set_role(user_id: Id, body: RoleChange, who: Principal = signed_in) -> PersonOut:
        async def act(desk: Desk) -> PersonOut:
            return person_out(await desk.catalog.set_role(user_id, body.role))

        return await api.run(who, act)

    @router.post(
        "/specialists/{specialist_id}/revoke",
        summary="Unlink the person signed in as this specialist (bookings stay)",
        responses=CHANGE,
    )
    async def revoke(specialist_id: Id, who: Principal = signed_in) -> SpecialistOut:
        async def act(desk: Desk) -> SpecialistOut:
            row: Specialist = await desk.catalog.revoke_specialist(specialist_id)
            return await specialist_out(desk, row)

        return await api.run(who, act)
