"""Telegram channel figures against the local Bot API stand-in (one process, SQLite, WAL).

1. polling ingest: updates waiting at the stand-in -> stored in the inbound queue, per second;
2. delivery: outbox -> sendMessage calls, per second, with the limits lifted (adapter and
   sender overhead) and with Telegram's defaults (never more than 30 in any second).

    python bench/telegram_channel.py [--updates 2000] [--messages 600] [--paced 90]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from relaybot.config import load_settings
from relaybot.core.types import Address, OutgoingMessage
from relaybot.runtime.outbox import enqueue
from relaybot.store.models import InboundUpdate, OutboxMessage
from relaybot.system import System, build_system
from relaybot.testing.telegram_standin import TelegramStandin

TOKEN = "123456:bench-telegram-channel"


def settings(workdir: Path, telegram: TelegramStandin, options: dict[str, Any]) -> Any:
    bot = {
        "name": "bench",
        "app": "orders",
        "channel": "telegram",
        "token": TOKEN,
        "mode": "polling",
        "api_base": telegram.url,
        "options": {"poll_timeout": 1, **options},
    }
    return load_settings(
        None,
        database_url=f"sqlite+aiosqlite:///{workdir / 'bench.db'}",
        bots=[bot],
        inbound_user_burst=1_000_000,
        inbound_chat_burst=1_000_000,
    )


async def count(system: System, query: Any) -> int:
    async with system.sessions() as session:
        return int(await session.scalar(query) or 0)


async def reach(system: System, query: Any, target: int) -> None:
    """Poll the database until `query` counts `target` rows (what the bench waits for)."""
    while True:
        if await count(system, query) >= target:
            return
        await asyncio.sleep(0.02)


async def polling_ingest(workdir: Path, updates: int) -> dict[str, float]:
    async with TelegramStandin() as telegram:
        for n in range(updates):
            user = 30_000_000 + n % 500
            await telegram.push_update(
                TOKEN,
                {
                    "message": {
                        "message_id": n + 1,
                        "date": int(time.time()),
                        "chat": {"id": user, "type": "private", "first_name": "Load"},
                        "from": {"id": user, "is_bot": False, "first_name": "Load"},
                        "text": "hello",
                    }
                },
            )
        system = await build_system(settings(workdir / "poll", telegram, {}))
        started = time.perf_counter()
        await system.start(["gateway"])
        stored_query = select(func.count()).select_from(InboundUpdate)
        try:
            await reach(system, stored_query, updates)
            elapsed = time.perf_counter() - started
        finally:
            await system.close()
    return {
        "updates": updates,
        "seconds": round(elapsed, 3),
        "per_second": round(updates / elapsed),
    }


async def delivery(workdir: Path, messages: int, options: dict[str, Any]) -> dict[str, float]:
    async with TelegramStandin() as telegram:
        system = await build_system(settings(workdir, telegram, options))
        async with system.sessions() as session, session.begin():
            batch = [
                (Address("bench", str(40_000_000 + n)), OutgoingMessage(f"news {n}"))
                for n in range(messages)
            ]
            await enqueue(session, batch, bots=system.bots)
        sent_query = (
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "sent")
        )
        started = time.perf_counter()
        await system.start(["sender"])
        try:
            await reach(system, sent_query, messages)
            elapsed = time.perf_counter() - started
        finally:
            await system.close()
        arrivals = sorted(c.at for c in telegram.calls_to("sendMessage"))
    busiest = max(sum(1 for t in arrivals if s <= t < s + 1.0) for s in arrivals)
    return {
        "messages": messages,
        "seconds": round(elapsed, 3),
        "per_second": round(messages / elapsed, 1),
        "busiest_second": busiest,
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--updates", type=int, default=2000)
    parser.add_argument("--messages", type=int, default=600)
    parser.add_argument("--paced", type=int, default=90)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        (workdir / "poll").mkdir()
        (workdir / "free").mkdir()
        (workdir / "paced").mkdir()
        figures = {
            "polling_ingest": await polling_ingest(workdir, args.updates),
            "delivery_unlimited": await delivery(
                workdir / "free",
                args.messages,
                {"per_bot_per_second": 100_000, "per_bot_burst": 100_000},
            ),
            "delivery_default_limits": await delivery(workdir / "paced", args.paced, {}),
        }
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
