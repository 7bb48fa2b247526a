"""An open-loop HTTP load generator: requests leave on a fixed schedule, whatever the server does.

Latency is measured from the moment a request was *scheduled*, so a slow server cannot hide
its queueing delay (no coordinated omission). Runs as its own process and prints JSON.

    python bench/loadgen.py --url http://127.0.0.1:8080/webhook/telegram/bench \
        --rate 1000 --duration 10 --header X-Telegram-Bot-Api-Secret-Token=secret --telegram
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import statistics
import sys
import time
from collections.abc import Callable
from urllib.parse import urlsplit


def telegram_body(counter: itertools.count[int], chats: int) -> Callable[[], bytes]:
    """Telegram-shaped message updates with unique update ids over `chats` private chats."""

    def make() -> bytes:
        n = next(counter)
        chat = 10_000_000 + n % chats
        return json.dumps(
            {
                "update_id": n,
                "message": {
                    "message_id": n,
                    "date": int(time.time()),
                    "chat": {"id": chat, "type": "private", "first_name": "Load"},
                    "from": {"id": chat, "is_bot": False, "first_name": "Load"},
                    "text": "hello",
                },
            }
        ).encode()

    return make


class Connection:
    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, raw: bytes) -> int:
        if self.writer is None or self.writer.is_closing():
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        if length:
            await self.reader.readexactly(length)
        return status


def build_request(path: str, host: str, headers: dict[str, str], body: bytes) -> bytes:
    lines = [f"POST {path} HTTP/1.1", f"Host: {host}", "Content-Type: application/json"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def open_loop(
    url: str,
    *,
    rate: float,
    duration: float,
    headers: dict[str, str],
    body: Callable[[], bytes],
    connections: int,
) -> dict[str, object]:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    pool: asyncio.Queue[Connection] = asyncio.Queue()
    for _ in range(connections):
        pool.put_nowait(Connection(host, port))
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors = 0
    tasks: set[asyncio.Task[None]] = set()

    async def one(scheduled: float) -> None:
        nonlocal errors
        connection = await pool.get()
        try:
            status = await connection.request(
                build_request(parts.path, parts.netloc, headers, body())
            )
            latencies.append(time.perf_counter() - scheduled)
            statuses[status] = statuses.get(status, 0) + 1
        except (OSError, asyncio.IncompleteReadError, ValueError):
            errors += 1
            connection.writer = None
        finally:
            pool.put_nowait(connection)

    start = time.perf_counter()
    interval = 1.0 / rate
    total = int(rate * duration)
    for i in range(total):
        scheduled = start + i * interval
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        task = asyncio.create_task(one(scheduled))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(30):
            while tasks:
                await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - start
    latencies.sort()

    def pct(p: float) -> float:
        if not latencies:
            return float("nan")
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000

    return {
        "requests": total,
        "completed": len(latencies),
        "errors": errors,
        "statuses": statuses,
        "achieved_rate": round(len(latencies) / elapsed, 1),
        "p50_ms": round(pct(50), 3),
        "p90_ms": round(pct(90), 3),
        "p99_ms": round(pct(99), 3),
        "max_ms": round(latencies[-1] * 1000, 3) if latencies else None,
        "mean_ms": round(statistics.fmean(latencies) * 1000, 3) if latencies else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--rate", type=float, default=1000)
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--chats", type=int, default=1000)
    parser.add_argument("--start-id", type=int, default=1)
    parser.add_argument("--header", action="append", default=[], help="Name=value")
    args = parser.parse_args()
    headers = dict(h.split("=", 1) for h in args.header)
    body = telegram_body(itertools.count(args.start_id), args.chats)
    try:
        import uvloop

        runner: Callable[..., object] = uvloop.run
    except ImportError:
        runner = asyncio.run
    result = runner(
        open_loop(
            args.url,
            rate=args.rate,
            duration=args.duration,
            headers=headers,
            body=body,
            connections=args.connections,
        )
    )
    json.dump(result, sys.stdout)
    print()


if __name__ == "__main__":
    main()
