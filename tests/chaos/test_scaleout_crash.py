"""The crash test of a scaled-out relaybot: workers killed with SIGKILL lose and repeat nothing.

Real processes on the real PostgreSQL and Redis: two gateways, three workers and a sender. Five
hundred web chat visitors each send twenty messages, alternating between the gateways; a random
worker is killed with SIGKILL five times during the run and a new one started each time. The
bot answers every message with its text and the chat's message count (kept in the database),
so each visitor must see exactly "m1 #1" ... "m20 #20", in order: a lost, doubled or reordered
update shows as a wrong line.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest
from redis.asyncio import Redis
from sqlalchemy import func, select

from relaybot.runtime.queue import PARTITIONS
from relaybot.runtime.redis_queue import GROUP, RedisQueue
from relaybot.store.db import create_engine, session_maker
from relaybot.store.models import DeadLetter, OutboxMessage, ProcessedUpdate, WebchatMessage
from relaybot.testing import free_port
from relaybot.testing.processes import RelaybotProcess, relaybot_env
from relaybot.testing.waiting import eventually

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]

CHATS = 500
PER_CHAT = 20
KILLS = 5
BOT = "count"


def bot_settings() -> str:
    return json.dumps(
        [{"name": BOT, "app": "relaybot.testing.counting:CountingApp", "channel": "webchat"}]
    )


async def open_chats(client: httpx.AsyncClient, gateways: list[str], count: int) -> list[str]:
    """One web chat visitor per chat: the page hands each its own session cookie."""
    semaphore = asyncio.Semaphore(50)

    async def visit(i: int) -> str:
        async with semaphore, httpx.AsyncClient(timeout=30) as browser:
            response = await browser.get(f"{gateways[i % len(gateways)]}/")
            response.raise_for_status()
            return response.cookies["relaybot_session"]

    return list(await asyncio.gather(*(visit(i) for i in range(count))))


# Telegram opens at most 40 webhook connections at a time by default; so does this test.
IN_FLIGHT = asyncio.Semaphore(40)


async def say(client: httpx.AsyncClient, url: str, cookie: str, msg_id: str, text: str) -> None:
    """Post until the gateway says it has the message stored (a retry reuses the same id)."""
    for _ in range(100):
        try:
            async with IN_FLIGHT:
                response = await client.post(
                    f"{url}/chat/api/{BOT}/messages",
                    json={"id": msg_id, "text": text, "locale": "en"},
                    headers={"Cookie": f"relaybot_session={cookie}"},
                )
            if response.status_code == 202:
                return
            if response.status_code < 500:
                raise RuntimeError(f"message {msg_id} refused: {response.text}")
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    raise RuntimeError(f"message {msg_id} was never accepted")


async def test_killing_workers_with_sigkill_loses_and_repeats_nothing(
    tmp_path: Path, postgres_url: str, redis_url: str, redis_namespace: str, capsys
):
    env = relaybot_env(
        {
            "RELAYBOT_DATABASE_URL": postgres_url,
            "RELAYBOT_DATABASE_POOL_SIZE": "4",
            "RELAYBOT_QUEUE_URL": redis_url,
            "RELAYBOT_QUEUE_NAMESPACE": redis_namespace,
            "RELAYBOT_QUEUE_LEASE_SECONDS": "1.5",
            "RELAYBOT_QUEUE_RECLAIM_AFTER": "2",
            "RELAYBOT_POLL_INTERVAL": "0.2",
            "RELAYBOT_SENDER_CONCURRENCY": "8",
            "RELAYBOT_BOTS": bot_settings(),
            "RELAYBOT_WEBCHAT_FOR_BUNDLED_APPS": "false",
            "RELAYBOT_LOG_LEVEL": "warning",
        }
    )
    migrate = RelaybotProcess(["migrate"], env=env, workdir=tmp_path, name="migrate")
    await migrate.start()
    assert migrate.process is not None and await migrate.process.wait() == 0, migrate.tail()

    gateways = [
        RelaybotProcess(
            ["gateway"], env=env, workdir=tmp_path, name=f"gateway{i}", port=free_port()
        )
        for i in (1, 2)
    ]
    sender = RelaybotProcess(["sender"], env=env, workdir=tmp_path, name="sender")
    spawned = 0

    def new_worker() -> RelaybotProcess:
        nonlocal spawned
        spawned += 1
        return RelaybotProcess(["worker"], env=env, workdir=tmp_path, name=f"worker{spawned}")

    workers = [new_worker() for _ in range(3)]
    everyone = [*gateways, sender, *workers]
    await asyncio.gather(*(p.start() for p in everyone))

    engine = create_engine(postgres_url, pool_size=2)
    sessions = session_maker(engine)

    async def replies_stored() -> int:
        async with sessions() as session:
            count = await session.scalar(
                select(func.count())
                .select_from(WebchatMessage)
                .where(WebchatMessage.direction == "out")
            )
        return int(count or 0)

    rng = random.Random(20240601)
    sent = 0
    kills = 0
    killed_at: list[float] = []
    started = time.monotonic()
    try:
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
        async with httpx.AsyncClient(timeout=30, limits=limits) as client:
            urls = [g.url for g in gateways]
            cookies = await open_chats(client, urls, CHATS)
            started = time.monotonic()

            async def chat(index: int) -> None:
                nonlocal sent
                for n in range(1, PER_CHAT + 1):
                    url = urls[(index + n) % len(urls)]
                    await say(client, url, cookies[index], f"chat{index:04d}-msg{n:03d}", f"m{n}")
                    sent += 1

            async def chaos() -> None:
                nonlocal kills
                total = CHATS * PER_CHAT
                for k in range(1, KILLS + 1):
                    threshold = total * k // (KILLS + 1)

                    async def reached(threshold: int = threshold) -> bool:
                        return sent >= threshold

                    await eventually(reached, timeout=240)
                    victim = rng.choice([w for w in workers if w.alive])
                    await victim.kill()
                    kills += 1
                    killed_at.append(round(time.monotonic() - started, 1))
                    replacement = new_worker()
                    workers.append(replacement)
                    everyone.append(replacement)
                    await replacement.start()

            async def progress() -> None:
                while True:
                    await asyncio.sleep(10)
                    with capsys.disabled():
                        print(
                            f"\n{time.monotonic() - started:.0f}s: sent {sent}, kills {kills}, "
                            f"replies {await replies_stored()}",
                            flush=True,
                        )

            reporter = asyncio.create_task(progress())
            async with asyncio.timeout(240):
                await asyncio.gather(chaos(), *(chat(i) for i in range(CHATS)))

                async def all_replied() -> bool:
                    return await replies_stored() >= CHATS * PER_CHAT

                await eventually(all_replied, timeout=180, interval=0.25)
                await asyncio.sleep(1.0)  # a duplicate would still be on its way now
            reporter.cancel()
        wall = time.monotonic() - started

        async with sessions() as session:
            rows = await session.execute(
                select(WebchatMessage.chat_id, WebchatMessage.text)
                .where(WebchatMessage.direction == "out")
                .order_by(WebchatMessage.id)
            )
            received: dict[str, list[str]] = {}
            for chat_id, text in rows:
                received.setdefault(chat_id, []).append(text)
            unsent = await session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.status != "sent")
            )
            dead = await session.scalar(select(func.count()).select_from(DeadLetter))
            processed = await session.scalar(select(func.count()).select_from(ProcessedUpdate))

        redis = Redis.from_url(redis_url)
        try:
            queue = RedisQueue(redis, namespace=redis_namespace)
            depth = (await queue.stats()).depth
            pending = 0
            for partition in range(PARTITIONS):
                summary = await redis.xpending(queue.stream(partition), GROUP)
                pending += int(summary["pending"])
        finally:
            await redis.aclose()
    finally:
        await asyncio.gather(*(p.stop() for p in everyone))
        await engine.dispose()

    expected = [f"m{n} #{n}" for n in range(1, PER_CHAT + 1)]
    replies = sum(len(texts) for texts in received.values())
    duplicates = sum(n - 1 for texts in received.values() for n in Counter(texts).values() if n > 1)
    lost = sum(len(set(expected) - set(texts)) for texts in received.values())
    lost += (CHATS - len(received)) * PER_CHAT
    reorders = sum(
        1
        for texts in received.values()
        for a, b in itertools.pairwise(texts)
        if a in expected and b in expected and expected.index(a) > expected.index(b)
    )
    figures = (
        f"scale-out crash test: updates {CHATS * PER_CHAT} over {CHATS} chats, "
        f"processes 2 gateways + {spawned} workers (3 at a time) + 1 sender, "
        f"kills {kills} (at {', '.join(f'{t}s' for t in killed_at)}), replies {replies}, "
        f"duplicates {duplicates}, lost {lost}, reorders {reorders}, "
        f"queue depth {depth}, unacknowledged {pending}, unsent {unsent}, DLQ {dead}, "
        f"wall time {wall:.1f}s ({CHATS * PER_CHAT / wall:.0f} updates/s end to end)"
    )
    with capsys.disabled():
        print(f"\n{figures}")
    assert kills == KILLS
    assert (duplicates, lost, reorders) == (0, 0, 0), figures
    assert all(texts == expected for texts in received.values()), figures
    assert len(received) == CHATS
    assert (depth, pending, unsent, dead) == (0, 0, 0, 0), figures
    assert processed == CHATS * PER_CHAT
