"""Every door stores updates the same way: screened, traced, stored once, counted, and the
worker woken, whether the update came by webhook, from the web chat or from a poller."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

import httpx
import pytest
from prometheus_client import REGISTRY
from sqlalchemy import select

from relaybot.core.clock import SystemClock
from relaybot.core.types import Update
from relaybot.runtime.inbound import InboundGuard, is_notice
from relaybot.runtime.ingest import IngestPath
from relaybot.runtime.queue import DbQueue, IngestBatcher
from relaybot.runtime.signal import Signal
from relaybot.store.models import InboundUpdate
from relaybot.system import open_store
from relaybot.testing import RelaybotServer
from relaybot.testing.telegram_standin import TelegramStandin
from tests.channels.helpers import TELEGRAM_SECRET, eventually, telegram_bot

POLLING_TOKEN = "7000002:AAtest-token-of-the-well-bot"
WEBHOOK_UPDATE = {
    "update_id": 700001,
    "message": {
        "message_id": 1,
        "date": 1_700_000_000,
        "chat": {"id": 4242, "type": "private", "first_name": "Aida"},
        "from": {"id": 4242, "is_bot": False, "first_name": "Aida"},
        "text": "hello by webhook",
    },
}


def counted(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.fixture
async def telegram() -> AsyncIterator[TelegramStandin]:
    async with TelegramStandin() as standin:
        yield standin


async def test_a_webhook_a_web_chat_message_and_a_polled_update_all_enter_by_the_one_path(
    make_settings, sqlite_url, telegram, monkeypatch
):
    through_the_path: list[Update] = []
    store = IngestPath.store

    async def watched(self: IngestPath, updates: Sequence[Update]) -> list[bool]:
        through_the_path.extend(updates)
        return await store(self, updates)

    monkeypatch.setattr(IngestPath, "store", watched)
    well = telegram_bot(
        telegram, name="well", token=POLLING_TOKEN, mode="polling", options={"poll_timeout": 1}
    )
    settings = make_settings(sqlite_url, bots=[telegram_bot(telegram), well])
    before = {
        "received": [
            counted("relaybot_updates_received_total", channel="telegram", bot="water"),
            counted("relaybot_updates_received_total", channel="webchat", bot="orders"),
            counted("relaybot_updates_received_total", channel="telegram", bot="well"),
        ],
        "repeats": [
            counted("relaybot_updates_duplicate_total", bot="water"),
            counted("relaybot_updates_duplicate_total", bot="orders"),
        ],
    }
    # Only the gateway runs: what the doors stored stays in the queue to be looked at.
    async with RelaybotServer(settings, roles=("gateway",)) as server:
        secret = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
        async with httpx.AsyncClient(base_url=server.url) as http:
            for _ in range(2):  # Telegram redelivers when an answer is late
                hook = await http.post(
                    "/webhook/telegram/water", json=WEBHOOK_UPDATE, headers=secret
                )
                assert hook.status_code == 200
            await http.get("/")
            post = {"id": "visitor-line-1", "text": "hello by web chat"}
            first = await http.post("/chat/api/orders/messages", json=post)
            again = await http.post("/chat/api/orders/messages", json=post)  # a page retry
        assert first.json() == {"accepted": True, "duplicate": False}
        assert again.json() == {"accepted": False, "duplicate": True}

        person = telegram.user(POLLING_TOKEN)
        await person.send({"message": person._message(text="hello by polling")})

        async def stored() -> list[InboundUpdate]:
            assert server.system is not None
            async with server.system.sessions() as session:
                rows = list(await session.scalars(select(InboundUpdate)))
            return rows if len(rows) == 3 else []

        rows = await eventually(stored)

    assert sorted((row.channel, row.bot) for row in rows) == [
        ("telegram", "water"),
        ("telegram", "well"),
        ("webchat", "orders"),
    ]
    trace_ids = {row.trace_id for row in rows}
    assert len(trace_ids) == 3 and all(len(t) == 16 for t in trace_ids)
    assert sorted(u.bot for u in through_the_path) == ["orders", "orders", "water", "water", "well"]
    assert {u.trace_id for u in through_the_path} >= trace_ids
    assert [
        counted("relaybot_updates_received_total", channel="telegram", bot="water"),
        counted("relaybot_updates_received_total", channel="webchat", bot="orders"),
        counted("relaybot_updates_received_total", channel="telegram", bot="well"),
    ] == [n + 1 for n in before["received"]]
    assert [
        counted("relaybot_updates_duplicate_total", bot="water"),
        counted("relaybot_updates_duplicate_total", bot="orders"),
    ] == [n + 1 for n in before["repeats"]]


def message(n: int, *, chat: str = "c1", trace_id: str = "") -> Update:
    return Update(
        channel="telegram",
        bot="water",
        chat_id=chat,
        user_id=chat,
        update_id=f"u{n}",
        text=f"message {n}",
        trace_id=trace_id,
    )


async def test_a_flood_is_stored_as_one_notice_and_only_news_wakes_the_worker(
    make_settings, sqlite_url
):
    settings = make_settings(
        sqlite_url,
        inbound_chat_burst=2,
        inbound_user_burst=2,
        inbound_chat_per_minute=1,
        inbound_user_per_minute=1,
    )
    async with open_store(settings) as sessions:
        batcher = IngestBatcher(DbQueue(sessions))
        wake = Signal()
        ingest = IngestPath(InboundGuard(settings, SystemClock()), batcher, wake)

        assert await ingest([message(1, trace_id="from-the-channel"), message(2)]) == [True, True]
        assert await wake.wait(0) is True
        flood = await ingest.screen([message(3), message(4)])
        assert [u.update_id for u in flood] == ["throttled:u3"] and is_notice(flood[0])
        assert await ingest.store(flood) == [True]
        assert await wake.wait(0) is True
        assert await ingest([message(5)]) == [], "one notice per flood, not one per update"
        assert await wake.wait(0) is False
        assert await ingest([]) == []
        await batcher.close()
        async with sessions() as session:
            rows = list(await session.scalars(select(InboundUpdate).order_by(InboundUpdate.id)))

    assert [row.update_id for row in rows] == ["u1", "u2", "throttled:u3"]
    assert rows[0].trace_id == "from-the-channel"
    assert all(len(row.trace_id) == 16 for row in rows[1:])


async def test_a_repeated_update_is_stored_once_and_does_not_wake_the_worker(
    make_settings, sqlite_url
):
    settings = make_settings(sqlite_url)
    async with open_store(settings) as sessions:
        batcher = IngestBatcher(DbQueue(sessions))
        wake = Signal()
        ingest = IngestPath(InboundGuard(settings, SystemClock()), batcher, wake)
        repeats_before = counted("relaybot_updates_duplicate_total", bot="water")

        assert await ingest([message(7)]) == [True]
        assert await wake.wait(0) is True
        assert await ingest([message(7)]) == [False]
        assert await wake.wait(0) is False
        await batcher.close()
    assert counted("relaybot_updates_duplicate_total", bot="water") == repeats_before + 1
