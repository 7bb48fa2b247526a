"""relaybot on PostgreSQL + Redis, put together by the settings as an operator writes them."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from pydantic import ValidationError

from relaybot.channels.registry import AdapterDeps
from relaybot.channels.webchat import WebchatAdapter, WebchatHub, store
from relaybot.config import BotConfig, load_settings
from relaybot.core.clock import SystemClock
from relaybot.core.types import OutgoingMessage
from relaybot.runtime.queue import DbQueue
from relaybot.runtime.ratelimit import MemoryRateLimiter
from relaybot.runtime.redis_queue import RedisQueue
from relaybot.runtime.redis_ratelimit import RedisRateLimiter
from relaybot.system import build_system, open_store
from relaybot.testing import RelaybotServer, TelegramStandin, WebchatClient


@pytest.mark.redis
@pytest.mark.postgres
async def test_client_orders_water_through_a_relaybot_on_postgres_and_redis(
    make_settings, postgres_url, redis_url, redis_namespace
):
    settings = make_settings(postgres_url, queue_url=redis_url, queue_namespace=redis_namespace)
    async with RelaybotServer(settings) as server:
        assert server.system is not None
        assert isinstance(server.system.queue, RedisQueue)
        assert isinstance(server.system.limiter, RedisRateLimiter)
        async with WebchatClient(server.url, "orders") as chat:
            await chat.say("hello", expect=2)
            await chat.say("Bishkek, Chui avenue 120, apt 5")
            await chat.say("0555 123 456")
            await chat.say("3")
            done = await chat.press("Yes")
            assert "order No. 1 is accepted" in done[-1]["text"]
        async with httpx.AsyncClient(base_url=server.url) as client:
            health = (await client.get("/health")).json()
        assert health["status"] == "ok" and health["queue_depth"] == 0


async def test_without_a_queue_url_the_embedded_parts_are_used(make_settings, sqlite_url):
    system = await build_system(make_settings(sqlite_url))
    try:
        assert isinstance(system.queue, DbQueue)
        assert isinstance(system.limiter, MemoryRateLimiter)
        assert system.redis is None
    finally:
        await system.close()


def test_a_queue_url_that_is_not_redis_is_refused_with_a_clear_message(make_settings):
    with pytest.raises(ValidationError, match="queue_url must start with redis://"):
        load_settings(None, queue_url="amqp://localhost")
    assert load_settings(None, queue_url="").queue_url is None


async def test_a_web_chat_reply_sent_again_after_a_crash_is_shown_once(make_settings, sqlite_url):
    settings = make_settings(sqlite_url)
    async with open_store(settings) as sessions:
        deps = AdapterDeps(
            settings=settings, sessions=sessions, clock=SystemClock(), hub=WebchatHub()
        )
        adapter = WebchatAdapter(BotConfig(name="orders", app="orders"), deps)
        _token, visitor = await store.create_session(sessions)
        reply = OutgoingMessage(text="your order is accepted", meta={"delivery_id": "outbox:7"})
        await adapter.send(visitor.chat_id, reply)
        await adapter.send(visitor.chat_id, reply)  # the sender died before recording "sent"
        await adapter.send(visitor.chat_id, OutgoingMessage(text="no id, always shown"))
        await adapter.send(visitor.chat_id, OutgoingMessage(text="no id, always shown"))
        history = await store.history(sessions, chat_id=visitor.chat_id, bot="orders")
    assert [m["text"] for m in history] == [
        "your order is accepted",
        "no id, always shown",
        "no id, always shown",
    ]


@pytest.mark.redis
@pytest.mark.postgres
async def test_an_update_telegram_delivers_three_times_is_answered_once_on_redis(
    make_settings, postgres_url, redis_url, redis_namespace
):
    secret = {"X-Telegram-Bot-Api-Secret-Token": "redis-dedup-secret"}
    async with TelegramStandin() as telegram:
        bot = BotConfig(
            name="count",
            app="relaybot.testing.counting:CountingApp",
            channel="telegram",
            token="4242:redis-dedup-token",
            webhook_secret="redis-dedup-secret",
            api_base=telegram.url,
        )
        settings = make_settings(
            postgres_url,
            queue_url=redis_url,
            queue_namespace=redis_namespace,
            bots=[bot],
            webchat_for_bundled_apps=False,
        )
        async with (
            RelaybotServer(settings) as server,
            httpx.AsyncClient(base_url=server.url, headers=secret) as http,
        ):
            for n, update_id in ((1, 900), (1, 900), (1, 900), (2, 901)):
                update = {
                    "update_id": update_id,
                    "message": {
                        "message_id": n,
                        "date": 1_700_000_000,
                        "chat": {"id": 5151, "type": "private", "first_name": "Asel"},
                        "from": {"id": 5151, "is_bot": False, "first_name": "Asel"},
                        "text": f"m{n}",
                    },
                }
                response = await http.post("/webhook/telegram/count", json=update)
                assert response.status_code == 200
            await telegram.wait_until(lambda: len(telegram.sent_to(5151)) >= 2, timeout=20)
            await asyncio.sleep(0.5)  # a second answer to the repeats would arrive by now
    assert [m.text for m in telegram.sent_to(5151)] == ["m1 #1", "m2 #2"]
