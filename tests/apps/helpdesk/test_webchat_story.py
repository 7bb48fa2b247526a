"""The whole help desk story in the web chat: three visitors, each with their own cookie.

The catalogue comes from `relaybot helpdesk demo-data`, and the helper and the moderator take
their roles with the demo's /try, exactly as a newcomer trying `relaybot run` would.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from click.testing import CliRunner
from sqlalchemy import select

from relaybot.apps.helpdesk.models import Demand, DemandMessage
from relaybot.cli import main
from relaybot.config import Settings
from relaybot.testing import RelaybotServer, WebchatClient

QUIET = 0.1


class Seat:
    """A web chat visitor and how far they have read."""

    def __init__(self, client: WebchatClient) -> None:
        self.client = client
        self.read = 0

    async def say(self, text: str = "", *, expect: int = 1, **kwargs: Any) -> str:
        await self.heard(0)
        replies = await self.client.say(text, expect=expect, **kwargs)
        self.read = len(self.client.received)
        return "\n".join(m["text"] for m in replies)

    async def press(self, label: str, *, expect: int = 1) -> str:
        await self.heard(0)
        replies = await self.client.press(label, expect=expect)
        self.read = len(self.client.received)
        return "\n".join(m["text"] for m in replies)

    async def tap_menu(self, label: str) -> str:
        await self.heard(0)
        replies = await self.client.tap_menu(label)
        self.read = len(self.client.received)
        return "\n".join(m["text"] for m in replies)

    def menu(self) -> list[str]:
        return [button["text"] for row in self.client.menu for button in row]

    async def heard(self, count: int) -> list[str]:
        """The next `count` messages (waiting for them), and anything else already arrived."""
        start = self.read
        if count:
            await self.client.replies(start, expect=count, quiet=QUIET)
        self.read = len(self.client.received)
        return [m["text"] for m in self.client.received[start:]]


def demo_data(settings: Settings) -> str:
    result = CliRunner().invoke(
        main,
        ["helpdesk", "demo-data", "--locale", "en"],
        env={"RELAYBOT_DATABASE_URL": settings.database_url},
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    return result.output


async def test_requester_helper_and_moderator_meet_in_the_web_chat(
    make_settings: Callable[..., Settings], sqlite_url: str
) -> None:
    settings = make_settings(sqlite_url)
    output = await asyncio.to_thread(demo_data, settings)
    assert "demo data ready" in output

    async with (
        RelaybotServer(settings) as server,
        WebchatClient(server.url, "helpdesk") as requester_chat,
        WebchatClient(server.url, "helpdesk") as helper_chat,
        WebchatClient(server.url, "helpdesk") as moderator_chat,
    ):
        requester, helper, moderator = Seat(requester_chat), Seat(helper_chat), Seat(moderator_chat)
        assert len({c.cookie for c in (requester_chat, helper_chat, moderator_chat)}) == 3

        assert "help desk" in await helper.say("/start")
        await helper.press("Try a role")
        assert "Your roles: requester, helper" in await helper.press("Helper in every category")
        await moderator.say("/start")
        await moderator.press("Try a role")
        assert "Your roles: requester, moderator" in await moderator.press("Moderator")

        assert "help desk" in await requester.say("Hello, I need help")
        assert "Choose a place" in await requester.press("New request")
        assert "What kind of help" in await requester.press("Bishkek, centre")
        assert "describe what you need" in await requester.press("Medicine")
        created = await requester.say("Insulin for my grandmother, she is out since yesterday.")
        assert "Your request #1 is created (Bishkek, centre / Medicine)" in created
        assert "New request #1 in Bishkek, centre / Medicine" in (await helper.heard(1))[0]

        taken = await helper.press("Take next")
        assert "You are now helping with this request." in taken and "Insulin" in taken
        assert "a helper has taken your request #1" in (await requester.heard(1))[0]

        await requester.say("We are at Chui 120, flat 5.", expect=0)
        assert await helper.heard(1) == ["#1 · Requester: We are at Chui 120, flat 5."]
        await helper.say("I can bring it in an hour.", expect=0)
        assert await requester.heard(1) == ["#1 · Helper: I can bring it in an hour."]

        await moderator.press("All requests")
        await moderator.press("in progress: 1")
        joined = await moderator.press("Join #1")
        assert "Chui 120, flat 5" in joined and "in an hour" in joined
        assert (await requester.heard(1)) == ["A moderator has joined request #1."]
        assert (await helper.heard(1)) == ["A moderator has joined request #1."]

        # Written quickly one after another, read in the same order on the other side.
        lines = [f"detail {n}" for n in range(8)]
        for line in lines:
            response = await requester_chat.post(line)
            assert response.status_code == 202
        expected = [f"#1 · Requester: {line}" for line in lines]
        assert await helper.heard(len(lines)) == expected
        assert await moderator.heard(len(lines)) == expected

        declined = await helper.press("Decline")
        assert "You declined request #1" in declined
        assert "The helper had to step back" in (await requester.heard(1))[0]
        assert "The helper declined request #1" in (await moderator.heard(1))[0]
        await requester.say("Is anyone there?", expect=0)
        assert await moderator.heard(1) == ["#1 · Requester: Is anyone there?"]
        assert await helper.heard(0) == []

        # Relayed messages carry no buttons; the chat's menu keeps what the requester can do.
        assert requester.menu() == [
            "I got help, close it",
            "Cancel the request",
            "History",
            "Menu",
        ]
        closed = await requester.tap_menu("I got help, close it")
        assert "Request #1 is closed" in closed
        assert requester.menu() == ["New request", "My requests", "Menu", "Help"]
        assert "was closed by the requester" in (await moderator.heard(1))[0]
        assert await helper.heard(0) == []

        assert server.system is not None
        async with server.system.sessions() as session:
            demand = await session.get(Demand, 1)
            messages = list(
                await session.scalars(select(DemandMessage.text).order_by(DemandMessage.id))
            )
    assert demand is not None and demand.status == "closed"
    assert messages[:3] == [
        "Insulin for my grandmother, she is out since yesterday.",
        "We are at Chui 120, flat 5.",
        "I can bring it in an hour.",
    ]
    assert messages[3:11] == lines
