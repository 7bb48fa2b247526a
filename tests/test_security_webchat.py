"""The web chat door: a visitor sees only their own conversation, and only from our page."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import secrets
from typing import Any

import httpx
import pytest
import websockets
from sqlalchemy import select

from relaybot.channels.webchat.origins import origin_allowed
from relaybot.channels.webchat.routes import COOKIE
from relaybot.store.models import WebchatSession
from relaybot.testing import RelaybotServer, WebchatClient


def ws_url(server: RelaybotServer) -> str:
    return server.url.replace("http://", "ws://") + "/chat/ws"


async def ws_status(url: str, headers: dict[str, str]) -> int:
    """The HTTP status of a WebSocket handshake: 101 when it was accepted."""
    try:
        async with websockets.connect(url, additional_headers=headers, open_timeout=5):
            return 101
    except websockets.InvalidStatus as refused:
        return refused.response.status_code


async def record_live(url: str, cookie: str, origin: str, into: list[str]) -> None:
    async with websockets.connect(
        url, additional_headers={"Cookie": cookie, "Origin": origin}
    ) as ws:
        async for frame in ws:
            into.append(frame if isinstance(frame, str) else frame.decode())


async def test_two_browsers_never_see_each_others_messages_in_history_or_live(
    make_settings, sqlite_url
):
    async with (
        RelaybotServer(make_settings(sqlite_url)) as server,
        WebchatClient(server.url, "orders") as anna,
        WebchatClient(server.url, "orders") as boris,
    ):
        frames: dict[str, list[str]] = {"anna": [], "boris": []}
        spies = [
            asyncio.create_task(record_live(ws_url(server), c.cookie, server.url, frames[n]))
            for n, c in (("anna", anna), ("boris", boris))
        ]
        await anna.say("hi", expect=2)
        await boris.say("hello", expect=2)
        await anna.say("Anna street 1, flat 11")
        await boris.say("Boris avenue 2, flat 22")
        await anna.say("0555 111 111")
        await boris.say("0555 222 222")
        await asyncio.sleep(0.3)
        for spy in spies:
            spy.cancel()
            with contextlib.suppress(BaseException):
                await spy

        anna_history = json.dumps(await anna.history())
        boris_history = json.dumps(await boris.history())
        anna_live = "".join(frames["anna"]) + json.dumps(anna.received)
        boris_live = "".join(frames["boris"]) + json.dumps(boris.received)
        assert "0555 111 111" in anna_history and "0555 222 222" in boris_history
        for seen_by_anna in (anna_history, anna_live):
            assert "Anna street 1" in seen_by_anna
            assert "Boris" not in seen_by_anna and "0555 222 222" not in seen_by_anna
        for seen_by_boris in (boris_history, boris_live):
            assert "Boris avenue 2" in seen_by_boris
            assert "Anna" not in seen_by_boris and "0555 111 111" not in seen_by_boris


FORGED_COOKIES = {
    "none": None,
    "empty": "",
    "random": secrets.token_urlsafe(32),
    "same-length": "x" * 43,
    "huge": "A" * 200,
    "path": "../../etc/passwd",
    "sql": "' OR 1=1 --",
}


async def test_a_forged_or_guessed_session_gets_403_on_every_route(make_settings, sqlite_url):
    async with RelaybotServer(make_settings(sqlite_url)) as server:
        for name, cookie in FORGED_COOKIES.items():
            headers = {"Origin": server.url}
            if cookie is not None:
                headers["Cookie"] = f"{COOKIE}={cookie}"
            async with httpx.AsyncClient(base_url=server.url, headers=headers) as http:
                assert (await http.get("/chat/api/bots")).status_code == 403, name
                assert (await http.get("/chat/api/orders/history")).status_code == 403, name
                posted = await http.post(
                    "/chat/api/orders/messages", json={"id": "abcdefgh12", "text": "hi"}
                )
                assert posted.status_code == 403, name
            assert await ws_status(ws_url(server), headers) == 403, name
        assert server.system is not None
        async with server.system.sessions() as session:
            assert (await session.scalars(select(WebchatSession))).all() == []


async def test_knowing_someones_chat_id_or_stored_hash_gets_nothing(make_settings, sqlite_url):
    async with (
        RelaybotServer(make_settings(sqlite_url)) as server,
        WebchatClient(server.url, "orders") as victim,
    ):
        await victim.say("hi", expect=2)
        assert server.system is not None
        async with server.system.sessions() as session:
            row = (await session.scalars(select(WebchatSession))).one()
        token = victim.http.cookies[COOKIE]
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert len(token) >= 43  # 256 bits, url-safe base64
        for guess in (row.chat_id, row.token_hash, token[:-1], token + "A"):
            headers = {"Cookie": f"{COOKIE}={guess}", "Origin": server.url}
            async with httpx.AsyncClient(base_url=server.url, headers=headers) as http:
                assert (await http.get("/chat/api/orders/history")).status_code == 403
            assert await ws_status(ws_url(server), headers) == 403


async def test_the_session_cookie_is_http_only_same_site_and_secure_behind_https(
    make_settings, sqlite_url
):
    settings = make_settings(sqlite_url, public_url="https://chat.example.com/")
    async with RelaybotServer(settings) as server, httpx.AsyncClient(base_url=server.url) as http:
        page = await http.get("/")
        cookie = page.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie and "secure" in cookie
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
        api = await http.get(
            "/chat/api/bots", headers={"Cookie": f"{COOKIE}={page.cookies[COOKIE]}"}
        )
        assert api.headers["cache-control"] == "no-store"
        assert api.headers["x-content-type-options"] == "nosniff"
        token = page.cookies[COOKIE]
        again = await http.get("/", headers={"Cookie": f"{COOKIE}={token}"})
        assert "set-cookie" not in again.headers  # a known visitor keeps their session


async def test_a_cross_origin_websocket_or_post_is_refused(make_settings, sqlite_url):
    async with (
        RelaybotServer(make_settings(sqlite_url)) as server,
        WebchatClient(server.url, "orders") as visitor,
    ):
        cookie = visitor.cookie
        same = {"Cookie": cookie, "Origin": server.url}
        assert await ws_status(ws_url(server), same) == 101
        for origin in ("http://evil.example", "null", "http://127.0.0.1:1", "file://"):
            headers = {"Cookie": cookie, "Origin": origin}
            assert await ws_status(ws_url(server), headers) == 403, origin
            posted = await visitor.http.post(
                "/chat/api/orders/messages",
                json={"id": secrets.token_hex(8), "text": "hi"},
                headers={"Origin": origin},
            )
            assert posted.status_code == 403, origin
        assert await visitor.history() == []


async def test_with_a_public_url_only_that_origin_may_open_the_live_socket(
    make_settings, sqlite_url
):
    settings = make_settings(sqlite_url, public_url="https://Chat.Example.com:443/bots/")
    async with RelaybotServer(settings) as server, httpx.AsyncClient(base_url=server.url) as http:
        await http.get("/")
        cookie = "; ".join(f"{k}={v}" for k, v in http.cookies.items())
        good = {"Cookie": cookie, "Origin": "https://chat.example.com"}
        assert await ws_status(ws_url(server), good) == 101
        for origin in (server.url, "http://chat.example.com", "https://chat.example.com.evil.io"):
            assert await ws_status(ws_url(server), {"Cookie": cookie, "Origin": origin}) == 403


@pytest.mark.parametrize(
    ("origin", "public_url", "host", "allowed"),
    [
        ("https://chat.example.com", "https://chat.example.com", None, True),
        ("https://CHAT.example.com:443", "https://chat.example.com/path/", None, True),
        ("https://chat.example.com:8443", "https://chat.example.com:8443", None, True),
        ("https://chat.example.com", "https://chat.example.com:8443", None, False),
        ("http://chat.example.com", "https://chat.example.com", None, False),
        ("https://chat.example.com.evil.io", "https://chat.example.com", None, False),
        ("https://evil.io", "https://chat.example.com", "evil.io", False),
        ("null", "https://chat.example.com", None, False),
        ("https://chat.example.com:99999", "https://chat.example.com", None, False),
        (None, "https://chat.example.com", None, True),
        ("http://127.0.0.1:8080", None, None, True),
        ("http://localhost:8080", None, None, True),
        ("http://[::1]:8080", None, None, True),
        ("http://127.0.0.1:9090", None, None, False),
        ("http://192.168.1.5:8080", None, "192.168.1.5:8080", True),
        ("http://192.168.1.5:8080", None, "10.0.0.1:8080", False),
        ("javascript:alert(1)", None, None, False),
    ],
)
def test_origin_rules(origin: str | None, public_url: str | None, host: str | None, allowed: Any):
    assert origin_allowed(origin, public_url, port=8080, host_header=host, scheme="http") is allowed


async def test_opening_many_chats_from_one_address_is_limited(make_settings, sqlite_url):
    settings = make_settings(sqlite_url, webchat_sessions_per_minute=5)
    async with RelaybotServer(settings) as server, httpx.AsyncClient(base_url=server.url) as http:
        statuses = []
        for _ in range(7):
            http.cookies.clear()
            statuses.append((await http.get("/")).status_code)
        assert statuses == [200] * 5 + [429] * 2
        assert server.system is not None
        async with server.system.sessions() as session:
            assert len((await session.scalars(select(WebchatSession))).all()) == 5


async def test_one_visitor_cannot_hold_unlimited_live_connections(make_settings, sqlite_url):
    settings = make_settings(sqlite_url, webchat_sockets_per_visitor=3)
    async with (
        RelaybotServer(settings) as server,
        httpx.AsyncClient(base_url=server.url) as http,
        contextlib.AsyncExitStack() as stack,
    ):
        await http.get("/")
        headers = {"Cookie": f"{COOKIE}={http.cookies[COOKIE]}", "Origin": server.url}
        sockets = [
            await stack.enter_async_context(
                websockets.connect(ws_url(server), additional_headers=headers)
            )
            for _ in range(3)
        ]
        assert await ws_status(ws_url(server), headers) == 429
        await sockets[0].close()
        for _ in range(50):  # the server notices the close on its next read
            if await ws_status(ws_url(server), headers) == 101:
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError("a closed connection was never given back")
