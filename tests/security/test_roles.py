"""The REST role matrix: every operation under /api/ x every kind of caller.

Allowed calls work (2xx); the rest get 401 (unknown caller) or 403 (known, too weak), a
sentence saying why, and change nothing in the store. Every operation in the OpenAPI document
must have a row here, so a new route cannot slip in unchecked.
"""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import inspect, select

from relaybot.apps.helpdesk import catalog, demands, people
from relaybot.apps.helpdesk.api.events_routes import issue_token
from relaybot.apps.helpdesk.models import Place, Resource
from relaybot.apps.orders.models import Order
from relaybot.core.types import Update
from relaybot.security.auth import access_tokens
from relaybot.store import api_tokens
from relaybot.store.base import Base
from relaybot.testing import RelaybotServer

BOOTSTRAP = "role-matrix-bootstrap-token-0123456789"
RANK = {"readonly": 1, "operator": 2, "admin": 3, "bootstrap": 3}
CALLERS = (
    "anonymous",
    "junk token",
    "user JWT",
    "person JWT",
    "readonly",
    "operator",
    "admin",
    "bootstrap",
)
# Routes for people themselves: only a help desk person's access token opens them; what the
# person may do there is the app's rule, tested call by call in tests/apps/helpdesk.
PERSON = "person"
# Tables that change with time rather than with what a caller does.
RESTLESS = {"leases", "webchat_sessions"}

# The weakest API token role each operation admits.
NEEDS = {
    "GET /api/admin/whoami": "readonly",
    "GET /api/admin/audit": "readonly",
    "GET /api/admin/tokens": "admin",
    "POST /api/admin/tokens": "admin",
    "DELETE /api/admin/tokens/{token_id}": "admin",
    "GET /api/helpdesk/places": "readonly",
    "POST /api/helpdesk/places": "operator",
    "GET /api/helpdesk/places/{item_id}": "readonly",
    "PATCH /api/helpdesk/places/{item_id}": "operator",
    "DELETE /api/helpdesk/places/{item_id}": "operator",
    "GET /api/helpdesk/resources": "readonly",
    "POST /api/helpdesk/resources": "operator",
    "GET /api/helpdesk/resources/{item_id}": "readonly",
    "PATCH /api/helpdesk/resources/{item_id}": "operator",
    "DELETE /api/helpdesk/resources/{item_id}": "operator",
    "GET /api/helpdesk/scenarios": "readonly",
    "POST /api/helpdesk/scenarios": "operator",
    "GET /api/helpdesk/scenarios/{scenario_id}": "readonly",
    "PATCH /api/helpdesk/scenarios/{scenario_id}": "operator",
    "DELETE /api/helpdesk/scenarios/{scenario_id}": "operator",
    "GET /api/helpdesk/users": "readonly",
    "GET /api/helpdesk/users/{user_id}": "readonly",
    "PATCH /api/helpdesk/users/{user_id}/roles": "admin",
    "GET /api/helpdesk/links": "readonly",
    "POST /api/helpdesk/links": "operator",
    "DELETE /api/helpdesk/links/{user_id}/{scenario_id}": "operator",
    "GET /api/helpdesk/demands": "readonly",
    "GET /api/helpdesk/demands/{demand_id}": "readonly",
    "POST /api/helpdesk/users/{user_id}/token": "admin",
    "GET /api/orders": "readonly",
    "GET /api/orders/{order_id}": "readonly",
    "PATCH /api/orders/{order_id}": "operator",
    "GET /api/helpdesk/me": PERSON,
    "GET /api/helpdesk/events": PERSON,
    "GET /api/helpdesk/requests": PERSON,
    "POST /api/helpdesk/requests": PERSON,
    "POST /api/helpdesk/requests/next": PERSON,
    "POST /api/helpdesk/requests/{demand_id}/decline": PERSON,
    "POST /api/helpdesk/requests/{demand_id}/close": PERSON,
    "POST /api/helpdesk/requests/{demand_id}/cancel": PERSON,
    "POST /api/helpdesk/requests/{demand_id}/join": PERSON,
    "POST /api/helpdesk/requests/{demand_id}/leave": PERSON,
    "GET /api/helpdesk/requests/{demand_id}/messages": PERSON,
    "POST /api/helpdesk/requests/{demand_id}/messages": PERSON,
    "GET /api/bots": "readonly",
    "POST /api/bots": "admin",
    "GET /api/bots/{name}": "readonly",
    "PATCH /api/bots/{name}": "admin",
    "DELETE /api/bots/{name}": "admin",
    "POST /api/bots/{name}/enable": "admin",
    "POST /api/bots/{name}/disable": "admin",
    "POST /api/bots/{name}/check": "admin",
}

OWN_SIGN_IN = ("/api/booking/", "/api/reminders")
names = (f"name {n}" for n in itertools.count(1))
bot_names = (f"matrix-bot-{n}" for n in itertools.count(1))


