"""People of the help desk REST stories: each has a web chat (where the bot tells them
things) and a REST client signed in with an access token an admin issued for them."""

from __future__ import annotations

from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any

import httpx

from relaybot.testing import RelaybotServer, WebchatClient

ADMIN = "helpdesk-rest-admin-token-" + "b" * 32
JWT_SECRET = "helpdesk-rest-jwt-secret-" + "c" * 32
QUIET = 0.15


@dataclass
class Someone:
    name: str
    id: int
    chat: WebchatClient
    api: httpx.AsyncClient
    read: int = 0

    async def heard(self, count: int = 1) -> str:
        """What the bot told them in the web chat since the last look (waiting for `count`)."""
        start = self.read
        if count:
            await self.chat.replies(start, expect=count, quiet=QUIET)
        self.read = len(self.chat.received)
        return "\n".join(m["text"] for m in self.chat.received[start:])

    async def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return await self.api.request(method, f"/api/helpdesk{path}", **kwargs)


class Desk:
    """A running relaybot, its admin's REST client, and the people who joined."""

    def __init__(self, server: RelaybotServer, stack: AsyncExitStack) -> None:
        self.server = server
        self.stack = stack
        self.admin = httpx.AsyncClient(
            base_url=server.url, headers={"Authorization": f"Bearer {ADMIN}"}
        )

    async def catalogue(self) -> dict[str, int]:
        """Bishkek · Food and Bishkek · Medicine, made by the admin over REST."""
        place = (await self.admin.post("/api/helpdesk/places", json={"name": "Bishkek"})).json()
        ids = {}
        for resource in ("Food", "Medicine"):
            made = await self.admin.post("/api/helpdesk/resources", json={"name": resource})
            scenario = await self.admin.post(
                "/api/helpdesk/scenarios",
                json={"place_id": place["id"], "resource_id": made.json()["id"]},
            )
            ids[resource] = scenario.json()["id"]
        return ids

    async def join(
        self, name: str, *, helps: tuple[int, ...] = (), moderator: bool = False
    ) -> Someone:
        chat = await self.stack.enter_async_context(
            WebchatClient(self.server.url, "helpdesk", locale="en")
        )
        await chat.say("/start")
        users = (await self.admin.get("/api/helpdesk/users", params={"limit": 500})).json()
        user_id = max(u["id"] for u in users)
        for scenario_id in helps:
            linked = await self.admin.post(
                "/api/helpdesk/links", json={"user_id": user_id, "scenario_id": scenario_id}
            )
            assert linked.status_code == 201, linked.text
        if moderator:
            granted = await self.admin.patch(
                f"/api/helpdesk/users/{user_id}/roles", json={"moderator": True}
            )
            assert granted.status_code == 200, granted.text
        issued = await self.admin.post(f"/api/helpdesk/users/{user_id}/token")
        assert issued.status_code == 200, issued.text
        api = await self.stack.enter_async_context(
            httpx.AsyncClient(
                base_url=self.server.url,
                headers={"Authorization": f"Bearer {issued.json()['token']}"},
                timeout=30,
            )
        )
        return Someone(name, user_id, chat, api, read=len(chat.received))
