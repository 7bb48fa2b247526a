"""'Take next' under real concurrency: each request goes to exactly one provider.

Every provider runs in its own transaction on its own connection and they all start at the
same instant (a barrier), on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import func, select

from relaybot.apps.helpdesk import demands, people
from relaybot.apps.helpdesk.models import Demand, HelpdeskUser, Participant, UserScenario
from relaybot.apps.helpdesk.queue import take_next
from relaybot.apps.helpdesk.roles import Refused
from relaybot.config import Settings
from relaybot.store.db import SessionMaker, create_engine, session_maker
from relaybot.system import open_store

from .conftest import add_catalogue


async def _users(sessions: SessionMaker, prefix: str, count: int) -> list[int]:
    now = datetime.now(UTC)
    async with sessions() as session, session.begin():
        users = [
            HelpdeskUser(
                bot="helpdesk",
                chat_id=f"{prefix}{n}",
                channel="webchat",
                user_id=f"{prefix}{n}",
                is_moderator=False,
                is_admin=False,
                created_at=now,
                last_seen=now,
            )
            for n in range(count)
        ]
        session.add_all(users)
        await session.flush()
        return [u.id for u in users]


async def _desk_with(
    settings: Settings, *, requests: int, providers: int
) -> tuple[list[int], list[int]]:
    async with open_store(settings) as sessions:
        cat = await add_catalogue(sessions)
        requesters = await _users(sessions, "requester", requests)
        helpers = await _users(sessions, "provider", providers)
        async with sessions() as session, session.begin():
            now = datetime.now(UTC)
            for uid in helpers:
                session.add(UserScenario(user_id=uid, scenario_id=cat.bishkek_food, created_at=now))
            created = []
            for uid in requesters:
                actor = await people.load_actor(session, uid)
                demand, _ = await demands.create(
                    session,
                    actor,
                    scenario_id=cat.bishkek_food,
                    text=f"help for {uid}",
                    now=now,
                    max_open=5,
                )
                created.append(demand.id)
    return created, helpers


async def _stampede(
    settings: Settings, presses: list[int], *, max_active: int
) -> list[tuple[int, int | None]]:
    """Every press in its own transaction, all released at once; who got which request."""
    engine = create_engine(settings.database_url, pool_size=len(presses))
    sessions = session_maker(engine)
    barrier = asyncio.Barrier(len(presses))

    async def press(provider_id: int) -> tuple[int, int | None]:
        await barrier.wait()
        try:
            async with sessions() as session, session.begin():
                actor = await people.load_actor(session, provider_id)
                demand = await take_next(
                    session, actor, now=datetime.now(UTC), max_active=max_active
                )
                return provider_id, None if demand is None else demand.id
        except Refused:
            return provider_id, None

    try:
        return list(await asyncio.gather(*(press(p) for p in presses)))
    finally:
        await engine.dispose()


async def _held(settings: Settings) -> tuple[dict[int, int | None], Counter[int], Counter[int]]:
    """Who holds each request in progress; provider rows per request; requests per provider."""
    async with open_store(settings) as sessions, sessions() as session:
        owners = dict(
            (row.id, row.provider_id)
            for row in await session.execute(
                select(Demand.id, Demand.provider_id).where(Demand.status == "in_progress")
            )
        )
        per_demand = Counter(
            await session.scalars(
                select(Participant.demand_id).where(Participant.role == "provider")
            )
        )
        per_provider = Counter(
            await session.scalars(select(Demand.provider_id).where(Demand.status == "in_progress"))
        )
    return owners, per_demand, per_provider


async def test_twenty_providers_take_next_at_once_on_ten_requests_each_gets_one_provider(
    make_settings: Callable[..., Settings], database_url: str
) -> None:
    settings = make_settings(database_url)
    created, helpers = await _desk_with(settings, requests=10, providers=20)

    results = await _stampede(settings, helpers, max_active=3)

    taken = [demand for _, demand in results if demand is not None]
    assert sorted(taken) == sorted(created)  # every request taken, none twice
    winners = [provider for provider, demand in results if demand is not None]
    assert len(winners) == len(set(winners)) == 10  # no provider got two
    owners, per_demand, per_provider = await _held(settings)
    assert set(owners) == set(created)
    assert {owners[d] for d in created} == set(winners)
    assert set(per_demand.values()) == {1}
    assert set(per_provider.values()) == {1}


async def test_providers_pressing_take_next_twice_at_once_still_get_one_request_each(
    make_settings: Callable[..., Settings], database_url: str
) -> None:
    """A double tap (or two devices) must not hand one provider two requests."""
    settings = make_settings(database_url)
    created, helpers = await _desk_with(settings, requests=30, providers=10)

    results = await _stampede(settings, helpers + helpers, max_active=1)

    winners = [provider for provider, demand in results if demand is not None]
    assert sorted(winners) == sorted(helpers)  # each exactly once
    taken = [demand for _, demand in results if demand is not None]
    assert len(set(taken)) == len(taken) == 10
    owners, per_demand, per_provider = await _held(settings)
    assert len(owners) == 10 and set(per_provider.values()) == {1}
    assert set(per_demand.values()) == {1}
    # The oldest ten went first.
    assert sorted(taken) == sorted(created)[:10]
    async with open_store(settings) as sessions, sessions() as session:
        waiting = await session.scalar(
            select(func.count()).select_from(Demand).where(Demand.status == "new")
        )
    assert waiting == 20
