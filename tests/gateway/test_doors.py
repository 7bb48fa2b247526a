"""The gateway's doors: health, metrics, size limits, and clear answers to bad requests."""

from __future__ import annotations

import time

import httpx
from sqlalchemy import insert

from relaybot.store.models import InboundUpdate
from relaybot.testing import RelaybotServer, WebchatClient


async def test_health_reports_the_queue_and_turns_503_when_updates_are_stuck(
    make_settings, sqlite_url
):
    settings = make_settings(sqlite_url, health_max_pending_age=60)
    async with RelaybotServer(settings, roles=("gateway",)) as server:
        async with httpx.AsyncClient(base_url=server.url) as http:
            healthy = await http.get("/health")
            assert healthy.status_code == 200
            assert healthy.json()["queue_depth"] == 0

            assert server.system is not None
            async with server.system.sessions() as session, session.begin():
                await session.execute(
                    insert(InboundUpdate).values(
                        bot="orders",
                        update_id="old-1",
                        channel="webchat",
                        chat_id="c",
                        partition=0,
                        payload=b"{}",
                        trace_id="t",
                        received_at=time.time() - 120,
                        status="pending",
                        attempts=0,
                    )
                )
            stuck = await http.get("/health")
            assert stuck.status_code == 503
            assert stuck.json()["queue_depth"] == 1
            assert stuck.json()["oldest_pending_age_seconds"] >= 120


async def test_metrics_count_updates_and_replies(make_settings, sqlite_url):
    async with RelaybotServer(make_settings(sqlite_url)) as server:
        async with WebchatClient(server.url, "orders") as chat:
            await chat.say("hi", expect=2)
        async with httpx.AsyncClient(base_url=server.url) as http:
            text = (await http.get("/metrics")).text
    assert 'relaybot_updates_received_total{bot="orders",channel="webchat"}' in text
    assert 'relaybot_messages_sent_total{channel="webchat",result="sent"}' in text
    assert "relaybot_outbox_pending 0.0" in text
    assert "relaybot_dlq_size 0.0" in text


async def _chunks(count: int, size: int):
    """A body sent chunked, with no Content-Length to trust."""
    for _ in range(count):
        yield b"x" * size


async def test_oversize_malformed_and_unknown_requests_get_clear_4xx(make_settings, sqlite_url):
    settings = make_settings(sqlite_url, max_body_bytes=2048)
    async with RelaybotServer(settings) as server:
        async with WebchatClient(server.url, "orders") as chat:
            http = chat.http
            big = await http.post(
                "/chat/api/orders/messages",
                content=b'{"id": "abcdefgh", "text": "' + b"x" * 4096 + b'"}',
                headers={"Content-Type": "application/json"},
            )
            assert big.status_code == 413

            chunked = await http.post(
                "/chat/api/orders/messages",
                content=_chunks(4, 1024),
                headers={"Content-Type": "application/json"},
            )
            assert chunked.status_code == 413

            broken = await http.post(
                "/chat/api/orders/messages",
                content=b'{"id": "abcdefgh", "text": ',
                headers={"Content-Type": "application/json", "Origin": server.url},
            )
            assert broken.status_code == 422

            wrong_type = await http.post(
                "/chat/api/orders/messages", json={"id": "abcdefgh", "text": ["a"]}
            )
            assert wrong_type.status_code == 422

            empty = await http.post("/chat/api/orders/messages", json={"id": "abcdefgh"})
            assert empty.status_code == 422

            nobody = await http.post(
                "/chat/api/nobody/messages", json={"id": "abcdefgh", "text": "x"}
            )
            assert nobody.status_code == 404

            webhook = await http.post("/webhook/telegram/nobody", json={})
            assert webhook.status_code == 404

            elsewhere = await http.post(
                "/chat/api/orders/messages",
                json={"id": "abcdefgh", "text": "x"},
                headers={"Origin": "https://evil.example"},
            )
            assert elsewhere.status_code == 403


async def test_a_request_without_a_web_chat_session_gets_403(make_settings, sqlite_url):
    async with RelaybotServer(make_settings(sqlite_url)) as server:
        async with httpx.AsyncClient(base_url=server.url) as http:
            assert (await http.get("/chat/api/orders/history")).status_code == 403
            http.cookies.set("relaybot_session", "x" * 43)
            forged = await http.get("/chat/api/orders/history")
            assert forged.status_code == 403
            http.cookies.set("relaybot_session", "guess")
            post = await http.post(
                "/chat/api/orders/messages", json={"id": "abcdefgh", "text": "hi"}
            )
            assert post.status_code == 403
