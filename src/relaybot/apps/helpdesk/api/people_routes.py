"""Routes for people: help desk users, their moderator and admin roles, links to scenarios."""

from __future__ import annotations

from fastapi import APIRouter, Query, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from relaybot import Principal

from .. import people
from ..errors import Conflict, NotFound
from ..models import HelpdeskUser
from ..roles import Role
from .base import CONFLICT, NOT_FOUND, Api, now
from .schemas import MAX_ID, Id, LinkIn, LinkOut, RolesIn, UserOut, UserRole


async def _users_out(session: AsyncSession, users: list[HelpdeskUser]) -> list[UserOut]:
    ids = [u.id for u in users]
    linked = await people.links_of(session, ids)
    active = await people.links_of(session, ids, active_only=True)
    return [_user_out(u, linked[u.id], active[u.id]) for u in users]


def _user_out(user: HelpdeskUser, linked: list[int], active: list[int]) -> UserOut:
    return UserOut(
        id=user.id,
        bot=user.bot,
        channel=user.channel,
        chat_id=user.chat_id,
        name=user.name,
        language=user.language,
        roles=people.roles_of(user, active),
        scenario_ids=linked,
        current_demand_id=user.current_demand_id,
        created_at=user.created_at,
        last_seen=user.last_seen,
    )


def add_people_routes(router: APIRouter, api: Api) -> None:
    # -- users, roles and links -----------------------------------------------------------------
    @router.get("/users", summary="List help desk users")
    async def list_users(
        who: Principal = api.reader,
        role: UserRole | None = None,
        limit: int = Query(100, ge=1, le=500),
        offset: int = Query(0, ge=0, le=MAX_ID),
    ) -> list[UserOut]:
        async def go(session: AsyncSession) -> list[UserOut]:
            users = await people.list_users(
                session, role=Role(role) if role else None, limit=limit, offset=offset
            )
            return await _users_out(session, users)

        return await api.run(go)

    @router.get("/users/{user_id}", summary="One user", responses=NOT_FOUND)
    async def get_user(user_id: Id, who: Principal = api.reader) -> UserOut:
        async def go(session: AsyncSession) -> UserOut:
            return (await _users_out(session, [await people.get(session, user_id)]))[0]

        return await api.run(go)

    @router.patch(
        "/users/{user_id}/roles",
        summary="Grant or take away moderator and admin",
        responses=NOT_FOUND,
    )
    async def set_roles(user_id: Id, body: RolesIn, who: Principal = api.owner) -> UserOut:
        async def go(session: AsyncSession) -> UserOut:
            user = await people.get(session, user_id)
            for role, wanted in ((Role.MODERATOR, body.moderator), (Role.ADMIN, body.admin)):
                if wanted is not None:
                    user = await people.set_role(session, user_id, role, wanted)
                    await api.note(
                        session,
                        who,
                        "grant" if wanted else "revoke",
                        f"user:{user_id}",
                        role=role.value,
                    )
            return (await _users_out(session, [user]))[0]

        return await api.run(go)

    @router.get("/links", summary="Links of users to scenarios")
    async def list_links(
        who: Principal = api.reader,
        user_id: int | None = Query(None, gt=0, le=MAX_ID),
        scenario_id: int | None = Query(None, gt=0, le=MAX_ID),
        limit: int = Query(100, ge=1, le=500),
        offset: int = Query(0, ge=0, le=MAX_ID),
    ) -> list[LinkOut]:
        async def go(session: AsyncSession) -> list[LinkOut]:
            rows = await people.list_links(
                session, user_id=user_id, scenario_id=scenario_id, limit=limit, offset=offset
            )
            return [
                LinkOut(user_id=r.user_id, scenario_id=r.scenario_id, created_at=r.created_at)
                for r in rows
            ]

        return await api.run(go)

    @router.post(
        "/links",
        status_code=status.HTTP_201_CREATED,
        summary="Make a user a provider in a scenario",
        responses={**NOT_FOUND, **CONFLICT},
    )
    async def add_link(body: LinkIn, who: Principal = api.editor) -> LinkOut:
        async def go(session: AsyncSession) -> LinkOut:
            linked_at = now()
            if not await people.link(session, body.user_id, body.scenario_id, linked_at):
                raise Conflict(
                    f"user {body.user_id} is already linked to scenario {body.scenario_id}"
                )
            await api.note(session, who, "link", f"user:{body.user_id}", scenario=body.scenario_id)
            return LinkOut(user_id=body.user_id, scenario_id=body.scenario_id, created_at=linked_at)

        return await api.run(go)

    @router.delete(
        "/links/{user_id}/{scenario_id}",
        status_code=status.HTTP_204_NO_CONTENT,
        summary="Remove a user's link to a scenario",
        responses=NOT_FOUND,
    )
    async def delete_link(user_id: Id, scenario_id: Id, who: Principal = api.editor) -> Response:
        async def go(session: AsyncSession) -> None:
            if not await people.unlink(session, user_id, scenario_id):
                raise NotFound(f"user {user_id} is not linked to scenario {scenario_id}")
            await api.note(session, who, "unlink", f"user:{user_id}", scenario=scenario_id)

        await api.run(go)
        return Response(status_code=status.HTTP_204_NO_CONTENT)
