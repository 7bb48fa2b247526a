"""Help desk "take next": claims per second and latency, alone and under contention.

Creates REQUESTS waiting requests in one category and PROVIDERS helpers linked to it. First
the helpers press "take next" one after another, as one worker processes them; then all at
once, again and again (each press its own transaction on its own connection, as separate
workers would), until the queue is empty. Prints claims/s, the latency of one press
(p50/p99) and checks that no request was handed out twice. Everything runs in one Python
process, so the contended figures include waiting for its one event loop (and, on SQLite,
for the database's single writer lock).

    python bench/helpdesk_take_next.py [--requests 2000] [--providers 20] [--pg URL|--no-pg]

PostgreSQL defaults to a fresh database on postgres@127.0.0.1:5432, dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from relaybot.apps.helpdesk import catalog, demands, people
from relaybot.apps.helpdesk.models import Demand, HelpdeskUser, Place, Resource, UserScenario
from relaybot.apps.helpdesk.queue import take_next
from relaybot.config import load_settings
from relaybot.store.db import create_engine, session_maker
from relaybot.system import open_store


async def prepare(url: str, requests: int, providers: int) -> list[int]:
    now = datetime.now(UTC)
    settings = load_settings(None, database_url=url)
    async with open_store(settings) as sessions, sessions() as session, session.begin():
        place = await catalog.add_named(session, Place, "Bench", "", now)
        resource = await catalog.add_named(session, Resource, "Help", "", now)
        scenario = await catalog.add_scenario(
            session, place_id=place.id, resource_id=resource.id, description="", now=now
        )
        users = [
            HelpdeskUser(
                bot="helpdesk",
                chat_id=f"u{n}",
                channel="webchat",
                user_id=f"u{n}",
                is_moderator=False,
                is_admin=False,
                created_at=now,
                last_seen=now,
            )
            for n in range(requests + providers)
        ]
        session.add_all(users)
        await session.flush()
        helpers = [u.id for u in users[requests:]]
        for uid in helpers:
            session.add(UserScenario(user_id=uid, scenario_id=scenario.id, created_at=now))
        for user in users[:requests]:
            actor = await people.actor_of(session, user)
            await demands.create(
                session, actor, scenario_id=scenario.id, text="bench", now=now, max_open=1
            )
    return helpers


async def one_by_one(url: str, helpers: list[int], presses: int) -> tuple[list[float], float]:
    engine = create_engine(url)
    sessions = session_maker(engine)
    latencies: list[float] = []
    begun = time.perf_counter()
    try:
        for n in range(presses):
            started = time.perf_counter()
            async with sessions() as session, session.begin():
                actor = await people.load_actor(session, helpers[n % len(helpers)])
                await take_next(session, actor, now=datetime.now(UTC), max_active=1_000_000)
            latencies.append(time.perf_counter() - started)
    finally:
        await engine.dispose()
    return latencies, time.perf_counter() - begun


def _line(name: str, what: str, claims: int, elapsed: float, latencies: list[float]) -> str:
    latencies = sorted(latencies)
    p99 = latencies[max(0, int(len(latencies) * 0.99) - 1)]
    return (
        f"{name:10}  {what:11}  {claims:>6} claims  {claims / elapsed:>7.0f} claims/s  "
        f"p50 {statistics.median(latencies) * 1000:>6.1f} ms  p99 {p99 * 1000:>7.1f} ms"
    )


async def stampede(url: str, helpers: list[int]) -> tuple[list[float], Counter[int], float]:
    engine = create_engine(url, pool_size=len(helpers))
    sessions = session_maker(engine)
    latencies: list[float] = []
    claims: Counter[int] = Counter()

    async def press(provider_id: int) -> int | None:
        started = time.perf_counter()
        async with sessions() as session, session.begin():
            actor = await people.load_actor(session, provider_id)
            demand = await take_next(session, actor, now=datetime.now(UTC), max_active=1_000_000)
        latencies.append(time.perf_counter() - started)
        return None if demand is None else demand.id

    begun = time.perf_counter()
    try:
        while True:
            got = await asyncio.gather(*(press(p) for p in helpers))
            taken = [d for d in got if d is not None]
            claims.update(taken)
            if not taken:
                break
    finally:
        await engine.dispose()
    return latencies, claims, time.perf_counter() - begun


async def run(name: str, url: str, requests: int, providers: int) -> None:
    helpers = await prepare(url, requests, providers)
    alone = requests // 4
    latencies, elapsed = await one_by_one(url, helpers, alone)
    print(_line(name, "one by one", alone, elapsed, latencies))
    latencies, claims, elapsed = await stampede(url, helpers)
    engine = create_engine(url)
    async with session_maker(engine)() as session:
        holders = list(await session.scalars(select(Demand.provider_id)))
    await engine.dispose()
    doubles = sum(1 for n in claims.values() if n > 1)
    print(
        _line(name, "all at once", len(claims), elapsed, latencies)
        + f"  handed out twice: {doubles}  unassigned: {holders.count(None)}"
    )


async def with_postgres(base: str, action: Callable[[str], Awaitable[None]]) -> None:
    import asyncpg

    name = f"relaybot_bench_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(base.replace("postgresql+asyncpg", "postgresql") + "/postgres")
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        await action(f"{base}/{name}")
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--providers", type=int, default=20)
    parser.add_argument("--pg", default="postgresql+asyncpg://postgres@127.0.0.1:5432")
    parser.add_argument("--no-pg", action="store_true")
    args = parser.parse_args()
    print(f"{args.requests} waiting requests, {args.providers} helpers pressing at once\n")
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        await run("sqlite", url, args.requests, args.providers)
    if not args.no_pg:

        async def on_pg(url: str) -> None:
            await run("postgresql", url, args.requests, args.providers)

        try:
            await with_postgres(args.pg, on_pg)
        except OSError as exc:
            print(f"postgresql  skipped: {exc}")


if __name__ == "__main__":
    asyncio.run(main())
