"""Twenty helpers press "take next" over REST at the same moment on ten waiting requests:
each request goes to exactly one of them, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
from sqlalchemy import func, select

from relaybot.apps.helpdesk import catalog
from relaybot.apps.helpdesk.api.events_routes import issue_token
from relaybot.apps.helpdesk.models import (
    Demand,
    HelpdeskUser,
    Participant,
    Place,
    Resource,
    UserScenario,
)
from relaybot.config import Settings
from relaybot.store.db import SessionMaker
from relaybot.testing import RelaybotServer

from .rest_people import JWT_SECRET

HELPERS, REQUESTS = 20, 10


async def seed(sessions: SessionMaker) -> list[int]:
    """Ten requests waiting in Bishkek / Food and twenty helpers linked to it."""
    now = datetime.now(UTC)
    async with sessions() as session, session.begin():
        place = await catalog.add_named(session, Place, "Bishkek", "", now)
        food = await catalog.add_named(session, Resource, "Food", "", now)
        scenario = await catalog.add_scenario(
            session, place_id=place.id, resource_id=food.id, description="", now=now
        )
        people = [
            HelpdeskUser(
                bot="helpdesk",
                chat_id=f"person-{n}",
                channel="webchat",
                user_id=f"person-{n}",
                is_moderator=False,
                is_admin=False,
                created_at=now,
                last_seen=now,
            )
            for n in range(HELPERS + REQUESTS)
        ]
        session.add_all(people)
        await session.flush()
        helpers, requesters = people[:HELPERS], people[HELPERS:]
        for helper in helpers:
            session.add(UserScenario(user_id=helper.id, scenario_id=scenario.id, created_at=now))
        for requester in requesters:
            demand = Demand(
                scenario_id=scenario.id,
                requester_id=requester.id,
                description="help",
                status="new",
                priority=0,
                created_at=now,
                updated_at=now,
            )
            session.add(demand)
            await session.flush()
            session.add(
                Participant(
                    demand_id=demand.id, user_id=requester.id, role="requester", joined_at=now
                )
            )
        return [h.id for h in helpers]


async def test_twenty_simultaneous_take_next_calls_give_each_request_one_helper(
    make_settings: Callable[..., Settings], database_url: str
) -> None:
    settings = make_settings(database_url, jwt_secret=JWT_SECRET)
    async with RelaybotServer(settings) as server:
        assert server.system is not None
        helpers = await seed(server.system.sessions)
        tokens = [issue_token(settings, server.system.sessions, h)[0] for h in helpers]
        async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
            start = asyncio.Event()

            async def take(token: str) -> httpx.Response:
                await start.wait()
                return await http.post(
                    "/api/helpdesk/requests/next", headers={"Authorization": f"Bearer {token}"}
                )

            calls = [asyncio.create_task(take(token)) for token in tokens]
            await asyncio.sleep(0.1)
            start.set()
            answers = await asyncio.gather(*calls)
        assert Counter(a.status_code for a in answers) == {200: REQUESTS, 204: HELPERS - REQUESTS}
        won = [a.json() for a in answers if a.status_code == 200]
        assert len({w["id"] for w in won}) == REQUESTS
        async with server.system.sessions() as session:
            providers = await session.execute(
                select(Demand.id, Demand.provider_id, Demand.status).order_by(Demand.id)
            )
            rows = list(providers)
            provider_rows = await session.scalar(
                select(func.count()).select_from(Participant).where(Participant.role == "provider")
            )
        assert all(status == "in_progress" for _, _, status in rows)
        assert len({provider for _, provider, _ in rows}) == REQUESTS
        assert {(w["id"], w["provider_id"]) for w in won} == {(i, p) for i, p, _ in rows}
        assert provider_rows == REQUESTS
