"""The crash test of the embedded default: `relaybot run` on SQLite, killed with SIGKILL mid-run.

Thirty web chat visitors each send twenty messages while the one process that does everything
(gateway, worker, sender) is killed three times and started again on the same database. A
visitor whose message was not acknowledged sends it again with the same id, as the chat page
does. Every visitor must end up with exactly "m1 #1" ... "m20 #20", in order.
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
from sqlalchemy import func, select

from relaybot.store.db import create_engine, session_maker
from relaybot.store.models import DeadLetter, InboundUpdate, OutboxMessage, WebchatMessage
from relaybot.testing import free_port
from relaybot.testing.processes import RelaybotProcess, relaybot_env
from relaybot.testing.waiting import eventually

pytestmark = pytest.mark.slow

CHATS = 30
PER_CHAT = 20
KILLS = 3
BOT = "count"


async def say(client: httpx.AsyncClient, url: str, cookie: str, msg_id: str, text: str) -> None:
    """Post until relaybot says it stored the message; while it is down, keep trying."""
    for _ in range(600):
        try:
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


async def test_relaybot_run_killed_three_times_loses_and_repeats_nothing(
    tmp_path: Path, record_property
):
    database = tmp_path / "relaybot.db"
    env = relaybot_env(
        {
            "RELAYBOT_DATABASE_URL": f"sqlite+aiosqlite:///{database}",
            "RELAYBOT_POLL_INTERVAL": "0.2",
            "RELAYBOT_BOTS": json.dumps(
                [{"name": BOT, "app": "relaybot.testing.counting:CountingApp"}]
            ),
            "RELAYBOT_WEBCHAT_FOR_BUNDLED_APPS": "false",
            # Thirty visitors from one address, each sending twenty messages without a pause.
            "RELAYBOT_WEBCHAT_SESSIONS_PER_MINUTE": "1000",
            "RELAYBOT_INBOUND_USER_BURST": "100",
            "RELAYBOT_INBOUND_CHAT_BURST": "100",
            "RELAYBOT_LOG_LEVEL": "warning",
        }
    )
    bot = RelaybotProcess(["run"], env=env, workdir=tmp_path, name="relaybot", port=free_port())
    rng = random.Random(3)
    sent = kills = 0
    started = time.monotonic()
    try:
        await bot.start()
        async with httpx.AsyncClient(timeout=10) as client:
            cookies = []
            for _ in range(CHATS):
                async with httpx.AsyncClient(timeout=10) as browser:
                    cookies.append((await browser.get(f"{bot.url}/")).cookies["relaybot_session"])
            started = time.monotonic()

            async def chat(index: int) -> None:
                nonlocal sent
                for n in range(1, PER_CHAT + 1):
                    await say(
                        client, bot.url, cookies[index], f"chat{index:04d}-msg{n:03d}", f"m{n}"
                    )
                    sent += 1
                    await asyncio.sleep(rng.uniform(0, 0.02))

            async def chaos() -> None:
                nonlocal kills
                for k in range(1, KILLS + 1):

                    async def reached(threshold: int = CHATS * PER_CHAT * k // (KILLS + 1)) -> bool:
                        return sent >= threshold

                    await eventually(reached, timeout=120)
                    await bot.kill()
                    kills += 1
                    await bot.start()

            async with asyncio.timeout(150):
                await asyncio.gather(chaos(), *(chat(i) for i in range(CHATS)))
                engine = create_engine(f"sqlite+aiosqlite:///{database}")
                sessions = session_maker(engine)

                async def all_replied() -> bool:
                    async with sessions() as session:
                        count = await session.scalar(
                            select(func.count())
                            .select_from(WebchatMessage)
                            .where(WebchatMessage.direction == "out")
                        )
                    return (count or 0) >= CHATS * PER_CHAT

                try:
                    await eventually(all_replied, timeout=60, interval=0.2)
                    await asyncio.sleep(1.0)  # a duplicate would still be on its way now
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
                        queued = await session.scalar(
                            select(func.count())
                            .select_from(InboundUpdate)
                            .where(InboundUpdate.status != "done")
                        )
                        unsent = await session.scalar(
                            select(func.count())
                            .select_from(OutboxMessage)
                            .where(OutboxMessage.status != "sent")
                        )
                        dead = await session.scalar(select(func.count()).select_from(DeadLetter))
                finally:
                    await engine.dispose()
    finally:
        await bot.stop()

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
        f"embedded crash test: updates {CHATS * PER_CHAT} over {CHATS} chats, relaybot run on "
        f"SQLite, kills {kills}, replies {replies}, duplicates {duplicates}, lost {lost}, "
        f"reorders {reorders}, queue left {queued}, unsent {unsent}, DLQ {dead}, "
        f"wall time {wall:.1f}s"
    )
    record_property("figures", figures)
    assert kills == KILLS
    assert (duplicates, lost, reorders) == (0, 0, 0), figures
    assert all(texts == expected for texts in received.values()), figures
    assert (queued, unsent, dead) == (0, 0, 0), figures
