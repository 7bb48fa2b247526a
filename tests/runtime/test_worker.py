"""Workers: per-chat order, exactly-once effects, and a polite end to an app that keeps failing."""

from __future__ import annotations

import time
from typing import ClassVar

from sqlalchemy import select

from relaybot.config import BotConfig
from relaybot.core.app import App, Context
from relaybot.core.types import OutgoingMessage, Update, decode_message
from relaybot.runtime.queue import DbQueue, IngestBatcher
from relaybot.runtime.worker import Worker
from relaybot.store.models import InboundUpdate, OutboxMessage
from relaybot.system import open_store


class CounterApp(App):
    """Echoes each message with its per-chat sequence number; fails on 'boom'."""

    name = "counter"
    title = "Counter"
    failures: ClassVar[dict[str, int]] = {}

    async def handle(self, ctx: Context) -> None:
        if ctx.update.text.startswith("boom"):
            CounterApp.failures[ctx.update.text] = CounterApp.failures.get(ctx.update.text, 0) + 1
            if ctx.update.text == "boom" or CounterApp.failures[ctx.update.text] < 2:
                raise RuntimeError("the app fell over")
        ctx.reply(f"{ctx.update.chat_id}:{ctx.update.text}")


BOT = BotConfig(name="count", app="counter", channel="webchat")


def update(chat: str, n: int | str, text: str | None = None) -> Update:
    return Update(
        channel="webchat",
        bot="count",
        chat_id=chat,
        user_id=chat,
        update_id=f"{chat}-{n}",
        text=text if text is not None else str(n),
        received_at=time.time(),
    )


async def outbox_texts(sessions) -> list[str]:
    async with sessions() as session:
        rows = await session.scalars(select(OutboxMessage.payload).order_by(OutboxMessage.id))
        return [decode_message(p).text for p in rows]


async def test_each_chat_is_handled_in_arrival_order_and_repeats_are_dropped(
    make_settings, database_url
):
    settings = make_settings(database_url, worker_batch_size=7)
    async with open_store(settings) as sessions:
        queue = DbQueue(sessions)
        batcher = IngestBatcher(queue)
        chats = [f"c{i}" for i in range(5)]
        interleaved = [update(chat, n) for n in range(20) for chat in chats]
        accepted = await batcher.submit(interleaved)
        assert all(accepted)
        repeats = await batcher.submit(interleaved[:10])
        assert not any(repeats)

        worker = Worker(
            settings=settings,
            sessions=sessions,
            queue=queue,
            bots={"count": BOT},
            apps={"count": CounterApp(BOT, settings)},
        )
        while await worker.run_once():
            pass
        texts = await outbox_texts(sessions)
    assert len(texts) == 100
    for chat in chats:
        assert [t for t in texts if t.startswith(f"{chat}:")] == [f"{chat}:{n}" for n in range(20)]


async def test_an_app_that_keeps_failing_leads_to_an_apology_not_a_loop(make_settings, sqlite_url):
    settings = make_settings(sqlite_url, worker_max_attempts=3)
    async with open_store(settings) as sessions:
        queue = DbQueue(sessions)
        await queue.put_many([update("a", 1, "boom"), update("a", 2, "after"), update("b", 1)])
        worker = Worker(
            settings=settings,
            sessions=sessions,
            queue=queue,
            bots={"count": BOT},
            apps={"count": CounterApp(BOT, settings)},
        )
        while await worker.run_once():
            pass
        texts = await outbox_texts(sessions)
        async with sessions() as session:
            rows = list(
                await session.execute(select(InboundUpdate.update_id, InboundUpdate.status))
            )
    assert texts[0] == "b:1", "another chat is not held up"
    assert "что-то пошло не так" in texts[1], "default locale is Russian"
    assert texts[2] == "a:after", "the failed chat's next message waited its turn"
    assert dict(rows) == {"a-1": "failed", "a-2": "done", "b-1": "done"}


async def test_an_app_that_fails_once_succeeds_on_retry_with_effects_once(
    make_settings, sqlite_url
):
    settings = make_settings(sqlite_url)
    async with open_store(settings) as sessions:
        queue = DbQueue(sessions)
        await queue.put_many([update("a", 1, "boom-once"), update("a", 2, "next")])
        worker = Worker(
            settings=settings,
            sessions=sessions,
            queue=queue,
            bots={"count": BOT},
            apps={"count": CounterApp(BOT, settings)},
        )
        while await worker.run_once():
            pass
        assert await outbox_texts(sessions) == ["a:boom-once", "a:next"]


def test_outgoing_messages_round_trip_through_the_outbox_encoding():
    from relaybot.core.types import Button, encode

    message = OutgoingMessage(text="hi", buttons=((Button("Yes", "flow:yes"),),))
    assert decode_message(encode(message)) == message
