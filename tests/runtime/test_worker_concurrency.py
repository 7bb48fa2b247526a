"""A slow app is harmless: other chats go on, webhooks keep being stored, order holds."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import ClassVar

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import select
from structlog.testing import capture_logs

from relaybot.config import BotConfig
from relaybot.core.app import App, Context
from relaybot.core.types import Update, decode_message
from relaybot.runtime.queue import DbQueue
from relaybot.runtime.worker import Worker
from relaybot.store.models import InboundUpdate, OutboxMessage
from relaybot.system import open_store
from relaybot.testing import RelaybotServer, ServiceStandin, WebchatClient
from relaybot.testing.waiting import eventually


@dataclass
class Shop:
    server: RelaybotServer
    crm: ServiceStandin


@pytest.fixture
async def shop(make_settings, database_url) -> AsyncIterator[Shop]:
    async with ServiceStandin() as crm:
        slow = BotConfig(
            name="slowpoke",
            app="tests.runtime.calling_app:CallingApp",
            options={"crm_url": crm.url},
        )
        settings = make_settings(database_url, bots=[slow], worker_concurrency=5)
        async with RelaybotServer(settings) as server:
            yield Shop(server, crm)


async def order_water(server: RelaybotServer, n: int) -> str:
    """One client walks the whole order dialog; the text of the order's confirmation."""
    async with WebchatClient(server.url, "orders") as chat:
        await chat.say("hello", expect=2, timeout=60)
        await chat.say(f"Bishkek, Chui avenue {n + 1}", timeout=60)
        await chat.say("0555 123 456", timeout=60)
        await chat.say("3", timeout=60)
        (done, *_) = await chat.press("Yes", timeout=60)
        return str(done["text"])


async def outbox(server: RelaybotServer) -> list[tuple[int, str, str]]:
    """(id, bot, text) of every reply, in the order the replies were committed."""
    assert server.system is not None
    async with server.system.sessions() as session:
        rows = await session.execute(
            select(OutboxMessage.id, OutboxMessage.bot, OutboxMessage.payload).order_by(
                OutboxMessage.id
            )
        )
        return [(r.id, r.bot, decode_message(r.payload).text) for r in rows]


async def stored_between(server: RelaybotServer, start: float, end: float) -> int:
    assert server.system is not None
    async with server.system.sessions() as session:
        received = await session.scalars(
            select(InboundUpdate.received_at).where(InboundUpdate.bot == "orders")
        )
        return sum(1 for at in received if start <= at <= end)


def slow_lookups() -> float:
    labels = {"bot": "slowpoke", "app": "calling", "handler": "lookup"}
    return REGISTRY.get_sample_value("relaybot_slow_handlers_total", labels) or 0.0


async def test_twenty_clients_order_while_one_chat_waits_on_a_slow_service(shop: Shop) -> None:
    counted_before = slow_lookups()
    release = shop.crm.hold_answers()
    with capture_logs() as logs:
        async with WebchatClient(shop.server.url, "slowpoke") as patient:
            waiting = asyncio.create_task(patient.say("/lookup socks", timeout=120))
            await shop.crm.wait_until(lambda: shop.crm.held == 1, timeout=30)
            hold_began = time.time()

            confirmations = await asyncio.gather(*(order_water(shop.server, n) for n in range(20)))
            # Every client was answered while the slow handler was still waiting.
            assert shop.crm.held == 1 and not waiting.done(), shop.crm.keys
            hold_ended = time.time()
            release.set()
            (answer,) = await waiting

    assert all("is accepted" in text for text in confirmations)
    assert answer["text"] == "The CRM knows it as CRM-1001."
    # All 100 webhooks of the twenty dialogs were stored while the handler waited.
    assert await stored_between(shop.server, hold_began, hold_ended) == 100
    replies = await outbox(shop.server)
    (slow_reply,) = [row_id for row_id, bot, _ in replies if bot == "slowpoke"]
    orders_done = [row_id for row_id, bot, text in replies if "is accepted" in text]
    assert len(orders_done) == 20 and max(orders_done) < slow_reply

    # (on a busy machine an order step may be reported too: waiting for the CPU is not the
    # store either)
    (warned,) = [e for e in logs if e["event"].startswith("slow handler") and e["app"] == "calling"]
    assert warned["handler"] == "lookup" and warned["wait_seconds"] > warned["limit_seconds"]
    assert slow_lookups() == counted_before + 1


class SequenceApp(App):
    """Numbers each chat's messages; waits a random moment first, so that chats interleave."""

    name = "sequence"
    title = "Sequence"
    busy: ClassVar[int] = 0
    most_at_once: ClassVar[int] = 0

    async def handle(self, ctx: Context) -> None:
        SequenceApp.busy += 1
        SequenceApp.most_at_once = max(SequenceApp.most_at_once, SequenceApp.busy)
        try:
            await asyncio.sleep(random.uniform(0, 0.004))
        finally:
            SequenceApp.busy -= 1
        ctx.reply(f"{ctx.update.chat_id}:{ctx.update.text}")


BOT = BotConfig(name="seq", app="sequence", channel="webchat")


def update(chat: int, n: int) -> Update:
    return Update(
        channel="webchat",
        bot="seq",
        chat_id=f"c{chat}",
        user_id=f"c{chat}",
        update_id=f"c{chat}-{n}",
        text=str(n),
        received_at=time.time(),
    )


@pytest.mark.parametrize("concurrency", [1, 5, 50])
async def test_each_chat_keeps_its_order_at_any_concurrency(
    make_settings, database_url, concurrency: int
) -> None:
    settings = make_settings(database_url, worker_concurrency=concurrency, worker_batch_size=400)
    SequenceApp.most_at_once = 0
    async with open_store(settings) as sessions:
        queue = DbQueue(sessions)
        # 200 chats, 5 messages each, arriving interleaved in batches as webhooks do
        arriving = [update(chat, n) for n in range(5) for chat in range(200)]
        worker = Worker(
            settings=settings,
            sessions=sessions,
            queue=queue,
            bots={"seq": BOT},
            apps={"seq": SequenceApp(BOT, settings)},
        )
        stop = asyncio.Event()
        running = asyncio.create_task(worker.run(stop))
        for start in range(0, len(arriving), 50):
            await queue.put_many(arriving[start : start + 50])
            worker.wake.notify()
            await asyncio.sleep(0.01)

        async def replies() -> list[str]:
            async with sessions() as session:
                rows = await session.scalars(
                    select(OutboxMessage.payload).order_by(OutboxMessage.id)
                )
                return [decode_message(p).text for p in rows]

        async def all_answered() -> bool:
            return len(await replies()) >= 1000

        await eventually(all_answered, timeout=120)
        texts = await replies()
        stop.set()
        await running

    for chat in range(200):
        assert [t for t in texts if t.startswith(f"c{chat}:")] == [f"c{chat}:{n}" for n in range(5)]
    assert len(texts) == 1000
    if concurrency == 1:
        assert SequenceApp.most_at_once == 1
    else:
        assert 1 < SequenceApp.most_at_once <= concurrency
