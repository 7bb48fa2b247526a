"""The crash test of a scaled-out relaybot: workers killed with SIGKILL lose and repeat nothing.

Real processes on the real PostgreSQL and Redis: two gateways, three workers, a sender and the
Telegram Bot API stand-in. Two hundred Telegram users each send twenty messages; their updates
are posted to the two gateways' Telegram webhooks in turn (as Telegram does behind a load
balancer: one chat's next update after the previous one was answered). A random worker is killed
with SIGKILL five times during the run and a new one started each time. The bot answers every
message with its text and the chat's message count (kept in the database), so the stand-in must
have received exactly "m1 #1" ... "m20 #20" for every chat, in order: a lost, doubled or
reordered update shows as a wrong line.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis
from sqlalchemy import func, select

from relaybot.runtime.queue import PARTITIONS
from relaybot.runtime.redis_queue import GROUP, RedisQueue
from relaybot.store.db import create_engine, session_maker
from relaybot.store.models import DeadLetter, OutboxMessage, ProcessedUpdate
from relaybot.testing import free_port
from relaybot.testing.processes import RelaybotProcess, relaybot_env
from relaybot.testing.waiting import eventually

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]

CHATS = 200
PER_CHAT = 20
KILLS = 5
BOT = "count"
TOKEN = "123456:chaos-test-token"
SECRET = "chaos-test-secret"
FIRST_USER = 7_000_000
# Telegram opens at most 40 connections to a webhook at a time by default; so does this test.
CONNECTIONS = 40


def bot_settings(api_base: str) -> str:
    """The counting bot on Telegram. The stand-in does not enforce Telegram's 30 messages a
    second (the limiter tests do), so the limits are raised to let 4,000 replies through in
    seconds rather than minutes."""
    return json.dumps(
        [
            {
                "name": BOT,
                "app": "relaybot.testing.counting:CountingApp",
                "channel": "telegram",
                "token": TOKEN,
                "webhook_secret": SECRET,
                "api_base": api_base,
                "options": {
                    "per_bot_per_second": 5000,
                    "per_bot_burst": 200,
                    "per_chat_per_second": 50,
                    "per_chat_burst": 20,
                },
            }
        ]
    )


def telegram_update(chat: int, n: int) -> dict[str, Any]:
    """What Telegram posts when user `chat` sends their n-th message ("m<n>")."""
    user = {"id": FIRST_USER + chat, "is_bot": False, "first_name": f"User{chat}"}
    return {
        "update_id": 100_000 + n * CHATS + chat,
        "message": {
            "message_id": n,
            "date": int(time.time()),
            "chat": {"id": FIRST_USER + chat, "type": "private", "first_name": f"User{chat}"},
            "from": {**user, "language_code": "en"},
            "text": f"m{n}",
        },
    }


async def deliver(client: httpx.AsyncClient, url: str, update: dict[str, Any]) -> None:
    """Post until the gateway answers 200, as Telegram retries a webhook that failed."""
    for _ in range(100):
        try:
            response = await client.post(
                f"{url}/webhook/telegram/{BOT}",
                json=update,
                headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
            )
            if response.status_code == 200:
                return
            if response.status_code < 500:
                raise RuntimeError(f"update {update['update_id']} refused: {response.text}")
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    raise RuntimeError(f"update {update['update_id']} was never accepted")


async def test_killing_workers_with_sigkill_loses_and_repeats_nothing(
    tmp_path: Path, postgres_url: str, redis_url: str, redis_namespace: str, capsys, record_property
):
    standin = RelaybotProcess(
        [],
        env=relaybot_env({}),
        workdir=tmp_path,
        name="telegram-standin",
        port=free_port(),
        module="relaybot.testing.telegram_standin",
        ready_path="/_standin/calls",
    )
    env = relaybot_env(
        {
            "RELAYBOT_DATABASE_URL": postgres_url,
            "RELAYBOT_DATABASE_POOL_SIZE": "4",
            "RELAYBOT_QUEUE_URL": redis_url,
            "RELAYBOT_QUEUE_NAMESPACE": redis_namespace,
            "RELAYBOT_QUEUE_LEASE_SECONDS": "1.5",
            "RELAYBOT_QUEUE_RECLAIM_AFTER": "2",
            "RELAYBOT_POLL_INTERVAL": "0.2",
            "RELAYBOT_BOTS": bot_settings(standin.url),
            "RELAYBOT_WEBCHAT_FOR_BUNDLED_APPS": "false",
            "RELAYBOT_INBOUND_USER_BURST": "100",
            "RELAYBOT_INBOUND_CHAT_BURST": "100",
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
    everyone = [standin, *gateways, sender, *workers]

    engine = create_engine(postgres_url, pool_size=2)
    sessions = session_maker(engine)

    async def replies_sent() -> int:
        async with sessions() as session:
            count = await session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.status == "sent")
            )
        return int(count or 0)

    rng = random.Random(20240601)
    delivered = kills = 0
    killed_at: list[str] = []
    started = time.monotonic()
    try:
        await asyncio.gather(*(p.start(timeout=120) for p in everyone))
        started = time.monotonic()
        limits = httpx.Limits(max_connections=CONNECTIONS, max_keepalive_connections=CONNECTIONS)
        async with httpx.AsyncClient(timeout=30, limits=limits) as client:
            urls = [g.url for g in gateways]
            connections = asyncio.Semaphore(CONNECTIONS)

            async def chat(index: int) -> None:
                nonlocal delivered
                for n in range(1, PER_CHAT + 1):
                    async with connections:
                        url = urls[(index + n) % len(urls)]
                        await deliver(client, url, telegram_update(index, n))
                    delivered += 1

            async def chaos() -> None:
                nonlocal kills
                for k in range(1, KILLS + 1):

                    async def reached(threshold: int = CHATS * PER_CHAT * k // (KILLS + 1)) -> bool:
                        return delivered >= threshold

                    await eventually(reached, timeout=240)
                    victim = rng.choice([w for w in workers if w.alive])
                    await victim.kill()
                    kills += 1
                    killed_at.append(f"{time.monotonic() - started:.0f}s")
                    replacement = new_worker()
                    workers.append(replacement)
                    everyone.append(replacement)
                    await replacement.start()

            async def progress() -> None:
                while True:
                    await asyncio.sleep(15)
                    with capsys.disabled():
                        print(
                            f"\n  {time.monotonic() - started:.0f}s: updates in {delivered}, "
                            f"kills {kills}, replies out {await replies_sent()}",
                            flush=True,
                        )

            reporter = asyncio.create_task(progress())
            async with asyncio.timeout(270):
                await asyncio.gather(chaos(), *(chat(i) for i in range(CHATS)))
                delivered_at = time.monotonic() - started

                async def all_replied() -> bool:
                    return await replies_sent() >= CHATS * PER_CHAT

                await eventually(all_replied, timeout=180, interval=0.25)
                wall = time.monotonic() - started
                await asyncio.sleep(1.0)  # a duplicate would still be on its way now
                response = await client.get(f"{standin.url}/_standin/telegram/messages")
                response.raise_for_status()
                messages = response.json()["messages"]
            reporter.cancel()

        async with sessions() as session:
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

    received: dict[int, list[str]] = {}
    for message in messages:
        received.setdefault(int(message["chat"]["id"]), []).append(str(message.get("text", "")))
    expected = [f"m{n} #{n}" for n in range(1, PER_CHAT + 1)]
    replies = sum(len(texts) for texts in received.values())
    duplicates = sum(n - 1 for texts in received.values() for n in Counter(texts).values() if n > 1)
    lost = sum(len(set(expected) - set(received.get(FIRST_USER + c, []))) for c in range(CHATS))
    reorders = sum(
        1
        for texts in received.values()
        for a, b in itertools.pairwise(texts)
        if a in expected and b in expected and expected.index(a) > expected.index(b)
    )
    figures = (
        f"scale-out crash test (PostgreSQL + Redis, Telegram webhooks): "
        f"updates {CHATS * PER_CHAT} over {CHATS} chats, 2 gateways, 3 workers "
        f"({spawned} started in all), 1 sender; kills {kills} (at {', '.join(killed_at)}); "
        f"replies {replies}, duplicates {duplicates}, lost {lost}, reorders {reorders}; "
        f"queue depth {depth}, unacknowledged {pending}, unsent {unsent}, DLQ {dead}; "
        f"all updates in after {delivered_at:.1f}s, all replies out after {wall:.1f}s "
        f"({CHATS * PER_CHAT / wall:.0f} updates/s end to end)"
    )
    record_property("figures", figures)
    assert kills == KILLS
    assert (duplicates, lost, reorders) == (0, 0, 0), figures
    assert all(received.get(FIRST_USER + c) == expected for c in range(CHATS)), figures
    assert (depth, pending, unsent, dead) == (0, 0, 0, 0), figures
    assert processed == CHATS * PER_CHAT
