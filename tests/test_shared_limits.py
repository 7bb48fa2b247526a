"""Several sender processes: one shared rate budget in Redis, and never a message sent twice."""

from __future__ import annotations

import asyncio
import itertools
import random
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from redis.asyncio import Redis
from sqlalchemy import func, select

from relaybot.channels.limits import window_limit
from relaybot.config import BotConfig
from relaybot.core.channel import Limit
from relaybot.core.clock import ManualClock
from relaybot.core.errors import RetryAfter
from relaybot.core.types import Address, OutgoingMessage
from relaybot.runtime.outbox import enqueue
from relaybot.runtime.redis_ratelimit import RedisRateLimiter
from relaybot.runtime.sender import Sender
from relaybot.store.models import OutboxMessage
from relaybot.system import open_store
from relaybot.testing.waiting import eventually

pytestmark = pytest.mark.redis

BOT_RATE, CHAT_RATE = 30, 1.0


def telegram_like(chat_id: str) -> list[Limit]:
    """Telegram's documented budget: 30 messages a second per bot, 1 a second per chat."""
    return [window_limit("shop", 30, 1.0, burst=3), Limit(f"shop:{chat_id}", rate=CHAT_RATE)]


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()


def limiters(redis: Redis, namespace: str, clock: ManualClock, n: int) -> list[RedisRateLimiter]:
    return [RedisRateLimiter(redis, namespace=namespace, clock=clock) for _ in range(n)]


async def test_three_senders_together_keep_thirty_a_second_per_bot_and_one_per_chat(
    redis, redis_namespace
):
    clock = ManualClock()
    senders = limiters(redis, redis_namespace, clock, 3)
    granted: list[float] = []
    granted_per_chat: defaultdict[str, list[float]] = defaultdict(list)
    for _tick in range(50):  # five seconds in steps of 100 ms, every sender trying 50 chats
        clock.advance(0.1)
        for limiter in senders:
            for chat in range(50):
                if await limiter.reserve(telegram_like(f"c{chat}")) == 0.0:
                    granted.append(clock.now())
                    granted_per_chat[f"c{chat}"].append(clock.now())
    # Never more than 30 in any one-second window, whichever sender sent them.
    for i, start in enumerate(granted):
        in_window = sum(1 for t in granted[i:] if t < start + 1.0 - 1e-6)
        assert in_window <= 30, f"{in_window} sends in the second from {start}"
    assert len(granted) >= BOT_RATE * 5 * 0.8, "together they still use most of the budget"
    for chat, times in granted_per_chat.items():
        gaps = [b - a for a, b in itertools.pairwise(times)]
        assert all(gap >= 1.0 - 1e-6 for gap in gaps), f"{chat} got two within 1 s: {gaps}"


async def test_a_message_takes_tokens_from_all_its_buckets_or_from_none(redis, redis_namespace):
    clock = ManualClock()
    first, second = limiters(redis, redis_namespace, clock, 2)
    assert await first.reserve([Limit("shop:c1", rate=1.0)]) == 0.0
    # c1's bucket is empty, so a message that needs both c2's and c1's waits...
    wait = await second.reserve([Limit("shop:c2", rate=1.0), Limit("shop:c1", rate=1.0)])
    assert 0.99 <= wait <= 1.0
    # ...and did not spend c2's token meanwhile.
    assert await second.reserve([Limit("shop:c2", rate=1.0)]) == 0.0


async def test_a_429_seen_by_one_sender_pauses_the_bot_for_all(redis, redis_namespace):
    clock = ManualClock()
    first, second = limiters(redis, redis_namespace, clock, 2)
    await first.pause("shop", 5.0)
    wait = await second.reserve(telegram_like("c9"))
    assert 4.99 <= wait <= 5.0
    assert await second.reserve([Limit("other:c9", rate=1.0)]) == 0.0, "other bots go on"
    clock.advance(5.01)
    assert await second.reserve(telegram_like("c9")) == 0.0


