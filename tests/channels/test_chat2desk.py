"""The order story over Chat2Desk: inbox webhooks in, /v1/messages out, options typed back."""

from __future__ import annotations

import time

import httpx
import pytest

from relaybot.channels.chat2desk import Chat2DeskAdapter
from relaybot.channels.registry import AdapterDeps
from relaybot.config import BotConfig
from relaybot.core.clock import ManualClock
from relaybot.core.types import Address, OutgoingMessage
from relaybot.runtime.outbox import enqueue
from relaybot.system import build_system
from relaybot.testing import RelaybotServer
from relaybot.testing.chat2desk_standin import Chat2DeskStandin
from tests.channels.helpers import orders_in, stored_updates
from tests.channels.test_telegram_limits import deliver_everything

SECRET = "c2d-hook-secret"


@pytest.fixture
async def chat2desk():
    async with Chat2DeskStandin(token="c2d-token") as standin:
        yield standin


def chat2desk_bot(standin: Chat2DeskStandin, **options) -> dict:
    return {
        "name": "shoro",
        "app": "orders",
        "channel": "chat2desk",
        "token": "c2d-token",
        "webhook_secret": SECRET,
        "api_base": standin.url,
        "options": options,
    }


def texts(messages) -> str:
    return "\n".join(m.text for m in messages)


async def test_client_orders_over_chat2desk_answering_options_by_number(
    make_settings, database_url, chat2desk
):
    settings = make_settings(database_url, bots=[chat2desk_bot(chat2desk)])
    async with RelaybotServer(settings) as server:
        chat2desk.add_webhook(f"{server.url}/webhook/chat2desk/shoro/{SECRET}")
        client = chat2desk.client(7001, name="Aida", phone="+996555123456")

        greeting = await client.say("Здравствуйте", expect=2)
        assert "19 литров" in greeting[0].text, "Chat2Desk sends no language: the default, ru"
        assert "1. Отмена" in greeting[-1].text
        assert "Ответьте номером выбранного варианта." in greeting[-1].text
        await client.say("Бишкек, проспект Чуй 120, кв. 5")
        bottles = await client.say("0555 123 456")
        assert "Сколько бутылей" in texts(bottles)
        assert ("1", "Назад") not in client.options(), "numbers would clash with quantities"
        assert (None, "5") in client.options() and (None, "Отмена") in client.options()

        summary = await client.say("4")
        assert "4 × 19 л" in texts(summary)
        assert client.options()[:2] == [("1", "Да"), ("2", "Нет")]
        done = await client.choose("Да")
        assert "№ 1" in texts(done)

    orders = await orders_in(server)
    assert [(o.client_phone, o.bottles_count, o.source, o.client_id) for o in orders] == [
        ("+996555123456", 4, "chat2desk", "7001")
    ]
    sends = chat2desk.calls_to("messages")
    assert all(c.headers["authorization"] == "c2d-token" for c in sends)
    assert all(c.params["client_id"] == 7001 and c.params["type"] == "to_client" for c in sends)
    assert all(c.params.get("transport") == "whatsapp" for c in sends[1:])


async def test_a_typed_label_works_too_and_a_repeated_message_id_is_answered_once(
    make_settings, sqlite_url, chat2desk
):
    async with RelaybotServer(make_settings(sqlite_url, bots=[chat2desk_bot(chat2desk)])) as server:
        chat2desk.add_webhook(f"{server.url}/webhook/chat2desk/shoro/{SECRET}")
        client = chat2desk.client(7002)
        await client.say("hi", expect=2)
        first = await client.say("Osh, Lenina 1", message_id=42)
        await client.write("Osh, Lenina 1", message_id=42)
        cancelled = await client.say("отмена")
        assert "Отменено" in texts(cancelled)
        assert sum("телефона" in m.text for m in client.messages) == 1, first
        assert await stored_updates(server) == 3


