"""A web front follows a person's requests with no polling: the event stream, read by a real
HTTP client, brings each thing that concerns them, and resumes after the last event seen."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from typing import Any

import httpx
import pytest

from relaybot.config import Settings
from relaybot.testing import RelaybotServer

from .rest_people import ADMIN, JWT_SECRET, Desk, Someone


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


class Stream:
    """Server-sent events as a browser's EventSource reads them."""

    def __init__(self, response: httpx.Response) -> None:
        self.lines = response.aiter_lines()

    async def next(self) -> dict[str, Any]:
        event: dict[str, Any] = {}
        async with asyncio.timeout(10):
            async for line in self.lines:
                if line.startswith(":"):
                    continue
                if not line:
                    if event:
                        return event
                    continue
                field, _, value = line.partition(": ")
                event[field] = json.loads(value) if field == "data" else value
        raise AssertionError("the stream ended")


async def test_the_event_stream_brings_what_concerns_the_requester(desk: Desk) -> None:
    food = (await desk.catalogue())["Food"]
    alice = await desk.join("Alice")
    bob = await desk.join("Bob", helps=(food,))
    mia = await desk.join("Mia", moderator=True)
    number = (
        await alice.call("POST", "/requests", json={"scenario_id": food, "text": "Need rice"})
    ).json()["id"]

    async with alice.api.stream("GET", "/api/helpdesk/events") as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        events = Stream(response)
        await bob.call("POST", "/requests/next")
        taken = await events.next()
        assert taken["event"] == "taken" and taken["data"]["demand_id"] == number
        await bob.call("POST", f"/requests/{number}/messages", json={"text": "Coming"})
        message = await events.next()
        assert message["event"] == "message"
        assert message["data"]["text"].endswith("Helper: Coming")
        await bob.call("POST", f"/requests/{number}/decline")
        assert (await events.next())["event"] == "declined"
        last_seen = message["id"]

    await mia.call("POST", f"/requests/{number}/close")
    async with alice.api.stream(
        "GET", "/api/helpdesk/events", headers={"Last-Event-ID": last_seen}
    ) as response:
        events = Stream(response)
        kinds = [(await events.next())["event"], (await events.next())["event"]]
    assert kinds == ["declined", "closed"], "the stream resumes after the last event seen"


async def test_nobody_reads_another_persons_stream(desk: Desk) -> None:
    food = (await desk.catalogue())["Food"]
    alice: Someone = await desk.join("Alice")
    sam = await desk.join("Sam")
    bob = await desk.join("Bob", helps=(food,))
    await alice.call("POST", "/requests", json={"scenario_id": food, "text": "Need rice"})
    await bob.call("POST", "/requests/next")
    async with sam.api.stream("GET", "/api/helpdesk/events", params={"after": 0}) as response:
        events = Stream(response)
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(1.5):
                await events.next()
