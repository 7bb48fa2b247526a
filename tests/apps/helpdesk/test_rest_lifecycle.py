"""A request's whole life over REST, while its other participants use the web chat: each
call is told to the people it concerns, in their chats, as the chat itself would tell them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack

import pytest

from relaybot.config import Settings
from relaybot.testing import RelaybotServer

from .rest_people import ADMIN, JWT_SECRET, Desk


@pytest.fixture
async def desk(make_settings: Callable[..., Settings], sqlite_url: str) -> AsyncIterator[Desk]:
    settings = make_settings(
        sqlite_url, admin_token=ADMIN, jwt_secret=JWT_SECRET, default_locale="en"
    )
    async with AsyncExitStack() as stack:
        server = await stack.enter_async_context(RelaybotServer(settings))
        running = Desk(server, stack)
        stack.push_async_callback(running.admin.aclose)
        yield running


async def test_a_request_lives_its_whole_life_over_rest_and_the_chats_hear_of_it(
    desk: Desk,
) -> None:
    scenarios = await desk.catalogue()
    food = scenarios["Food"]
    alice = await desk.join("Alice")
    bob = await desk.join("Bob", helps=(food,))
    carol = await desk.join("Carol", helps=(food,))
    mia = await desk.join("Mia", moderator=True)

    created = await alice.call("POST", "/requests", json={"scenario_id": food, "text": "Need rice"})
    assert created.status_code == 201, created.text
    number = created.json()["id"]
    assert created.json()["status"] == "new"
    assert f"New request #{number} in Bishkek / Food: Need rice" in await bob.heard()
    assert f"New request #{number}" in await carol.heard()
    assert await mia.heard(0) == "", "a helper is linked, so the moderators are not alarmed"

    taken = await bob.call("POST", "/requests/next")
    assert taken.status_code == 200 and taken.json()["provider_id"] == bob.id
    assert "a helper has taken your request" in await alice.heard()

    said = await alice.call("POST", f"/requests/{number}/messages", json={"text": "Two bags"})
    assert said.status_code == 201
    assert f"#{number} · Requester: Two bags" in await bob.heard()
    answered = await bob.chat.post("On my way")  # Bob answers from his chat
    assert answered.status_code == 202
    assert "On my way" in await alice.heard()
    history = (await alice.call("GET", f"/requests/{number}/messages")).json()
    assert [(m["author_role"], m["text"]) for m in history] == [
        ("requester", "Need rice"),
        ("requester", "Two bags"),
        ("provider", "On my way"),
    ]

    joined = await mia.call("POST", f"/requests/{number}/join")
    assert joined.status_code == 200
    assert "A moderator has joined" in await alice.heard()
    assert "A moderator has joined" in await bob.heard()

    declined = await bob.call("POST", f"/requests/{number}/decline")
    assert declined.json()["status"] == "new" and declined.json()["returned"] is True
    assert "The helper had to step back" in await alice.heard()
    assert "waiting for a helper again" in await carol.heard()

    again = await carol.call("POST", "/requests/next")
    assert again.json()["id"] == number and again.json()["provider_id"] == carol.id
    assert (await bob.call("POST", "/requests/next")).status_code == 204, "Bob stepped back"

    closed = await alice.call("POST", f"/requests/{number}/close")
    assert closed.json()["status"] == "closed"
    assert "was closed by the requester" in await carol.heard()
    assert "was closed by the requester" in await mia.heard()

    detail = (await desk.admin.get(f"/api/helpdesk/demands/{number}")).json()
    assert detail["status"] == "closed" and detail["closed_by_id"] == alice.id
    assert [(p["user_id"], p["role"], p["left_reason"]) for p in detail["participants"]] == [
        (alice.id, "requester", None),
        (bob.id, "provider", "declined"),
        (mia.id, "moderator", None),
        (carol.id, "provider", None),
    ]


async def test_with_no_helper_linked_the_moderators_hear_of_a_request_at_once(
    desk: Desk,
) -> None:
    scenarios = await desk.catalogue()
    alice = await desk.join("Alice")
    mia = await desk.join("Mia", moderator=True)
    created = await alice.call(
        "POST", "/requests", json={"scenario_id": scenarios["Medicine"], "text": "Insulin"}
    )
    assert created.status_code == 201
    assert "has no helper linked to its category: Insulin" in await mia.heard()
