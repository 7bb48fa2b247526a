"""10,000 reminders due at the same moment: how fast the engine claims them, and how long
each takes from its due time to the Telegram stand-in, on SQLite and on PostgreSQL.

A relaybot (gateway, worker, sender, scheduler) with `--relays` reminders bots on the
Telegram stand-in, their rate limits left at Telegram's (30 messages a second per bot, 1 a
second per chat). `--jobs` reminder jobs, each posting to a chat of its
own, are all made due at one moment a few seconds ahead (their cron line, once a year, brings
them back only long after the run). Printed: the jobs claimed per second
(from the first claim to the last, with the time from the due moment to the last claim) and
the delay from the due moment to the stand-in receiving each message (median, 95th
percentile, last).

    python bench/reminders.py [--jobs 10000] [--relays 10] [--database sqlite|postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

from sqlalchemy import func, insert, select

from relaybot.apps.reminders.models import Account, ReminderBot, ReminderJob, ReminderRun
from relaybot.config import load_settings
from relaybot.runtime.logs import configure_logging
from relaybot.store.models import OutboxMessage
from relaybot.testing import RelaybotServer
from relaybot.testing.telegram_standin import TelegramStandin

PG = "postgresql+asyncpg://postgres@127.0.0.1:5432"
LEAD = 8.0  # seconds from the end of the set-up to the due moment
FIRST_CHAT = 6_000_000


def token(number: int) -> str:
    return f"{7100000 + number}:AAbench-reminders-relay-{number}"


@contextlib.asynccontextmanager
async def database(kind: str, folder: Path) -> AsyncIterator[str]:
    if kind == "sqlite":
        yield f"sqlite+aiosqlite:///{folder / 'bench.db'}"
        return
    import asyncpg

    name = f"relaybot_bench_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(f"{PG.replace('+asyncpg', '')}/postgres")
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG}/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def add_jobs(server: RelaybotServer, jobs: int, relays: int) -> float:
    """The jobs, every one due at the returned moment."""
    assert server.system is not None
    async with server.system.sessions() as session, session.begin():
        account = Account(login="bench", password_hash=None, role="user", token_version=1)
        session.add(account)
        await session.flush()
        bots = []
        for number in range(relays):
            bot = ReminderBot(owner_id=account.id, name=f"team {number}", via=f"relay{number}")
            session.add(bot)
            bots.append(bot)
        await session.flush()
        due = time.time() + LEAD + jobs / 20_000
        rows = [
            {
                "bot_id": bots[n % relays].id,
                "short_name": f"job{n}",
                "target": str(FIRST_CHAT + n),
                "text": f"Reminder {n}",
                "cron": "0 0 1 1 *",  # once a year: each job is due once during the run
                "timezone": "UTC",
                "active": True,
                "missed": "once",
                "next_due_at": due,
            }
            for n in range(jobs)
        ]
        for start in range(0, jobs, 1000):
            await session.execute(insert(ReminderJob), rows[start : start + 1000])
    return due


async def main(jobs: int, relays: int, kind: str) -> None:
    async with TelegramStandin() as telegram:
        with tempfile.TemporaryDirectory() as folder:
            async with database(kind, Path(folder)) as url:
                bots = [
                    {
                        "name": f"relay{n}",
                        "app": "reminders",
                        "channel": "telegram",
                        "token": token(n),
                        "webhook_secret": f"bench-secret-{n}",
                        "api_base": telegram.url,
                    }
                    for n in range(relays)
                ]
                settings = load_settings(
                    None,
                    database_url=url,
                    bots=bots,
                    webchat_for_bundled_apps=False,
                    poll_interval=0.2,
                    bots_key_file=Path(folder) / "bots.key",
                )
                roles = ("gateway", "worker", "sender", "scheduler")
                async with RelaybotServer(settings, roles=roles) as server:
                    due = await add_jobs(server, jobs, relays)
                    sent = lambda: [c for c in telegram.calls if c.method == "sendMessage"]  # noqa: E731
                    await telegram.wait_until(lambda: len(sent()) >= jobs, timeout=jobs / 10 + 120)
                    arrivals = sorted(c.at - due for c in sent())
                    assert server.system is not None
                    async with server.system.sessions() as session:
                        first_claim = await session.scalar(select(func.min(ReminderRun.ran_at)))
                        last_write = await session.scalar(
                            select(func.max(OutboxMessage.created_at))
                        )
                        runs = await session.scalar(select(func.count()).select_from(ReminderRun))
    assert first_claim is not None and last_write is not None
    span = max(last_write - first_claim, 1e-3)
    print(f"{kind}: {jobs} jobs due at one moment through {relays} Telegram bots (30 msg/s each)")
    print(
        f"  claimed: {runs} runs, {jobs / span:,.0f} jobs/s from the first claim to the last; "
        f"the last claimed {last_write - due:.2f} s after the due moment"
    )
    print(
        f"  due -> stand-in: median {statistics.median(arrivals):.1f} s, "
        f"p95 {arrivals[int(len(arrivals) * 0.95) - 1]:.1f} s, last {arrivals[-1]:.1f} s "
        f"({len(arrivals) / max(arrivals[-1], 1e-3):,.0f} messages/s overall)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--relays", type=int, default=10)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    arguments = parser.parse_args()
    configure_logging("warning")
    asyncio.run(main(arguments.jobs, arguments.relays, arguments.database))
