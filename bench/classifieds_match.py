"""Matching one new ad against 100,000 live filters of the filter bot.

The filters are spread as subscribers make them (a fixed seed): 2 kinds or "any", 6
categories or "any", 8 regions or "anywhere", a price range on half of them, one keyword on
a third, and a quarter already ended. Each run matches a post (kind, category, region and
price drawn the same way) with `matching_filters`, the query the ad bot runs when a post's
delivery receipt comes back, inside an open transaction as in the worker, and prints the
median and the 95th percentile of the wall time, the median CPU time of this process (which
a busy machine inflates less), and how many filters matched.

    python bench/classifieds_match.py [--database-url URL] [--filters 100000] [--posts 200]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, text

from relaybot.apps.classifieds.matching import matching_filters
from relaybot.apps.classifieds.models import ANY, Ad, AdFilter
from relaybot.config import load_settings
from relaybot.store.db import SessionMaker
from relaybot.system import open_store

KINDS = ("parts", "repair")
CATEGORIES = ("Engine", "Body", "Suspension", "Electrics", "Wheels and tyres", "Interior")
REGIONS = ("Bishkek", "Osh", "Karakol", "Jalal-Abad", "Naryn", "Talas", "Batken", "Tokmok")
WORDS = ("bumper", "camry", "headlight", "gearbox", "tyre", "door", "mirror", "seat")
BATCH = 10_000


def a_filter(rng: random.Random, now: datetime) -> dict[str, object]:
    priced = rng.random() < 0.5
    low = rng.choice((None, 1000, 5000)) if priced else None
    high = rng.choice((20000, 50000, 100000)) if priced else None
    ended = rng.random() < 0.25
    return {
        "bot": "alerts",
        "channel": "telegram",
        "chat_id": str(rng.randrange(10**9)),
        "user_id": str(rng.randrange(10**9)),
        "language": "ru",
        "ads_bot": "ads",
        "kind": rng.choice((*KINDS, ANY)),
        "category": rng.choice((*CATEGORIES, ANY)),
        "region": rng.choice((*REGIONS, ANY)),
        "price_min": low,
        "price_max": high,
        "currency": "KGS" if priced else None,
        "keywords": rng.choice(WORDS) if rng.random() < 0.33 else "",
        "period_days": 30,
        "created_at": now - timedelta(days=10),
        "expires_at": now - timedelta(days=1) if ended else now + timedelta(days=20),
        "warned": False,
    }


def a_post(rng: random.Random, number: int) -> Ad:
    return Ad(
        id=number,
        bot="ads",
        kind=rng.choice(KINDS),
        kind_title="Car parts",
        author_id="seller",
        author_chat="seller",
        status="posted",
        locked=False,
        answers={
            "category": rng.choice(CATEGORIES),
            "region": rng.choice(REGIONS),
            "title": f"Front {rng.choice(WORDS)} for a Camry",
            "description": "Original part in good condition.",
            "price": {"amount": str(rng.choice((3000, 15000, 40000))), "currency": "KGS"},
        },
        feedback=[],
    )


async def fill(sessions: SessionMaker, count: int, rng: random.Random, now: datetime) -> None:
    async with sessions() as session, session.begin():
        for start in range(0, count, BATCH):
            rows = [a_filter(rng, now) for _ in range(min(BATCH, count - start))]
            await session.execute(insert(AdFilter.__table__), rows)
    async with sessions() as session, session.begin():
        await session.execute(text("ANALYZE"))  # as autovacuum would have by then


async def main(database_url: str, filters: int, posts: int) -> None:
    settings = load_settings(None, database_url=database_url, webchat_for_bundled_apps=False)
    rng = random.Random(2026)
    now = datetime.now(UTC)
    async with open_store(settings) as sessions:
        started = time.perf_counter()
        await fill(sessions, filters, rng, now)
        print(f"{filters:,} filters written in {time.perf_counter() - started:.1f} s")
        timings: list[float] = []
        cpu: list[float] = []
        matched: list[int] = []
        async with sessions() as session, session.begin():
            for number in range(1, posts + 1):
                post = a_post(rng, number)
                begun, begun_cpu = time.perf_counter(), time.process_time()
                found = await matching_filters(session, post, now=now)
                timings.append((time.perf_counter() - begun) * 1000)
                cpu.append((time.process_time() - begun_cpu) * 1000)
                matched.append(len(found))
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(
        f"match one post against {filters:,} filters: median {statistics.median(timings):.1f} ms, "
        f"p95 {p95:.1f} ms, max {timings[-1]:.1f} ms; this process's CPU per match: median "
        f"{statistics.median(cpu):.1f} ms ({statistics.median(matched):.0f} filters matched "
        "per post, median)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("RELAYBOT_BENCH_DATABASE_URL"))
    parser.add_argument("--filters", type=int, default=100_000)
    parser.add_argument("--posts", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        asyncio.run(main(url, args.filters, args.posts))
