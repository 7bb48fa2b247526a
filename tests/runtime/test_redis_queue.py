"""The Redis Streams queue on the real Redis and PostgreSQL servers: order, balance, recovery."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import pytest
from redis.asyncio import Redis
from sqlalchemy import select
from structlog.testing import capture_logs

from relaybot.config import BotConfig, Settings
from relaybot.core.types import Update, decode_message
from relaybot.runtime.partitions import assign
from relaybot.runtime.queue import PARTITIONS, partition_of
from relaybot.runtime.redis_queue import RedisQueue
from relaybot.runtime.worker import Worker
from relaybot.store.db import SessionMaker
from relaybot.store.models import OutboxMessage, ProcessedUpdate
from relaybot.system import open_store
from relaybot.testing.counting import CountingApp
from relaybot.testing.waiting import eventually

pytestmark = [pytest.mark.redis, pytest.mark.postgres]

BOT = BotConfig(name="count", app="relaybot.testing.counting:CountingApp", channel="webchat")


@dataclass
class Rig:
    settings: Settings
    sessions: SessionMaker
    redis: Redis
    namespace: str
    queues: list[RedisQueue]

    def queue(self, *, lease: float = 3.0, reclaim: float = 30.0, member: str = "") -> RedisQueue:
        queue = RedisQueue(
            self.redis,
            namespace=self.namespace,
            lease_seconds=lease,
            reclaim_after=reclaim,
            block_seconds=0.05,
            member=member or None,
        )
        self.queues.append(queue)
        return queue

    def worker(self, queue: RedisQueue) -> Worker:
        app = CountingApp(BOT, self.settings)
        return Worker(
            settings=self.settings,
            sessions=self.sessions,
            queue=queue,
            bots={BOT.name: BOT},
            apps={BOT.name: app},
        )


@pytest.fixture
async def rig(make_settings, postgres_url, redis_url, redis_namespace) -> AsyncIterator[Rig]:
    settings = make_settings(postgres_url, bots=[BOT], webchat_for_bundled_apps=False)
    redis = Redis.from_url(redis_url, socket_timeout=10)
    async with open_store(settings) as sessions:
        rig = Rig(settings, sessions, redis, redis_namespace, [])
        try:
            yield rig
        finally:
            for queue in rig.queues:
                await queue.close()
            await redis.aclose()


def message(chat: str, n: int, *, update_id: str | None = None) -> Update:
    return Update(
        channel="webchat",
        bot=BOT.name,
        chat_id=chat,
        user_id=chat,
        update_id=update_id or f"{chat}-{n}",
        text=f"m{n}",
    )


async def replies(sessions: SessionMaker) -> dict[str, list[str]]:
    async with sessions() as session:
        rows = await session.execute(
            select(OutboxMessage.chat_id, OutboxMessage.payload).order_by(OutboxMessage.id)
        )
        by_chat: dict[str, list[str]] = defaultdict(list)
        for chat_id, payload in rows:
            by_chat[chat_id].append(decode_message(payload).text)
    return dict(by_chat)


def expected(chats: int, per_chat: int) -> dict[str, list[str]]:
    return {f"c{c}": [f"m{n} #{n}" for n in range(1, per_chat + 1)] for c in range(chats)}


async def run_until(
    workers: list[Worker], done: Callable[[], Awaitable[bool]], timeout: float
) -> None:
    stop = asyncio.Event()
    with capture_logs() as logs:
        tasks = [asyncio.create_task(w.run(stop)) for w in workers]
        try:
            await eventually(done, timeout=timeout)
        finally:
            stop.set()
            await asyncio.gather(*tasks)
    errors = [entry for entry in logs if entry["log_level"] in ("error", "critical")]
    assert errors == [], "the workers ran without a single failed batch"


async def test_a_repeated_update_is_queued_once_even_within_one_batch(rig: Rig):
    queue = rig.queue()
    first = message("c1", 1)
    assert await queue.put_many([first, message("c1", 2), first]) == [True, True, False]
    assert await queue.put_many([first]) == [False]
    stats = await queue.stats()
    assert stats.depth == 2
    assert stats.oldest_age is not None and stats.oldest_age < 60


async def test_two_workers_split_the_partitions_and_answer_every_chat_in_order(rig: Rig):
    feeder = rig.queue()
    for n in range(1, 11):
        await feeder.put_many([message(f"c{c}", n) for c in range(40)])
    first, second = rig.queue(member="worker-a"), rig.queue(member="worker-b")
    workers = [rig.worker(first), rig.worker(second)]

    async def all_answered() -> bool:
        return sum(map(len, (await replies(rig.sessions)).values())) >= 400

    await run_until(workers, all_answered, timeout=60)
    assert await replies(rig.sessions) == expected(40, 10)
    assert first.leases.held and second.leases.held
    assert not first.leases.held & second.leases.held
    assert (await feeder.stats()).depth == 0


async def test_a_dead_workers_unacknowledged_updates_are_taken_over_and_answered_once(rig: Rig):
    feeder = rig.queue()
    await feeder.put_many([message(f"c{c}", n) for n in (1, 2, 3) for c in range(10)])

    doomed = rig.queue(lease=0.6, reclaim=0.5, member="doomed")
    taken = await doomed.fetch(100)
    assert taken, "the first worker read updates before it died"
    # It dies without a word: no acknowledgement, no goodbye, its heartbeat just stops.
    assert doomed._beating is not None
    doomed._beating.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await doomed._beating
    doomed._beating = None
    rig.queues.remove(doomed)

    heir = rig.queue(lease=0.6, reclaim=0.5, member="heir")

    async def all_answered() -> bool:
        return sum(map(len, (await replies(rig.sessions)).values())) >= 30

    await run_until([rig.worker(heir)], all_answered, timeout=30)
    assert await replies(rig.sessions) == expected(10, 3)
    assert (await feeder.stats()).depth == 0
    pending = await rig.redis.xpending(feeder.stream(next(iter(heir.leases.held))), "workers")
    assert pending["pending"] == 0


async def test_an_update_committed_but_not_acknowledged_is_not_handled_again(rig: Rig):
    feeder = rig.queue()
    await feeder.put_many([message("c0", 1), message("c0", 2)])
    doomed = rig.queue(lease=0.6, reclaim=0.3, member="doomed")
    items = await doomed.fetch(10)
    worker = rig.worker(doomed)

    async def no_ack(_items: object) -> None:
        return None  # the process died between the commit and XACK

    doomed.acknowledge = no_ack  # type: ignore[method-assign]
    await worker.process(items)
    assert await replies(rig.sessions) == {"c0": ["m1 #1", "m2 #2"]}
    assert doomed._beating is not None
    doomed._beating.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await doomed._beating
    doomed._beating = None
    rig.queues.remove(doomed)

    heir = rig.queue(lease=0.6, reclaim=0.3, member="heir")

    async def drained() -> bool:
        return (await feeder.stats()).depth == 0

    await run_until([rig.worker(heir)], drained, timeout=30)
    assert await replies(rig.sessions) == {"c0": ["m1 #1", "m2 #2"]}


async def test_a_worker_that_joins_gets_partitions_handed_over_without_losing_order(rig: Rig):
    feeder = rig.queue()
    first = rig.queue(lease=0.9, member="first")
    stop = asyncio.Event()
    running = [asyncio.create_task(rig.worker(first).run(stop))]
    try:
        for n in range(1, 21):
            await feeder.put_many([message(f"c{c}", n) for c in range(30)])
            if n == 8:  # a second worker joins mid-stream and takes half the partitions
                second = rig.queue(lease=0.9, member="second")
                running.append(asyncio.create_task(rig.worker(second).run(stop)))
            await asyncio.sleep(0.05)

        async def all_answered() -> bool:
            return sum(map(len, (await replies(rig.sessions)).values())) >= 600

        async def handed_over() -> bool:
            return len(first.leases.held) + len(second.leases.held) == PARTITIONS

        await eventually(all_answered, timeout=60)
        await eventually(handed_over, timeout=30)  # every partition ends up with one of them
    finally:
        stop.set()
        await asyncio.gather(*running)
    assert await replies(rig.sessions) == expected(30, 20)
    assert second.leases.held, "the newcomer got partitions"


async def test_an_app_failure_is_retried_in_order_then_given_up_with_an_apology(rig: Rig):
    queue = rig.queue()
    await queue.put_many([message("c0", 1), message("c0", 2), message("c1", 1)])
    worker = rig.worker(queue)
    failing = worker.apps[BOT.name]
    original = failing.handle
    calls: Counter[str] = Counter()

    async def flaky(ctx):  # type: ignore[no-untyped-def]
        calls[ctx.update.update_id] += 1
        if ctx.update.update_id == "c0-1":
            raise RuntimeError("the app broke on this one")
        await original(ctx)

    failing.handle = flaky  # type: ignore[method-assign]
    for _ in range(6):
        items = await queue.fetch(50)
        if items:
            await worker.process(items)
    answered = await replies(rig.sessions)
    assert calls["c0-1"] == rig.settings.worker_max_attempts
    assert answered["c1"] == ["m1 #1"]
    assert answered["c0"][0].startswith("Sorry") or answered["c0"][0].startswith("Извините")
    assert answered["c0"][1:] == ["m2 #1"], "the later message waited for the failed one"
    assert (await queue.stats()).depth == 0


def test_partitions_are_spread_evenly_and_few_move_when_a_worker_leaves():
    members = ["a", "b", "c"]
    before = assign(PARTITIONS, members)
    counts = Counter(before.values())
    assert max(counts.values()) - min(counts.values()) <= 1
    after = assign(PARTITIONS, ["a", "b"])
    moved = [p for p in range(PARTITIONS) if before[p] != after[p]]
    assert {p for p, m in before.items() if m == "c"} <= set(moved)
    assert len(moved) < PARTITIONS / 2, "a round-robin spread would move two thirds"
    assert Counter(after.values()) == {"a": 32, "b": 32}
    assert assign(PARTITIONS, []) == {}


async def test_a_partition_lost_and_taken_again_is_checked_again_before_it_is_read(rig: Rig):
    """A worker whose lease lapsed (a long pause) and who takes the partition back later must
    look again for what another worker left unfinished there, instead of reading on."""
    feeder = rig.queue()
    await feeder.put_many([message("c0", 1)])
    first = rig.queue(lease=0.6, reclaim=0.3, member="first")
    assert [i.update.text for i in await first.fetch(10)] == ["m1"]
    await first.acknowledge([])  # still working on it when the pause begins
    partition = partition_of(BOT.name, "c0")
    tenure = first.leases.tenure[partition]
    assert first._beating is not None
    first._beating.cancel()  # the pause: no heartbeat, no renewal
    with contextlib.suppress(asyncio.CancelledError):
        await first._beating
    first._beating = None
    await rig.redis.delete(first.leases.owner_key(partition))  # the lease ran out meanwhile
    await first.leases.beat()  # back: the free lease is taken again, as a new tenure
    assert first.leases.tenure[partition] == tenure + 1
    await first._ready()
    assert first._settled[partition] == tenure + 1, "settled again under the new tenure"
    assert partition in first._replay, "its own unfinished entries are read before new ones"


async def test_markers_older_than_the_repeat_window_are_pruned_by_a_worker(rig: Rig):
    now = time.time()

    async def mark(*ids: str, age: float) -> None:
        async with rig.sessions() as session, session.begin():
            for update_id in ids:
                session.add(
                    ProcessedUpdate(bot=BOT.name, update_id=update_id, processed_at=now - age)
                )

    await mark("recent", age=60)
    await mark(*(f"old-{n}" for n in range(5)), age=4 * 24 * 3600)
    queue = RedisQueue(
        rig.redis,
        namespace=rig.namespace,
        dedup_seconds=3 * 24 * 3600,
        block_seconds=0.05,
        sessions=rig.sessions,
        prune_every=0.0,  # due at once
    )
    rig.queues.append(queue)
    assert await queue.prune(rig.sessions, chunk=2) == 5, "in bites of two, all five"
    await mark("older", "oldest", age=5 * 24 * 3600)
    assert await queue.fetch(10) == []  # a worker's fetch prunes when it is due
    async with rig.sessions() as session:
        left = list(await session.scalars(select(ProcessedUpdate.update_id)))
    assert left == ["recent"]
