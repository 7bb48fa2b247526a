"""Help desk fixtures: a small catalogue, people in roles, and the in-process chat driver."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from relaybot.apps.helpdesk import catalog, people, switches
from relaybot.apps.helpdesk.models import Place, Resource
from relaybot.apps.helpdesk.roles import Role
from relaybot.config import Settings
from relaybot.store.db import SessionMaker
from relaybot.system import open_store
from relaybot.testing import ChatDriver, Person


@dataclass(frozen=True)
class Catalogue:
    """Bishkek has Food and Medicine, Osh has Food."""

    bishkek_food: int
    bishkek_medicine: int
    osh_food: int


async def add_catalogue(sessions: SessionMaker) -> Catalogue:
    now = datetime.now(UTC)
    async with sessions() as session, session.begin():
        bishkek = await catalog.add_named(session, Place, "Bishkek", "", now)
        osh = await catalog.add_named(session, Place, "Osh", "", now)
        food = await catalog.add_named(session, Resource, "Food", "", now)
        medicine = await catalog.add_named(session, Resource, "Medicine", "", now)
        ids = []
        for place, resource in ((bishkek, food), (bishkek, medicine), (osh, food)):
            scenario = await catalog.add_scenario(
                session,
                place_id=place.id,
                resource_id=resource.id,
                description=f"{resource.name} in {place.name}.",
                now=now,
            )
            ids.append(scenario.id)
    return Catalogue(*ids)


async def user_id(sessions: SessionMaker, person: Person) -> int:
    async with sessions() as session:
        user = await people.find_by_address(session, person.bot, person.chat_id)
    if user is None:
        raise LookupError(f"{person.name} has not written to the help desk yet")
    return user.id


async def make_provider(sessions: SessionMaker, person: Person, *scenario_ids: int) -> int:
    """What an admin does with `relaybot helpdesk link USER SCENARIO`."""
    uid = await user_id(sessions, person)
    async with sessions() as session, session.begin():
        for scenario_id in scenario_ids:
            await people.link(session, uid, scenario_id, datetime.now(UTC))
    return uid


async def make_moderator(sessions: SessionMaker, person: Person) -> int:
    uid = await user_id(sessions, person)
    async with sessions() as session, session.begin():
        await people.set_role(session, uid, Role.MODERATOR, True)
    return uid


async def self_service(sessions: SessionMaker, on: bool) -> None:
    async with sessions() as session, session.begin():
        await switches.turn(session, switches.SELF_SERVICE_ROLES, on, datetime.now(UTC))


@pytest.fixture
def settings(make_settings: Callable[..., Settings], sqlite_url: str) -> Settings:
    return make_settings(sqlite_url)


@pytest.fixture
async def any_driver(
    make_settings: Callable[..., Settings], database_url: str
) -> AsyncIterator[tuple[ChatDriver, Catalogue]]:
    """A driver on SQLite and, in a second run, on PostgreSQL."""
    settings = make_settings(database_url)
    async with open_store(settings) as sessions:
        catalogue = await add_catalogue(sessions)
    async with ChatDriver.running(settings) as chat:
        yield chat, catalogue


@pytest.fixture
async def cat(settings: Settings) -> Catalogue:
    async with open_store(settings) as sessions:
        return await add_catalogue(sessions)


@pytest.fixture
async def driver(settings: Settings, cat: Catalogue) -> AsyncIterator[ChatDriver]:
    async with ChatDriver.running(settings) as chat:
        yield chat


def texts(messages: list[object]) -> str:
    return "\n".join(getattr(m, "text", "") for m in messages)
