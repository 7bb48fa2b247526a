"""Routes of /api/helpdesk/: the catalogue, links and roles (admin); requests (admin, moderator)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Query, Response, status
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from relaybot.config import Settings
from relaybot.gateway.auth import Authenticator, Principal
from relaybot.store.audit import audit
from relaybot.store.db import SessionMaker

from .. import catalog, people
from ..errors import Conflict, NotFound
from ..models import Demand, DemandMessage, HelpdeskUser, Participant, Place, Resource, Scenario
from ..roles import Role
from .schemas import (
    DemandDetail,
    DemandOut,
    DemandPage,
    LinkIn,
    LinkOut,
    MessageOut,
    NamedIn,
    NamedOut,
    NamedPatch,
    ParticipantOut,
    Problem,
    Ref,
    RolesIn,
    ScenarioIn,
    ScenarioOut,
    ScenarioPatch,
    Status,
    UserOut,
    UserRole,
)

T = TypeVar("T")
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "No token, or a token that is not valid."},
    403: {"model": Problem, "description": "The token's role may not do this."},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": Problem}}
CONFLICT: dict[int | str, dict[str, Any]] = {409: {"model": Problem}}


def _now() -> datetime:
    return datetime.now(UTC)


def _named_out(item: Place | Resource) -> NamedOut:
    return NamedOut(
        id=item.id, name=item.name, description=item.description, created_at=item.created_at
    )


def _scenario_out(item: Scenario) -> ScenarioOut:
    return ScenarioOut(
        id=item.id,
        title=item.title,
        place=Ref(id=item.place.id, name=item.place.name),
        resource=Ref(id=item.resource.id, name=item.resource.name),
        description=item.description,
        active=item.active,
        created_at=item.created_at,
    )


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


def _demand_fields(item: Demand) -> dict[str, Any]:
    return {
        "id": item.id,
        "status": item.status,
        "scenario_id": item.scenario_id,
        "category": item.scenario.title,
        "requester_id": item.requester_id,
        "provider_id": item.provider_id,
        "description": item.description,
        "returned": item.priority > 0,
        "created_at": item.created_at,
        "updated_at": item.updated_at,
        "taken_at": item.taken_at,
        "closed_at": item.closed_at,
        "closed_by_id": item.closed_by_id,
    }


def build_router(settings: Settings, sessions: SessionMaker) -> APIRouter:
    auth = Authenticator(settings, sessions)
    # Operators keep the catalogue and the links; only admins hand out roles.
    owner = Depends(auth.admin("admin"))
    editor = Depends(auth.admin("admin", "operator"))
    reader = Depends(auth.admin("admin", "operator", "readonly"))
    router = APIRouter(prefix="/api/helpdesk", tags=["helpdesk"], responses=ERRORS)

    async def run(action: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """Run `action` in one transaction; domain errors become 404 and 409."""
        try:
            async with sessions() as session, session.begin():
                return await action(session)
        except NotFound as exc:
            raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from exc
        except Conflict as exc:
            raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc

    async def note(
        session: AsyncSession, who: Principal, action: str, target: str, **details: Any
    ) -> None:
        await audit(
            session,
            actor=who.actor,
            channel="rest",
            action=f"helpdesk.{action}",
            target=target,
            details=details,
        )

    # -- places and resources -------------------------------------------------------------------
    def named_routes(model: type[Place] | type[Resource], plural: str, kind: str) -> None:
        @router.get(f"/{plural}", summary=f"List {plural}")
        async def list_items(who: Principal = reader) -> list[NamedOut]:
            async def go(session: AsyncSession) -> list[NamedOut]:
                return [_named_out(i) for i in await catalog.list_named(session, model)]

            return await run(go)

        @router.post(
            f"/{plural}",
            status_code=status.HTTP_201_CREATED,
            summary=f"Add a {kind}",
            responses=CONFLICT,
        )
        async def add_item(body: NamedIn, who: Principal = editor) -> NamedOut:
            async def go(session: AsyncSession) -> NamedOut:
                item = await catalog.add_named(session, model, body.name, body.description, _now())
                await note(session, who, f"{kind}.add", f"{kind}:{item.id}", name=item.name)
                return _named_out(item)

            return await run(go)

        @router.get(f"/{plural}/{{item_id}}", summary=f"One {kind}", responses=NOT_FOUND)
        async def get_item(item_id: int, who: Principal = reader) -> NamedOut:
            async def go(session: AsyncSession) -> NamedOut:
                return _named_out(await catalog.get_named(session, model, item_id))

            return await run(go)

        @router.patch(
            f"/{plural}/{{item_id}}",
            summary=f"Rename or describe a {kind}",
            responses={**NOT_FOUND, **CONFLICT},
        )
        async def patch_item(item_id: int, body: NamedPatch, who: Principal = editor) -> NamedOut:
            async def go(session: AsyncSession) -> NamedOut:
                item = await catalog.update_named(
                    session, model, item_id, name=body.name, description=body.description
                )
                await note(session, who, f"{kind}.update", f"{kind}:{item_id}")
                return _named_out(item)

            return await run(go)

        @router.delete(
            f"/{plural}/{{item_id}}",
            status_code=status.HTTP_204_NO_CONTENT,
            summary=f"Delete a {kind} no scenario uses",
            responses={**NOT_FOUND, **CONFLICT},
        )
        async def delete_item(item_id: int, who: Principal = editor) -> Response:
            async def go(session: AsyncSession) -> None:
                await catalog.delete_named(session, model, item_id)
                await note(session, who, f"{kind}.delete", f"{kind}:{item_id}")

            await run(go)
            return Response(status_code=status.HTTP_204_NO_CONTENT)

    named_routes(Place, "places", "place")
    named_routes(Resource, "resources", "resource")

    # -- scenarios ------------------------------------------------------------------------------
    @router.get("/scenarios", summary="List scenarios (categories of help)")
    async def list_scenarios(
        who: Principal = reader,
        active: bool | None = Query(None, description="Only active (true) or inactive (false)."),
        place_id: int | None = Query(None, gt=0),
    ) -> list[ScenarioOut]:
        async def go(session: AsyncSession) -> list[ScenarioOut]:
            items = await catalog.list_scenarios(session, place_id=place_id)
            return [_scenario_out(s) for s in items if active is None or s.active == active]

        return await run(go)

    @router.post(
        "/scenarios",
        status_code=status.HTTP_201_CREATED,
        summary="Add a scenario: a place and a resource",
        responses={**NOT_FOUND, **CONFLICT},
    )
    async def add_scenario(body: ScenarioIn, who: Principal = editor) -> ScenarioOut:
        async def go(session: AsyncSession) -> ScenarioOut:
            item = await catalog.add_scenario(
                session,
                place_id=body.place_id,
                resource_id=body.resource_id,
                description=body.description,
                active=body.active,
                now=_now(),
            )
            await note(session, who, "scenario.add", f"scenario:{item.id}")
            return _scenario_out(item)

        return await run(go)

    @router.get("/scenarios/{scenario_id}", summary="One scenario", responses=NOT_FOUND)
    async def get_scenario(scenario_id: int, who: Principal = reader) -> ScenarioOut:
        async def go(session: AsyncSession) -> ScenarioOut:
            return _scenario_out(await catalog.get_scenario(session, scenario_id))

        return await run(go)

    @router.patch(
        "/scenarios/{scenario_id}",
        summary="Describe, deactivate or reactivate a scenario",
        responses=NOT_FOUND,
    )
    async def patch_scenario(
        scenario_id: int, body: ScenarioPatch, who: Principal = editor
    ) -> ScenarioOut:
        async def go(session: AsyncSession) -> ScenarioOut:
            item = await catalog.update_scenario(
                session, scenario_id, description=body.description, active=body.active
            )
            await note(session, who, "scenario.update", f"scenario:{scenario_id}")
            return _scenario_out(item)

        return await run(go)

    @router.delete(
        "/scenarios/{scenario_id}",
        status_code=status.HTTP_204_NO_CONTENT,
        summary="Delete a scenario that has no requests",
        responses={**NOT_FOUND, **CONFLICT},
    )
    async def delete_scenario(scenario_id: int, who: Principal = editor) -> Response:
        async def go(session: AsyncSession) -> None:
            await catalog.delete_scenario(session, scenario_id)
            await note(session, who, "scenario.delete", f"scenario:{scenario_id}")

        await run(go)
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    # -- users, roles and links -----------------------------------------------------------------
    @router.get("/users", summary="List help desk users")
    async def list_users(
        who: Principal = reader,
        role: UserRole | None = None,
        limit: int = Query(100, ge=1, le=500),
        offset: int = Query(0, ge=0),
    ) -> list[UserOut]:
        async def go(session: AsyncSession) -> list[UserOut]:
            users = await people.list_users(
                session, role=Role(role) if role else None, limit=limit, offset=offset
            )
            return await _users_out(session, users)

        return await run(go)

    @router.get("/users/{user_id}", summary="One user", responses=NOT_FOUND)
    async def get_user(user_id: int, who: Principal = reader) -> UserOut:
        async def go(session: AsyncSession) -> UserOut:
            return (await _users_out(session, [await people.get(session, user_id)]))[0]

        return await run(go)

    @router.patch(
        "/users/{user_id}/roles",
        summary="Grant or take away moderator and admin",
        responses=NOT_FOUND,
    )
    async def set_roles(user_id: int, body: RolesIn, who: Principal = owner) -> UserOut:
        async def go(session: AsyncSession) -> UserOut:
            user = await people.get(session, user_id)
            for role, wanted in ((Role.MODERATOR, body.moderator), (Role.ADMIN, body.admin)):
                if wanted is not None:
                    user = await people.set_role(session, user_id, role, wanted)
                    await note(
                        session,
                        who,
                        "grant" if wanted else "revoke",
                        f"user:{user_id}",
                        role=role.value,
                    )
            return (await _users_out(session, [user]))[0]

        return await run(go)

    @router.get("/links", summary="Links of users to scenarios")
    async def list_links(
        who: Principal = reader,
        user_id: int | None = Query(None, gt=0),
        scenario_id: int | None = Query(None, gt=0),
        limit: int = Query(100, ge=1, le=500),
        offset: int = Query(0, ge=0),
    ) -> list[LinkOut]:
        async def go(session: AsyncSession) -> list[LinkOut]:
            rows = await people.list_links(
                session, user_id=user_id, scenario_id=scenario_id, limit=limit, offset=offset
            )
            return [
                LinkOut(user_id=r.user_id, scenario_id=r.scenario_id, created_at=r.created_at)
                for r in rows
            ]

        return await run(go)

    @router.post(
        "/links",
        status_code=status.HTTP_201_CREATED,
        summary="Make a user a provider in a scenario",
        responses={**NOT_FOUND, **CONFLICT},
    )
    async def add_link(body: LinkIn, who: Principal = editor) -> LinkOut:
        async def go(session: AsyncSession) -> LinkOut:
            now = _now()
            if not await people.link(session, body.user_id, body.scenario_id, now):
                raise Conflict(
                    f"user {body.user_id} is already linked to scenario {body.scenario_id}"
                )
            await note(session, who, "link", f"user:{body.user_id}", scenario=body.scenario_id)
            return LinkOut(user_id=body.user_id, scenario_id=body.scenario_id, created_at=now)

        return await run(go)

    @router.delete(
        "/links/{user_id}/{scenario_id}",
        status_code=status.HTTP_204_NO_CONTENT,
        summary="Remove a user's link to a scenario",
        responses=NOT_FOUND,
    )
    async def delete_link(user_id: int, scenario_id: int, who: Principal = editor) -> Response:
        async def go(session: AsyncSession) -> None:
            if not await people.unlink(session, user_id, scenario_id):
                raise NotFound(f"user {user_id} is not linked to scenario {scenario_id}")
            await note(session, who, "unlink", f"user:{user_id}", scenario=scenario_id)

        await run(go)
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    # -- requests -------------------------------------------------------------------------------
    @router.get("/demands", summary="List requests, newest first")
    async def list_demands(
        who: Principal = reader,
        status_: Status | None = Query(None, alias="status"),
        scenario_id: int | None = Query(None, gt=0),
        user_id: int | None = Query(
            None, gt=0, description="Requests this user asked for or is helping with."
        ),
        limit: int = Query(50, ge=1, le=200),
        offset: int = Query(0, ge=0),
    ) -> DemandPage:
        async def go(session: AsyncSession) -> DemandPage:
            conditions = []
            if status_ is not None:
                conditions.append(Demand.status == status_)
            if scenario_id is not None:
                conditions.append(Demand.scenario_id == scenario_id)
            if user_id is not None:
                conditions.append(
                    (Demand.requester_id == user_id) | (Demand.provider_id == user_id)
                )
            total = await session.scalar(
                select(func.count()).select_from(Demand).where(*conditions)
            )
            rows = await session.scalars(
                select(Demand)
                .where(*conditions)
                .order_by(Demand.id.desc())
                .limit(limit)
                .offset(offset)
            )
            return DemandPage(
                items=[DemandOut(**_demand_fields(d)) for d in rows],
                total=int(total or 0),
                limit=limit,
                offset=offset,
            )

        return await run(go)

    @router.get(
        "/demands/{demand_id}",
        summary="One request with its participants and messages",
        responses=NOT_FOUND,
    )
    async def get_demand(
        demand_id: int,
        who: Principal = reader,
        messages_limit: int = Query(200, ge=1, le=1000, description="The latest N messages."),
    ) -> DemandDetail:
        async def go(session: AsyncSession) -> DemandDetail:
            demand = await session.get(Demand, demand_id)
            if demand is None:
                raise NotFound(f"request {demand_id} does not exist")
            participants = await session.scalars(
                select(Participant)
                .where(Participant.demand_id == demand_id)
                .order_by(Participant.id)
            )
            latest = list(
                await session.scalars(
                    select(DemandMessage)
                    .where(DemandMessage.demand_id == demand_id)
                    .order_by(DemandMessage.id.desc())
                    .limit(messages_limit)
                )
            )
            latest.reverse()
            total = await session.scalar(
                select(func.count())
                .select_from(DemandMessage)
                .where(DemandMessage.demand_id == demand_id)
            )
            return DemandDetail(
                **_demand_fields(demand),
                participants=[
                    ParticipantOut(
                        user_id=p.user_id,
                        role=p.role,
                        joined_at=p.joined_at,
                        left_at=p.left_at,
                        left_reason=p.left_reason,
                    )
                    for p in participants
                ],
                messages=[
                    MessageOut(
                        id=m.id,
                        author_id=m.author_id,
                        author_role=m.author_role,
                        text=m.text,
                        attachments=m.attachments,
                        created_at=m.created_at,
                    )
                    for m in latest
                ],
                messages_total=int(total or 0),
            )

        return await run(go)

    return router
