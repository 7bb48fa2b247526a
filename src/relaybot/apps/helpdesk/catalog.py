"""The catalogue an admin keeps: places, resources, and the scenarios that pair them.

Shared by `relaybot helpdesk ...`, the REST API and the admin chat commands, so the rules
(names unique regardless of case, nothing in use deleted) hold whichever door is used.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from .errors import Conflict, NotFound
from .models import DESCRIPTION_MAX, NAME_MAX, Demand, Place, Resource, Scenario

Named = TypeVar("Named", bound=Place | Resource)
_SPACES = re.compile(r"\s+")


def clean_name(value: str) -> str:
    name = _SPACES.sub(" ", value).strip()
    if not name:
        raise Conflict("a name cannot be empty")
    if len(name) > NAME_MAX:
        raise Conflict(f"a name is at most {NAME_MAX} characters")
    return name


def clean_description(value: str) -> str:
    text = value.strip()
    if len(text) > DESCRIPTION_MAX:
        raise Conflict(f"a description is at most {DESCRIPTION_MAX} characters")
    return text


def _kind(model: type[Any]) -> str:
    return "place" if model is Place else "resource"


async def list_named(session: AsyncSession, model: type[Named]) -> list[Named]:
    return list(await session.scalars(select(model).order_by(model.name)))


async def get_named(session: AsyncSession, model: type[Named], item_id: int) -> Named:
    item = await session.get(model, item_id)
    if item is None:
        raise NotFound(f"{_kind(model)} {item_id} does not exist")
    return item


async def find_named(session: AsyncSession, model: type[Named], name: str) -> Named | None:
    cleaned = clean_name(name)
    # SQLite's lower() knows only ASCII letters: the exact name is looked for too, so a
    # Cyrillic name is found again ("Бишкек, центр" a second time).
    found: Named | None = await session.scalar(
        select(model)
        .where(or_(model.name == cleaned, func.lower(model.name) == cleaned.lower()))
        .order_by(model.name != cleaned)
        .limit(1)
    )
    return found


async def _unique(
    session: AsyncSession, model: type[Named], name: str, *, except_id: int | None = None
) -> None:
    existing = await find_named(session, model, name)
    if existing is not None and existing.id != except_id:
        raise Conflict(
            f"a {_kind(model)} named {existing.name!r} exists already (id {existing.id})"
        )


async def _flush(session: AsyncSession, what: str) -> None:
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        raise Conflict(f"{what} conflicts with existing data") from exc


async def add_named(
    session: AsyncSession, model: type[Named], name: str, description: str, now: datetime
) -> Named:
    name = clean_name(name)
    await _unique(session, model, name)
    item = model(name=name, description=clean_description(description), created_at=now)
    session.add(item)
    await _flush(session, f"{_kind(model)} {name!r}")
    return item


async def update_named(
    session: AsyncSession,
    model: type[Named],
    item_id: int,
    *,
    name: str | None = None,
    description: str | None = None,
) -> Named:
    item = await get_named(session, model, item_id)
    if name is not None:
        name = clean_name(name)
        await _unique(session, model, name, except_id=item_id)
        item.name = name
    if description is not None:
        item.description = clean_description(description)
    await _flush(session, f"{_kind(model)} {item_id}")
    return item


async def delete_named(session: AsyncSession, model: type[Named], item_id: int) -> None:
    item = await get_named(session, model, item_id)
    column = Scenario.place_id if model is Place else Scenario.resource_id
    used = await session.scalar(select(func.count()).select_from(Scenario).where(column == item_id))
    if used:
        raise Conflict(
            f"{_kind(model)} {item_id} is used by {used} scenario(s): remove those first"
        )
    await session.delete(item)
    await session.flush()


async def list_scenarios(
    session: AsyncSession, *, active_only: bool = False, place_id: int | None = None
) -> list[Scenario]:
    query = (
        select(Scenario)
        .join(Place, Place.id == Scenario.place_id)
        .join(Resource, Resource.id == Scenario.resource_id)
        .order_by(Place.name, Resource.name)
    )
    if active_only:
        query = query.where(Scenario.active.is_(True))
    if place_id is not None:
        query = query.where(Scenario.place_id == place_id)
    return list((await session.scalars(query)).unique())


async def get_scenario(session: AsyncSession, scenario_id: int) -> Scenario:
    scenario = await session.get(Scenario, scenario_id, populate_existing=True)
    if scenario is None:
        raise NotFound(f"scenario {scenario_id} does not exist")
    return scenario


async def add_scenario(
    session: AsyncSession,
    *,
    place_id: int,
    resource_id: int,
    description: str,
    now: datetime,
    active: bool = True,
) -> Scenario:
    await get_named(session, Place, place_id)
    await get_named(session, Resource, resource_id)
    existing = await session.scalar(
        select(Scenario).where(Scenario.place_id == place_id, Scenario.resource_id == resource_id)
    )
    if existing is not None:
        raise Conflict(
            f"place {place_id} and resource {resource_id} form scenario {existing.id} already"
        )
    scenario = Scenario(
        place_id=place_id,
        resource_id=resource_id,
        description=clean_description(description),
        active=active,
        created_at=now,
    )
    session.add(scenario)
    await _flush(session, "the scenario")
    return await get_scenario(session, scenario.id)


async def update_scenario(
    session: AsyncSession,
    scenario_id: int,
    *,
    description: str | None = None,
    active: bool | None = None,
) -> Scenario:
    scenario = await get_scenario(session, scenario_id)
    if description is not None:
        scenario.description = clean_description(description)
    if active is not None:
        scenario.active = active
    await session.flush()
    return scenario


async def delete_scenario(session: AsyncSession, scenario_id: int) -> None:
    scenario = await get_scenario(session, scenario_id)
    used = await session.scalar(
        select(func.count()).select_from(Demand).where(Demand.scenario_id == scenario_id)
    )
    if used:
        raise Conflict(
            f"scenario {scenario_id} has {used} request(s): deactivate it instead of deleting"
        )
    await session.delete(scenario)
    await session.flush()
