"""The outbox sender: retries with backoff, honours retry_after, dead-letters what keeps failing."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from relaybot.cli import main as cli
from relaybot.config import BotConfig, Settings
from relaybot.core.channel import Limit
from relaybot.core.clock import ManualClock
from relaybot.core.errors import ChatBlocked, PermanentDeliveryError, RetryAfter
from relaybot.core.types import Address, OutgoingMessage
from relaybot.runtime.outbox import enqueue
from relaybot.runtime.sender import Sender
from relaybot.store import dlq
from relaybot.store.db import SessionMaker
from relaybot.store.models import Chat, OutboxMessage
from relaybot.system import open_store


@dataclass
class ScriptedAdapter:
    """A channel whose answers a test scripts: each entry is an exception to raise, or None."""

    script: list[Exception | None] = field(default_factory=list)
    delivered: list[tuple[str, str]] = field(default_factory=list)
    calls: int = 0
    channel: str = "scripted"
    bot: BotConfig = field(default_factory=lambda: BotConfig(name="shop", app="orders"))

    async def send(self, chat_id: str, message: OutgoingMessage) -> None:
        self.calls += 1
        outcome = self.script.pop(0) if self.script else None
        if outcome is not None:
            raise outcome
        self.delivered.append((chat_id, message.text))

    def limits(self, chat_id: str) -> list[Limit]:
        return []

    async def handle_webhook(self, request: object, subpath: str) -> object:
        raise NotImplementedError

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None


@pytest.fixture
async def store(make_settings, database_url) -> AsyncIterator[tuple[Settings, SessionMaker]]:
    settings = make_settings(database_url, outbox_max_attempts=3, outbox_backoff_base=1.0)
    async with open_store(settings) as sessions:
        yield settings, sessions


BOTS = {"shop": BotConfig(name="shop", app="orders", channel="scripted")}


async def put(sessions: SessionMaker, *texts: str, chat: str = "c1") -> None:
    async with sessions() as session, session.begin():
        await enqueue(
            session, [(Address("shop", chat), OutgoingMessage(text=t)) for t in texts], bots=BOTS
        )


def make_sender(settings: Settings, sessions: SessionMaker, adapter: ScriptedAdapter, clock):
    clock.advance(0.5)  # messages enqueued "now" by the wall clock are due on the first tick
    return Sender(settings=settings, sessions=sessions, adapters={"shop": adapter}, clock=clock)


async def statuses(sessions: SessionMaker) -> list[str]:
    async with sessions() as session:
        return list(await session.scalars(select(OutboxMessage.status).order_by(OutboxMessage.id)))


async def test_a_message_that_fails_twice_is_delivered_once_after_backoff(store):
    settings, sessions = store
    clock = ManualClock()
    adapter = ScriptedAdapter(script=[TimeoutError("slow"), ConnectionError("reset")])
    await put(sessions, "your order is accepted")
    sender = make_sender(settings, sessions, adapter, clock)

    await sender.tick()
    assert adapter.calls == 1
    await sender.tick()
    assert adapter.calls == 1, "a failed message waits for its backoff (1 s)"
    clock.advance(1.0)
    await sender.tick()
    assert adapter.calls == 2
    clock.advance(1.5)
    await sender.tick()
    assert adapter.calls == 2, "the second backoff is 2 s"
    clock.advance(0.5)
    await sender.tick()
    await sender.tick()
    assert adapter.delivered == [("c1", "your order is accepted")]
    assert await statuses(sessions) == ["sent"]


async def test_a_message_that_always_fails_goes_to_the_dlq_and_replay_delivers_it(store):
    settings, sessions = store
    clock = ManualClock()
    adapter = ScriptedAdapter(script=[RuntimeError("502 Bad Gateway")] * 3)
    await put(sessions, "hello")
    sender = make_sender(settings, sessions, adapter, clock)
    for _ in range(6):
        await sender.tick()
        clock.advance(10)
    assert adapter.calls == 3
    letters = await dlq.list_dead(sessions)
    assert [(d.chat_id, d.attempts, "502" in d.last_error) for d in letters] == [("c1", 3, True)]
    assert await statuses(sessions) == ["dead"]

    replayed = await dlq.replay(sessions, [letters[0].id])
    assert replayed == [letters[0].id]
    await sender.tick()
    assert adapter.delivered == [("c1", "hello")]
    assert await dlq.list_dead(sessions) == []


async def test_messages_of_one_chat_keep_their_order_across_a_retry(store):
    settings, sessions = store
    clock = ManualClock()
    adapter = ScriptedAdapter(script=[ConnectionError("reset")])
    await put(sessions, "one", "two", "three")
    await put(sessions, "other chat", chat="c2")
    sender = make_sender(settings, sessions, adapter, clock)
    await sender.tick()
    assert adapter.delivered == [("c2", "other chat")], "c1 waits behind its failed first message"
    clock.advance(1.0)
    await sender.tick()
    assert [t for c, t in adapter.delivered if c == "c1"] == ["one", "two", "three"]


async def test_retry_after_pauses_the_bot_then_delivers_once(store):
    settings, sessions = store
    clock = ManualClock()
    adapter = ScriptedAdapter(script=[RetryAfter(2)])
    await put(sessions, "a")
    await put(sessions, "b", chat="c2")
    sender = make_sender(settings, sessions, adapter, clock)
    await sender.tick()
    calls = adapter.calls
    clock.advance(1.9)
    await sender.tick()
    assert adapter.calls == calls, "nothing is sent to a paused bot"
    clock.advance(0.2)
    await sender.tick()
    await sender.tick()
    assert sorted(adapter.delivered) == [("c1", "a"), ("c2", "b")]
    assert await statuses(sessions) == ["sent", "sent"]


async def test_a_blocked_chat_is_marked_and_never_retried(store):
    settings, sessions = store
    clock = ManualClock()
    adapter = ScriptedAdapter(script=[ChatBlocked("Forbidden: bot was blocked by the user")])
    sender = make_sender(settings, sessions, adapter, clock)
    async with sessions() as session, session.begin():
        session.add(Chat(bot="shop", chat_id="c1", channel="scripted", user_id="u1"))
    await put(sessions, "hi")
    for _ in range(3):
        await sender.tick()
        clock.advance(10)
    assert adapter.calls == 1
    assert await statuses(sessions) == ["blocked"]
    assert await dlq.list_dead(sessions) == []
    async with sessions() as session:
        chat = await session.get(Chat, ("shop", "c1"))
    assert chat is not None and chat.blocked_at is not None


async def test_a_refused_message_goes_straight_to_the_dlq(store):
    settings, sessions = store
    adapter = ScriptedAdapter(script=[PermanentDeliveryError("Bad Request: message is too long")])
    await put(sessions, "x")
    sender = make_sender(settings, sessions, adapter, ManualClock())
    await sender.tick()
    assert adapter.calls == 1
    assert [d.attempts for d in await dlq.list_dead(sessions)] == [1]


async def test_operator_lists_replays_and_drops_dead_letters_from_the_shell(store):
    settings, sessions = store
    adapter = ScriptedAdapter(script=[PermanentDeliveryError("bad")] * 2)
    await put(sessions, "first", chat="c1")
    await put(sessions, "second", chat="c2")
    clock = ManualClock()
    sender = make_sender(settings, sessions, adapter, clock)
    await sender.tick()
    ids = [d.id for d in await dlq.list_dead(sessions)]
    assert len(ids) == 2

    runner = CliRunner()
    env = {"RELAYBOT_DATABASE_URL": settings.database_url}

    async def shell(*args: str):
        return await asyncio.to_thread(runner.invoke, cli, list(args), env=env)

    listed = await shell("dlq", "list", "--json")
    assert listed.exit_code == 0, listed.output
    assert listed.output.count('"chat_id"') == 2
    dropped = await shell("dlq", "drop", str(ids[0]))
    assert dropped.exit_code == 0 and "dropped 1" in dropped.output
    replayed = await shell("dlq", "replay", "--all")
    assert replayed.exit_code == 0 and "replayed 1" in replayed.output
    missing = await shell("dlq", "replay", "999999")
    assert missing.exit_code == 1
    clock.advance(time.time() + 0.5 - clock.now())  # the replayed message is due by now
    await sender.tick()
    assert adapter.delivered == [("c2", "second")]
