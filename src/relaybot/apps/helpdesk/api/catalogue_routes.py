"""Routes for the catalogue: places, resources and scenarios (categories of help)."""

from __future__ import annotations

from fastapi import APIRouter, Query, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from relaybot import Principal

from .. import catalog
from ..models import Place, Resource, Scenario
from .base import CONFLICT, NOT_FOUND, Api, now
from .schemas import (
    MAX_ID,
    Id,
    NamedIn,
    NamedOut,
    NamedPatch,
    Ref,
    ScenarioIn,
    ScenarioOut,
    ScenarioPatch,
)


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


def add_catalogue_routes(router: APIRouter, api: Api) -> None:
    # -- places and resources -------------------------------------------------------------------
    def named_routes(model: type[Place] | type[Resource], plural: str, kind: str) -> None:
        @router.get(f"/{plural}", summary=f"List {plural}")
        async def list_items(who: Principal = api.reader) -> list[NamedOut]:
            async def go(session: AsyncSession) -> list[NamedOut]:
                return [_named_out(i) for i in await catalog.list_named(session, model)]

            return await api.run(go)

        @router.post(
            f"/{plural}",
            status_code=status.HTTP_201_CREATED,
            summary=f"Add a {kind}",
            responses=CONFLICT,
        )
        async def add_item(body: NamedIn, who: Principal = api.editor) -> NamedOut:
            async def go(session: AsyncSession) -> NamedOut:
                item = await catalog.add_named(session, model, body.name, body.description, now())
                await api.note(session, who, f"{kind}.add", f"{kind}:{item.id}", name=item.name)
                return _named_out(item)

            return await api.run(go)

        @router.get(f"/{plural}/{{item_id}}", summary=f"One {kind}", responses=NOT_FOUND)
        async def get_item(item_id: Id, who: Principal = api.reader) -> NamedOut:
            async def go(session: AsyncSession) -> NamedOut:
                return _named_out(await catalog.get_named(session, model, item_id))

            return await api.run(go)

        @router.patch(
            f"/{plural}/{{item_id}}",
            summary=f"Rename or describe a {kind}",
            responses={**NOT_FOUND, **CONFLICT},
        )
        async def patch_item(
            item_id: Id, body: NamedPatch, who: Principal = api.editor
        ) -> NamedOut:
            async def go(session: AsyncSession) -> NamedOut:
                item = await catalog.update_named(
                    session, model, item_id, name=body.name, description=body.description
                )
                await api.note(session, who, f"{kind}.update", f"{kind}:{item_id}")
                return _named_out(item)

            return await api.run(go)

        @router.delete(
            f"/{plural}/{{item_id}}",
            status_code=status.HTTP_204_NO_CONTENT,
            summary=f"Delete a {kind} no scenario uses",
            responses={**NOT_FOUND, **CONFLICT},
        )
        async def delete_item(item_id: Id, who: Principal = api.editor) -> Response:
            async def go(session: AsyncSession) -> None:
                await catalog.delete_named(session, model, item_id)
                await api.note(session, who, f"{kind}.delete", f"{kind}:{item_id}")

            await api.run(go)
            return Response(status_code=status.HTTP_204_NO_CONTENT)

    named_routes(Place, "places", "place")
    named_routes(Resource, "resources", "resource")

    # -- scenarios ------------------------------------------------------------------------------
    @router.get("/scenarios", summary="List scenarios (categories of help)")
    async def list_scenarios(
        who: Principal = api.reader,
        active: bool | None = Query(None, description="Only active (true) or inactive (false)."),
        place_id: int | None = Query(None, gt=0, le=MAX_ID),
    ) -> list[ScenarioOut]:
        async def go(session: AsyncSession) -> list[ScenarioOut]:
            items = await catalog.list_scenarios(session, place_id=place_id)
            return [_scenario_out(s) for s in items if active is None or s.active == active]

        return await api.run(go)

    @router.post(
        "/scenarios",
        status_code=status.HTTP_201_CREATED,
        summary="Add a scenario: a place and a resource",
        responses={**NOT_FOUND, **CONFLICT},
    )
    async def add_scenario(body: ScenarioIn, who: Principal = api.editor) -> ScenarioOut:
        async def go(session: AsyncSession) -> ScenarioOut:
            item = await catalog.add_scenario(
                session,
                place_id=body.place_id,
                resource_id=body.resource_id,
                description=body.description,
                active=body.active,
                now=now(),
            )
            await api.note(session, who, "scenario.add", f"scenario:{item.id}")
            return _scenario_out(item)

        return await api.run(go)

    @router.get("/scenarios/{scenario_id}", summary="One scenario", responses=NOT_FOUND)
    async def get_scenario(scenario_id: Id, who: Principal = api.reader) -> ScenarioOut:
        async def go(session: AsyncSession) -> ScenarioOut:
            return _scenario_out(await catalog.get_scenario(session, scenario_id))

        return await api.run(go)

    @router.patch(
        "/scenarios/{scenario_id}",
        summary="Describe, deactivate or reactivate a scenario",
        responses=NOT_FOUND,
    )
    async def patch_scenario(
        scenario_id: Id, body: ScenarioPatch, who: Principal = api.editor
    ) -> ScenarioOut:
        async def go(session: AsyncSession) -> ScenarioOut:
            item = await catalog.update_scenario(
                session, scenario_id, description=body.description, active=body.active
            )
            await api.note(session, who, "scenario.update", f"scenario:{scenario_id}")
            return _scenario_out(item)

        return await api.run(go)

    @router.delete(
        "/scenarios/{scenario_id}",
        status_code=status.HTTP_204_NO_CONTENT,
        summary="Delete a scenario that has no requests",
        responses={**NOT_FOUND, **CONFLICT},
    )
    async def delete_scenario(scenario_id: Id, who: Principal = api.editor) -> Response:
        async def go(session: AsyncSession) -> None:
            await catalog.delete_scenario(session, scenario_id)
            await api.note(session, who, "scenario.delete", f"scenario:{scenario_id}")

        await api.run(go)
        return Response(status_code=status.HTTP_204_NO_CONTENT)
