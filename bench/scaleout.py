"""Scale-out throughput and CPU cost per role, on PostgreSQL + Redis with the Telegram stand-in.

For each worker count it starts 2 gateways, N workers, 1 sender and the stand-in as real
processes, posts Telegram updates to the gateways' webhooks (40 connections, like Telegram)
as fast as they are answered, waits until every reply reached the stand-in, and prints the
rates and the CPU time each role spent per 1,000 updates (from /proc, so Linux only).

    python bench/scaleout.py --updates 3000 --chats 300 --workers 1 2 3
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from redis.asyncio import Redis

from relaybot.testing import free_port
from relaybot.testing.processes import RelaybotProcess, relaybot_env

TOKEN = "123456:bench-scaleout-token"
SECRET = "bench-scaleout-secret"
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(process: RelaybotProcess) -> float:
    if process.process is None:
        return 0.0
    try:
        fields = Path(f"/proc/{process.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


def update(n: int, chats: int) -> dict[str, Any]:
    chat = 8_000_000 + n % chats
    return {
        "update_id": n,
        "message": {
            "message_id": n,
            "date": int(time.time()),
            "chat": {"id": chat, "type": "private", "first_name": "Bench"},
            "from": {"id": chat, "is_bot": False, "first_name": "Bench"},
            "text": f"m{n}",
        },
    }


async def run_once(args: argparse.Namespace, workers: int, workdir: Path) -> dict[str, Any]:
    database = f"relaybot_bench_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(args.postgres_admin)
    await admin.execute(f'CREATE DATABASE "{database}"')
    namespace = f"bench-{uuid.uuid4().hex[:8]}"
    standin = RelaybotProcess(
        [],
        env=relaybot_env({}),
        workdir=workdir,
        name="standin",
        port=free_port(),
        module="relaybot.testing.telegram_standin",
        ready_path="/_standin/calls",
    )
    bots = [
        {
            "name": "bench",
            "app": "relaybot.testing.counting:CountingApp",
            "channel": "telegram",
            "token": TOKEN,
            "webhook_secret": SECRET,
            "api_base": standin.url,
            "options": {"per_bot_per_second": 100_000, "per_bot_burst": 1000},
        }
    ]
    env = relaybot_env(
        {
            "RELAYBOT_DATABASE_URL": f"{args.postgres}/{database}",
            "RELAYBOT_DATABASE_POOL_SIZE": "4",
            "RELAYBOT_QUEUE_URL": args.redis,
            "RELAYBOT_QUEUE_NAMESPACE": namespace,
            "RELAYBOT_POLL_INTERVAL": "0.2",
            "RELAYBOT_BOTS": json.dumps(bots),
            "RELAYBOT_WEBCHAT_FOR_BUNDLED_APPS": "false",
            "RELAYBOT_INBOUND_USER_BURST": "100000",
            "RELAYBOT_INBOUND_CHAT_BURST": "100000",
            "RELAYBOT_LOG_LEVEL": "warning",
        }
    )
    migrate = RelaybotProcess(["migrate"], env=env, workdir=workdir, name="migrate")
    await migrate.start()
    if migrate.process is not None:
        await migrate.process.wait()
    roles: dict[str, list[RelaybotProcess]] = {
        "gateway": [
            RelaybotProcess(["gateway"], env=env, workdir=workdir, name=f"g{i}", port=free_port())
            for i in range(2)
        ],
        "worker": [
            RelaybotProcess(["worker"], env=env, workdir=workdir, name=f"w{i}")
            for i in range(workers)
        ],
        "sender": [RelaybotProcess(["sender"], env=env, workdir=workdir, name="s")],
    }
    everyone = [standin, *(p for group in roles.values() for p in group)]
    await asyncio.gather(*(p.start(timeout=120) for p in everyone))
    await asyncio.sleep(2.0)  # let the workers share the partitions out
    cpu_before = {role: sum(map(cpu_seconds, group)) for role, group in roles.items()}
    urls = [g.url for g in roles["gateway"]]
    counter = iter(range(1, args.updates + 1))
    started = time.monotonic()
    try:
        limits = httpx.Limits(max_connections=40, max_keepalive_connections=40)
        async with httpx.AsyncClient(timeout=30, limits=limits) as client:

            async def connection(index: int) -> None:
                for n in counter:
                    response = await client.post(
                        f"{urls[index % 2]}/webhook/telegram/bench",
                        json=update(n, args.chats),
                        headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
                    )
                    response.raise_for_status()

            await asyncio.gather(*(connection(i) for i in range(40)))
            ingested = time.monotonic() - started
            while True:
                calls = await client.get(f"{standin.url}/_standin/calls?method=sendMessage")
                if len(calls.json()["calls"]) >= args.updates:
                    break
                await asyncio.sleep(0.5)
            done = time.monotonic() - started
        cpu = {
            role: sum(map(cpu_seconds, group)) - cpu_before[role] for role, group in roles.items()
        }
    finally:
        await asyncio.gather(*(p.stop() for p in everyone))
        await admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        await admin.close()
        redis = Redis.from_url(args.redis)
        keys = [k async for k in redis.scan_iter(match=f"{namespace}:*", count=1000)]
        if keys:
            await redis.delete(*keys)
        await redis.aclose()
    per_thousand = {role: round(seconds * 1000 / args.updates, 2) for role, seconds in cpu.items()}
    return {
        "workers": workers,
        "updates": args.updates,
        "ingest_per_second": round(args.updates / ingested),
        "end_to_end_per_second": round(args.updates / done),
        "cpu_seconds_per_1000_updates": per_thousand,
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--updates", type=int, default=3000)
    parser.add_argument("--chats", type=int, default=300)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--postgres", default="postgresql+asyncpg://postgres@127.0.0.1:5432")
    parser.add_argument("--postgres-admin", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}; load average before: {os.getloadavg()[0]:.1f}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        for workers in args.workers:
            result = await run_once(args, workers, Path(tmp))
            result["load_average_after"] = round(os.getloadavg()[0], 1)
            print(json.dumps(result), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
