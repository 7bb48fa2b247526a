"""The web chat takes messages up to `webchat_max_text` and says plainly when one is longer."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select

from relaybot.store.models import InboundUpdate, WebchatMessage
from relaybot.testing import RelaybotServer


async def test_a_message_longer_than_the_setting_is_refused_with_a_clear_reason(
    make_settings, sqlite_url
):
    settings = make_settings(sqlite_url, webchat_max_text=50)
    async with RelaybotServer(settings, roles=("gateway",)) as server:
        async with httpx.AsyncClient(base_url=server.url) as http:
            page = await http.get("/")
            assert 'maxlength="50"' in page.text, "the message box stops where the API does"

            long = await http.post(
                "/chat/api/orders/messages", json={"id": "too-long-1", "text": "x" * 51}
            )
            fits = await http.post(
                "/chat/api/orders/messages", json={"id": "just-fits", "text": "y" * 50}
            )
        assert long.status_code == 422
        assert long.json() == {"detail": "the message is too long: 51 characters, at most 50"}
        assert fits.status_code == 202 and fits.json()["accepted"] is True

        assert server.system is not None
        async with server.system.sessions() as session:
            queued = await session.scalar(select(func.count()).select_from(InboundUpdate))
            shown = list(await session.scalars(select(WebchatMessage.text)))
    assert queued == 1 and shown == ["y" * 50], "the refused message went nowhere"


async def test_the_default_limit_is_four_thousand_characters(make_settings, sqlite_url):
    async with RelaybotServer(make_settings(sqlite_url), roles=("gateway",)) as server:
        async with httpx.AsyncClient(base_url=server.url) as http:
            assert 'maxlength="4000"' in (await http.get("/")).text
            at_limit = await http.post(
                "/chat/api/orders/messages", json={"id": "at-limit-1", "text": "z" * 4000}
            )
            over = await http.post(
                "/chat/api/orders/messages", json={"id": "over-limit", "text": "z" * 4001}
            )
    assert at_limit.status_code == 202
    assert over.status_code == 422 and "at most 4000" in over.json()["detail"]