async def test_a_shorter_pause_does_not_cut_a_longer_one(redis, redis_namespace):
    clock = ManualClock()
    (limiter,) = limiters(redis, redis_namespace, clock, 1)
    await limiter.pause("shop", 10.0)
    await limiter.pause("shop", 1.0)
    assert await limiter.reserve([Limit("shop", rate=30.0, burst=30)]) >= 9.9


async def test_without_a_clock_the_limiter_uses_redis_time(redis, redis_namespace):
    limiter = RedisRateLimiter(redis, namespace=redis_namespace)
    assert await limiter.reserve([Limit("shop:c1", rate=0.5)]) == 0.0
    assert 1.5 < await limiter.reserve([Limit("shop:c1", rate=0.5)]) <= 2.0


@dataclass
class Recorder:
    """What the channel received, from which sender; shared by the senders' adapters."""

    delivered: list[tuple[str, str, int]] = field(default_factory=list)
    rng: random.Random = field(default_factory=lambda: random.Random(7))


class RecordingChannel:
    """One sender's adapter: answers after a random short delay, now and then with a 429."""

    channel = "recording"

    def __init__(self, recorder: Recorder, number: int) -> None:
        self.recorder = recorder
        self.number = number
        self.bot = BotConfig(name="shop", app="orders", channel="recording")

    async def send(self, chat_id: str, message: OutgoingMessage) -> None:
        await asyncio.sleep(self.recorder.rng.uniform(0, 0.004))
        if self.recorder.rng.random() < 0.02:
            raise RetryAfter(0.05)
        self.recorder.delivered.append((chat_id, message.text, self.number))

    def limits(self, chat_id: str) -> list[Limit]:
        return [Limit("shop", rate=1000.0, burst=1000), Limit(f"shop:{chat_id}", rate=1000.0)]

    async def handle_webhook(self, request: object, subpath: str) -> object:
        raise NotImplementedError

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None


@pytest.mark.postgres
async def test_two_senders_on_one_outbox_never_deliver_a_message_twice(
    make_settings, postgres_url, redis, redis_namespace
):
    settings = make_settings(postgres_url, outbox_backoff_base=0.05, sender_concurrency=16)
    bots = {"shop": BotConfig(name="shop", app="orders", channel="recording")}
    channel = Recorder()
    async with open_store(settings) as sessions:
        async with sessions() as session, session.begin():
            for n in range(1, 16):
                messages = [
                    (Address("shop", f"c{c}"), OutgoingMessage(text=f"{n}")) for c in range(40)
                ]
                await enqueue(session, messages, bots=bots)
        stop = asyncio.Event()
        senders = [
            Sender(
                settings=settings,
                sessions=sessions,
                adapters={"shop": RecordingChannel(channel, number)},
                limiter=RedisRateLimiter(redis, namespace=redis_namespace),
            )
            for number in (1, 2)
        ]
        tasks = [asyncio.create_task(s.run(stop)) for s in senders]
        try:

            async def all_delivered() -> bool:
                return len(channel.delivered) >= 600

            await eventually(all_delivered, timeout=90)
            await asyncio.sleep(0.3)  # anything sent twice would arrive by now
        finally:
            stop.set()
            await asyncio.gather(*tasks)
        async with sessions() as session:
            pending = await session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.status != "sent")
            )
    copies = Counter((chat, text) for chat, text, _ in channel.delivered)
    assert [key for key, n in copies.items() if n > 1] == []
    assert len(copies) == 600 and pending == 0
    by_chat: defaultdict[str, list[int]] = defaultdict(list)
    for chat, text, _ in channel.delivered:
        by_chat[chat].append(int(text))
    assert all(texts == list(range(1, 16)) for texts in by_chat.values()), "per-chat order kept"
    assert {number for *_, number in channel.delivered} == {1, 2}, "both senders took part"