async def test_chat2desk_doors_refuse_a_wrong_secret_and_ignore_other_events(
    make_settings, sqlite_url, chat2desk
):
    async with RelaybotServer(make_settings(sqlite_url, bots=[chat2desk_bot(chat2desk)])) as server:
        event = chat2desk.client(7003).inbox_event("hello")
        event["hook_type"] = "inbox"
        async with httpx.AsyncClient(base_url=server.url) as http:
            for path, headers in (
                ("/webhook/chat2desk/shoro", {}),
                ("/webhook/chat2desk/shoro/wrong", {}),
                ("/webhook/chat2desk/shoro", {"X-Relaybot-Secret": "wrong"}),
            ):
                refused = await http.post(path, json=event, headers=headers)
                assert refused.status_code == 401, path
            by_header = {"X-Relaybot-Secret": SECRET}
            outbox = {**event, "hook_type": "outbox", "message_id": 99}
            ignored = await http.post("/webhook/chat2desk/shoro", json=outbox, headers=by_header)
            assert ignored.status_code == 200 and ignored.json() == {"status": "ignored"}
            broken = await http.post(f"/webhook/chat2desk/shoro/{SECRET}", content=b"{nope")
            assert broken.status_code == 400
            no_id = {k: v for k, v in event.items() if k != "message_id"}
            assert (
                await http.post(f"/webhook/chat2desk/shoro/{SECRET}", json=no_id)
            ).status_code == 400
            assert await stored_updates(server) == 0
            accepted = await http.post("/webhook/chat2desk/shoro", json=event, headers=by_header)
            assert accepted.status_code == 200
        assert await stored_updates(server) == 1


async def test_chat2desk_sends_at_most_the_configured_requests_in_any_minute(
    make_settings, sqlite_url, chat2desk
):
    clock = ManualClock(time.time())
    bot = chat2desk_bot(chat2desk, requests_per_minute=30, burst=5)
    system = await build_system(make_settings(sqlite_url, bots=[bot]), clock=clock)
    messages = [(Address("shoro", str(8000 + n)), OutgoingMessage("news")) for n in range(40)]
    async with system.sessions() as session, session.begin():
        await enqueue(session, messages, bots=system.bots)
    try:
        sent = await deliver_everything(system, clock, 40)
    finally:
        await system.close()
    assert max(sum(1 for t in sent if start <= t < start + 60.0) for start in sent) <= 30
    assert len(chat2desk.sent) == 40


def test_the_default_limit_is_300_requests_in_any_minute(make_settings, sqlite_url):
    settings = make_settings(sqlite_url)
    deps = AdapterDeps(settings=settings, sessions=None, clock=None, hub=None)  # type: ignore[arg-type]
    bot = BotConfig(name="shoro", app="orders", channel="chat2desk", token="t", webhook_secret="s")
    (limit,) = Chat2DeskAdapter(bot, deps).limits("7001")
    assert limit.key == "shoro", "a 429 pauses the whole bot"
    assert limit.burst + limit.rate * 60 == pytest.approx(300)


async def test_a_chat2desk_429_waits_and_5xx_is_retried_until_delivered(
    make_settings, sqlite_url, chat2desk
):
    settings = make_settings(sqlite_url, bots=[chat2desk_bot(chat2desk)], outbox_backoff_base=0.2)
    async with RelaybotServer(settings) as server:
        chat2desk.add_webhook(f"{server.url}/webhook/chat2desk/shoro/{SECRET}")
        chat2desk.fail("messages", status=429, retry_after=1)
        chat2desk.fail("messages", status=502, times=2)
        client = chat2desk.client(7004)
        replies = await client.say("hi", expect=2)
    statuses = [c.status for c in chat2desk.calls_to("messages")]
    assert statuses[:3] == [429, 502, 502] and statuses[3:] == [200, 200]
    assert "19 литров" in replies[0].text
    refused_at = chat2desk.calls_to("messages")[0].at
    assert chat2desk.calls_to("messages")[1].at - refused_at >= 1.0
