"""Size, depth and type limits at every door: a clear 4xx, never a 500."""

from __future__ import annotations

import httpx
import pytest

from relaybot.channels import registry
from relaybot.core.channel import WebhookResult
from relaybot.gateway.limits import json_depth_exceeds
from relaybot.testing import RelaybotServer


class BrittleAdapter:
    """A channel whose parser has a bug: it raises on every call."""

    channel = "brittle"

    def __init__(self, bot, deps) -> None:
        self.bot = bot

    async def handle_webhook(self, request, subpath) -> WebhookResult:
        raise KeyError("message")

    async def send(self, chat_id, message) -> None:
        return None

    def limits(self, chat_id):
        return []

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None


@pytest.mark.parametrize(
    ("body", "limit", "too_deep"),
    [
        (b'{"a": [1, {"b": [2]}]}', 4, False),
        (b'{"a": [1, {"b": [2]}]}', 3, True),
        (b'{"text": "[[[[[[[[[[[[ not structure"}', 2, False),
        (b'{"text": "\\"[[[[[[[[[["}', 1, False),
        (b'["\\u005b\\u005b\\u005b"]', 1, False),
        (b"[" * 100_000, 64, True),
        (b"[" * 50_000 + b"]" * 50_000, 64, True),
        (b"[1]," * 10_000, 1, False),
        (b"{not json at all", 64, False),
    ],
)
def test_json_depth_is_measured_outside_strings(body: bytes, limit: int, too_deep: bool):
    assert json_depth_exceeds(body, limit) is too_deep


async def test_oversize_deep_and_mistyped_bodies_get_clear_answers(make_settings, sqlite_url):
    async with (
        RelaybotServer(make_settings(sqlite_url)) as server,
        httpx.AsyncClient(base_url=server.url) as http,
    ):
        await http.get("/")
        origin = {"Origin": server.url}
        post = "/chat/api/orders/messages"

        huge = await http.post(post, content=b"x" * (1024 * 1024 + 1), headers=origin)
        assert huge.status_code == 413
        deep = await http.post(post, content=b"[" * 100_000 + b"]" * 100_000, headers=origin)
        assert (deep.status_code, deep.json()) == (400, {"detail": "JSON nested too deeply"})
        for wrong in (
            {"id": 12345678, "text": "hi"},
            {"id": "abcdefgh12", "text": ["hi"]},
            [1, 2],
            "text",
            {"id": "short", "text": "hi"},
        ):
            answer = await http.post(post, json=wrong, headers=origin)
            assert answer.status_code == 422, wrong
        broken = await http.post(post, content=b'{"id": "abc', headers=origin)
        assert broken.status_code == 422
        extra = {"id": "abcdefgh12", "text": "hi", "admin": True, "chat_id": "w0"}
        assert (await http.post(post, json=extra, headers=origin)).status_code == 202
        assert (await http.get("/chat/api/orders/history?after=-1")).status_code == 422
        assert (await http.get(f"/chat/api/orders/history?after={2**80}")).status_code == 422


async def test_an_adapter_that_crashes_on_input_answers_400_not_500(
    make_settings, sqlite_url, monkeypatch
):
    monkeypatch.setitem(registry.ADAPTERS, "brittle", f"{__name__}:BrittleAdapter")
    settings = make_settings(
        sqlite_url, bots=[{"name": "fragile", "app": "orders", "channel": "brittle"}]
    )
    async with (
        RelaybotServer(settings) as server,
        httpx.AsyncClient(base_url=server.url) as http,
    ):
        answer = await http.post("/webhook/brittle/fragile", json={"update_id": 1})
        assert answer.status_code == 400
        assert answer.json() == {"detail": "the update could not be read"}
        assert (await http.get("/health")).status_code == 200


async def test_numbers_no_column_can_hold_get_422_on_every_database(make_settings, database_url):
    """Routes declare `int`, which has no bound; SQLite and PostgreSQL refuse such a number
    deep in the driver. The answer is a 422 that says so, never a 500."""
    token = "limits-admin-token-0123456789abcdef"
    huge = 10**30
    async with (
        RelaybotServer(make_settings(database_url, admin_token=token)) as server,
        httpx.AsyncClient(
            base_url=server.url, headers={"Authorization": f"Bearer {token}"}
        ) as http,
    ):
        calls = [
            http.get(f"/api/helpdesk/places/{huge}"),
            http.get(f"/api/helpdesk/users/{-huge}"),
            http.get("/api/helpdesk/demands", params={"scenario_id": huge}),
            http.post("/api/helpdesk/links", json={"user_id": huge, "scenario_id": huge}),
            http.delete(f"/api/helpdesk/links/{huge}/{huge}"),
            http.delete(f"/api/admin/tokens/{huge}"),
        ]
        for call in calls:
            answer = await call
            assert answer.status_code == 422, (answer.request.url, answer.text)
        assert (await http.get("/health")).status_code == 200
