"""Every people's call of the help desk REST API by every kind of caller, on a request that
Alice asked for and Bob is helping with: the chat's rules, and nothing changes on a refusal."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack

import pytest

from relaybot.config import Settings
from relaybot.testing import RelaybotServer

from .rest_people import ADMIN, JWT_SECRET, Desk, Someone

ROLES = ("alice", "sam", "hank", "bob", "mia", "admin", "nobody")
# call: (method, path, body) and the status each caller gets, in ROLES order.
MATRIX: dict[str, tuple[str, str, dict[str, object] | None, tuple[int, ...]]] = {
    "decline": ("POST", "/requests/{n}/decline", None, (409, 409, 409, 200, 409, 401, 401)),
    "close": ("POST", "/requests/{n}/close", None, (200, 404, 404, 409, 200, 401, 401)),
    "cancel": ("POST", "/requests/{n}/cancel", None, (200, 404, 404, 409, 404, 401, 401)),
    "join": ("POST", "/requests/{n}/join", None, (403, 403, 403, 403, 200, 401, 401)),
    "leave": ("POST", "/requests/{n}/leave", None, (409, 404, 404, 409, 404, 401, 401)),
    "read": ("GET", "/requests/{n}/messages", None, (200, 404, 404, 200, 200, 401, 401)),
    "write": (
        "POST",
        "/requests/{n}/messages",
        {"text": "hi"},
        (201, 404, 404, 201, 404, 401, 401),
    ),
    "next": ("POST", "/requests/next", None, (403, 403, 204, 204, 403, 401, 401)),
    "create": ("POST", "/requests", {"scenario_id": 1, "text": "x"}, (201,) * 5 + (401, 401)),
    "me": ("GET", "/me", None, (200,) * 5 + (401, 401)),
    "mine": ("GET", "/requests", None, (200,) * 5 + (401, 401)),
}
ROOMY = {"provider_max_active": 1000, "requester_max_open": 1000}


@pytest.fixture
async def desk(make_settings: Callable[..., Settings], sqlite_url: str) -> AsyncIterator[Desk]:
    settings = make_settings(
        sqlite_url,
        admin_token=ADMIN,
        jwt_secret=JWT_SECRET,
        default_locale="en",
        bots=[{"name": "helpdesk", "app": "helpdesk", "channel": "webchat", "options": ROOMY}],
    )
    async with AsyncExitStack() as stack:
        server = await stack.enter_async_context(RelaybotServer(settings))
        running = Desk(server, stack)
        stack.push_async_callback(running.admin.aclose)
        yield running


async def as_caller(
    desk: Desk,
    people: dict[str, Someone],
    role: str,
    method: str,
    path: str,
    body: dict[str, object] | None,
) -> int:
    headers = {}
    if role == "admin":
        headers = {"Authorization": f"Bearer {ADMIN}"}
    elif role == "nobody":
        headers = {"Authorization": ""}
    client = people[role].api if role in people else desk.admin
    response = await client.request(method, f"/api/helpdesk{path}", json=body, headers=headers)
    return response.status_code


async def close_everything(desk: Desk, moderator: Someone) -> None:
    """Each pair starts with an empty queue: the moderator closes whatever is open."""
    for status in ("new", "in_progress"):
        page = await desk.admin.get("/api/helpdesk/demands", params={"status": status})
        for item in page.json()["items"]:
            closed = await moderator.call("POST", f"/requests/{item['id']}/close")
            assert closed.status_code == 200, closed.text


async def test_every_call_by_every_caller_follows_the_chat_rules(desk: Desk) -> None:
    food = (await desk.catalogue())["Food"]
    people = {
        "alice": await desk.join("Alice"),
        "sam": await desk.join("Sam"),
        "hank": await desk.join("Hank", helps=(food,)),
        "bob": await desk.join("Bob", helps=(food,)),
        "mia": await desk.join("Mia", moderator=True),
    }
    found: dict[str, tuple[int, ...]] = {}
    for call, (method, path, body, _expected) in MATRIX.items():
        codes = []
        for role in ROLES:
            made = await people["alice"].call(
                "POST", "/requests", json={"scenario_id": food, "text": "help"}
            )
            number = made.json()["id"]
            taken = await people["bob"].call("POST", "/requests/next")
            assert taken.json()["id"] == number
            before = (await desk.admin.get(f"/api/helpdesk/demands/{number}")).json()
            if body and "scenario_id" in body:
                body = {**body, "scenario_id": food}
            code = await as_caller(desk, people, role, method, path.format(n=number), body)
            codes.append(code)
            if code >= 400:
                after = (await desk.admin.get(f"/api/helpdesk/demands/{number}")).json()
                assert after == before, (call, role)
            await close_everything(desk, people["mia"])
        found[call] = tuple(codes)
    assert found == {call: expected for call, (*_, expected) in MATRIX.items()}


async def test_a_person_token_opens_no_admin_route_and_an_admin_token_no_person_route(
    desk: Desk,
) -> None:
    alice = await desk.join("Alice")
    assert (await alice.api.get("/api/helpdesk/demands")).status_code == 401
    assert (await alice.api.get("/api/admin/whoami")).status_code == 401
    assert (await desk.admin.get("/api/helpdesk/me")).status_code == 401
    assert (await desk.admin.get("/api/helpdesk/events")).status_code == 401
    forged = alice.api.headers["Authorization"][:-4] + "AAAA"
    answer = await alice.api.get("/api/helpdesk/me", headers={"Authorization": forged})
    assert answer.status_code == 401