@dataclass
class World:
    """What the requests refer to; `fresh_*` make new objects so each case stands alone."""

    http: httpx.AsyncClient
    server: RelaybotServer
    user_id: int = 0
    demand_id: int = 0
    scenario_id: int = 0

    async def admin(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await self.http.request(
            method, path, headers={"Authorization": f"Bearer {BOOTSTRAP}"}, **kwargs
        )
        assert response.status_code < 300, response.text
        return response.json() if response.content else None

    async def fresh_named(self, plural: str) -> int:
        item = await self.admin("POST", f"/api/helpdesk/{plural}", json={"name": next(names)})
        return int(item["id"])

    async def fresh_scenario(self) -> int:
        body = {
            "place_id": await self.fresh_named("places"),
            "resource_id": await self.fresh_named("resources"),
        }
        return int((await self.admin("POST", "/api/helpdesk/scenarios", json=body))["id"])


Request = tuple[str, dict[str, Any] | None]
Builder = Callable[[World], Awaitable[Request]]


async def request_for(operation: str, world: World) -> Request:
    """A valid request for `operation`: what an allowed caller would really send."""
    method, template = operation.split(" ", 1)
    if template in ("/api/helpdesk/places", "/api/helpdesk/resources") and method == "POST":
        return template, {"name": next(names)}
    if template.startswith(("/api/helpdesk/places/", "/api/helpdesk/resources/")):
        plural = template.split("/")[3]
        path = f"/api/helpdesk/{plural}/{await world.fresh_named(plural)}"
        return path, {"description": "changed"} if method == "PATCH" else None
    if template == "/api/helpdesk/scenarios" and method == "POST":
        place, resource = await world.fresh_named("places"), await world.fresh_named("resources")
        return template, {"place_id": place, "resource_id": resource}
    if template == "/api/helpdesk/scenarios/{scenario_id}":
        path = f"/api/helpdesk/scenarios/{await world.fresh_scenario()}"
        return path, {"active": False} if method == "PATCH" else None
    if template == "/api/helpdesk/users/{user_id}":
        return f"/api/helpdesk/users/{world.user_id}", None
    if template == "/api/helpdesk/users/{user_id}/roles":
        return f"/api/helpdesk/users/{world.user_id}/roles", {"moderator": True}
    if template == "/api/helpdesk/links" and method == "POST":
        return template, {"user_id": world.user_id, "scenario_id": await world.fresh_scenario()}
    if template == "/api/helpdesk/links/{user_id}/{scenario_id}":
        scenario = await world.fresh_scenario()
        link = {"user_id": world.user_id, "scenario_id": scenario}
        await world.admin("POST", "/api/helpdesk/links", json=link)
        return f"/api/helpdesk/links/{world.user_id}/{scenario}", None
    if template == "/api/helpdesk/demands/{demand_id}":
        return f"/api/helpdesk/demands/{world.demand_id}", None
    if template == "/api/helpdesk/users/{user_id}/token":
        return f"/api/helpdesk/users/{world.user_id}/token", None
    if template.startswith("/api/helpdesk/requests/{demand_id}"):
        path = template.replace("{demand_id}", str(world.demand_id))
        return path, {"text": "Still here."} if method == "POST" and "messages" in path else None
    if template == "/api/helpdesk/requests" and method == "POST":
        return template, {"scenario_id": world.scenario_id, "text": "More help."}
    if template == "/api/orders/{order_id}":
        path = f"/api/orders/{await fresh_order(world)}"
        return path, {"status": "confirmed"} if method == "PATCH" else None
    if template == "/api/admin/tokens" and method == "POST":
        return template, {"name": next(names), "role": "readonly"}
    if template == "/api/admin/tokens/{token_id}":
        made = await world.admin("POST", "/api/admin/tokens", json={"name": next(names)})
        return f"/api/admin/tokens/{made['id']}", None
    if template == "/api/bots" and method == "POST":
        return template, {"name": next(bot_names), "app": "orders"}
    if template.startswith("/api/bots/{name}"):
        name = next(bot_names)
        await world.admin("POST", "/api/bots", json={"name": name, "app": "orders"})
        path = template.replace("{name}", name)
        return path, {"title": "changed"} if method == "PATCH" else None
    if "{" in template:
        raise AssertionError(f"no request is written for {operation}")
    return template, None


async def fresh_order(world: World) -> int:
    assert world.server.system is not None
    now = datetime.now(UTC)
    async with world.server.system.sessions() as session, session.begin():
        order = Order(
            client_phone="+996555123456",
            delivery_address="Osh, Lenina 1",
            bottles_count=2,
            source="webchat",
            bot="retired-bot",  # no longer configured: the client's notice has nowhere to go
            client_id="w-matrix",
            chat_id="w-matrix",
            status="new",
            created_at=now,
            updated_at=now,
        )
        session.add(order)
        await session.flush()
        return order.id


async def snapshot(server: RelaybotServer) -> dict[str, list[Any]]:
    assert server.system is not None
    state: dict[str, list[Any]] = {}
    async with server.system.sessions() as session:
        # the models of apps this server does not run (imported by other tests) have no table
        present = await session.run_sync(lambda s: set(inspect(s.connection()).get_table_names()))
        for table in Base.metadata.sorted_tables:
            if table.name in RESTLESS or table.name not in present:
                continue
            rows = (await session.execute(select(table))).all()
            state[table.name] = sorted(tuple(map(repr, row)) for row in rows)
    return state


async def seed(server: RelaybotServer, world: World) -> dict[str, str]:
    """Tokens of every role, one help desk user and one request."""
    assert server.system is not None
    sessions = server.system.sessions
    tokens = {"bootstrap": BOOTSTRAP, "junk token": "rbt_" + "x" * 43}
    for role in ("readonly", "operator", "admin"):
        _info, tokens[role] = await api_tokens.create(
            sessions, name=f"matrix {role}", role=role, actor="test", channel="cli"
        )
    tokens["user JWT"] = access_tokens(server.settings).issue("1", role="admin")
    now = datetime.now(UTC)
    async with sessions() as session, session.begin():
        update = Update(
            channel="webchat",
            bot="helpdesk",
            chat_id="w-matrix",
            user_id="w-matrix",
            update_id="matrix-1",
            user_name="Matrix",
        )
        user, _new = await people.touch(session, update, now)
        place = await catalog.add_named(session, Place, "Matrix city", "", now)
        resource = await catalog.add_named(session, Resource, "Matrix help", "", now)
        scenario = await catalog.add_scenario(
            session, place_id=place.id, resource_id=resource.id, description="", now=now
        )
        actor = await people.actor_of(session, user)
        demand, _message = await demands.create(
            session, actor, scenario_id=scenario.id, text="Please help.", now=now, max_open=5
        )
        world.user_id, world.demand_id = user.id, demand.id
        world.scenario_id = scenario.id
    tokens["person JWT"] = issue_token(server.settings, sessions, world.user_id)[0]
    return tokens


async def test_every_rest_operation_by_every_caller(make_settings, sqlite_url):
    settings = make_settings(
        sqlite_url, admin_token=BOOTSTRAP, jwt_secret="m" * 40, auth_failures_per_minute=10_000
    )
    async with RelaybotServer(settings) as server, httpx.AsyncClient(base_url=server.url) as http:
        world = World(http=http, server=server)
        tokens = await seed(server, world)
        spec = (await http.get("/api/openapi.json")).json()
        operations = sorted(
            f"{method.upper()} {path}"
            for path, methods in spec["paths"].items()
            # Booking and reminders sign their own people in (their JWTs, their roles): their
            # matrices are tests/apps/booking/test_rest_roles.py and tests/apps/reminders.
            if path.startswith("/api/") and not path.startswith(OWN_SIGN_IN)
            for method in methods
        )
        assert sorted(NEEDS) == operations, "every REST operation needs a row in NEEDS"

        allowed = refused = 0
        for operation in operations:
            method = operation.split(" ", 1)[0]
            for caller in CALLERS:
                path, body = await request_for(operation, world)
                headers = (
                    {} if caller == "anonymous" else {"Authorization": f"Bearer {tokens[caller]}"}
                )
                before = await snapshot(server)
                async with http.stream(method, path, json=body, headers=headers) as response:
                    if not response.headers.get("content-type", "").startswith("text/event-stream"):
                        await response.aread()
                status = response.status_code
                text = "" if response.is_stream_consumed is False else response.text
                case = f"{caller}: {operation} -> {status} {text[:120]}"
                if NEEDS[operation] == PERSON and caller == "person JWT":
                    # Past the sign-in: the app's own answer, never the gate's.
                    assert status < 300 or status in (403, 404, 409), case
                    allowed += 1
                    continue
                if NEEDS[operation] != PERSON and RANK.get(caller, 0) >= RANK[NEEDS[operation]]:
                    assert 200 <= status < 300, case
                    allowed += 1
                    continue
                if NEEDS[operation] == PERSON:
                    expected = 403 if caller == "user JWT" else 401
                else:
                    expected = 403 if caller in RANK else 401
                assert status == expected, case
                assert isinstance(response.json()["detail"], str) and response.json()["detail"], (
                    case
                )
                assert await snapshot(server) == before, f"a refused call changed the store: {case}"
                refused += 1
        print(
            f"\nREST role matrix: {len(operations)} operations x {len(CALLERS)} callers: "
            f"{allowed} allowed and worked, {refused} refused and changed nothing"
        )
        assert allowed + refused == len(operations) * len(CALLERS)
