"""REST and chat see the same bots: a person registered over REST links their web chat with
a one-time code, and what they build in one door shows in the other. With the option
`accounts = "link"` an unlinked chat is told to link first and can do nothing else."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from relaybot.config import BotConfig, Settings
from relaybot.testing import RelaybotServer, WebchatClient

from .rest import JWT_SECRET, Person, a_job

LINK_FIRST = "Link this chat to your account first"


@pytest.fixture
async def server(
    make_settings: Callable[..., Settings], sqlite_url: str
) -> AsyncIterator[RelaybotServer]:
    bot = BotConfig(name="reminders", app="reminders", options={"accounts": "link"})
    settings = make_settings(
        sqlite_url,
        bots=[bot],
        webchat_for_bundled_apps=False,
        jwt_secret=JWT_SECRET,
        default_locale="en",
    )
    async with RelaybotServer(settings) as running:
        yield running


async def test_a_linked_chat_and_rest_share_the_bots_and_an_unlinked_chat_can_do_nothing(
    server: RelaybotServer,
) -> None:
    async with (
        httpx.AsyncClient(base_url=server.url, timeout=30) as http,
        WebchatClient(server.url, "reminders") as chat,
        WebchatClient(server.url, "reminders") as stranger,
    ):
        aigul = await Person.registered(http, "aigul")
        made = await aigul.post("/bots", {"name": "Office", "via": "reminders", "job": a_job()})
        assert made.status_code == 201

        told = await stranger.say("/remind")
        assert told[-1]["text"].startswith(LINK_FIRST) and stranger.buttons() == []
        refused = await stranger.say("Create a bot", payload="rm-new")
        assert refused[-1]["text"].startswith(LINK_FIRST)

        code = (await aigul.post("/me/link-code", None)).json()["code"]
        wrong = await chat.say("/remind link 00000000")
        assert "not valid" in wrong[-1]["text"]
        linked = await chat.say(f"/remind link {code}")
        assert linked[-1]["text"] == "This chat is now linked to the account aigul."
        reused = await stranger.say(f"/remind link {code}")
        assert "not valid" in reused[-1]["text"], "a code works once"

        await chat.say("/remind")
        await chat.press("Job list")
        listed = await chat.press("Office")
        assert "Jobs of Office:\n• standup: active" in listed[-1]["text"]

        await chat.say("/remind")
        await chat.press("Create a bot")
        for answer in ("Home", "water", "here", "Drink water", "0 * * * *"):
            await chat.say(answer)
        await chat.say("UTC")
        names = [b["name"] for b in (await aigul.get("/bots")).json()]
        assert names == ["Office", "Home"]
