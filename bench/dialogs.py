"""The dialog load driver: N Telegram chats each place an order, like people would.

Every chat plays the order dialog's five updates (greeting, address, phone, bottles, confirm)
as Telegram webhook POSTs to the bot under test. A chat's next update leaves only after the
bot's reply to the previous one has arrived at the Telegram stand-in, which runs in this
process (relaybot.testing's `TelegramStandin`, hooked so each `sendMessage` wakes the chat it
was for, stamped with its arrival time). One process, one event loop (uvloop), one clock.

Phases, in order, each printed as a JSON line on stdout:
- `latency`: updates leave at a fixed rate (open loop: the schedule does not wait for the
  bot), each taken by a chat whose previous reply arrived; latency = POST scheduled -> last
  reply of that step at the stand-in, p50/p99.
- `saturation`: `--concurrency` chats in flight, each starting a new dialog (a new chat)
  when its order is placed, until `--dialogs` dialogs have finished; steps/s is the rate
  between 10% and 90% of the steps, so start-up and the last stragglers do not count.
  A `progress` line every `--progress-every` finished dialogs lets the caller sample RSS.

`--ack-only` counts a step done when the webhook answers 200 (for the bare endpoint, which
sends no replies). With `--control`, the driver prints `ready` with the stand-in's URL and
waits for `go` on stdin before each phase, so bench/compare.py can start the bot between.

    python bench/dialogs.py --bot-url http://127.0.0.1:8081/webhook/telegram/bench \
        --standin-port 8082 --dialogs 2000 --concurrency 200 --rate 200 --duration 10
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
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from loadgen import Connection, build_request
from starlette.requests import Request

from relaybot.testing.standin import Call
from relaybot.testing.telegram_standin import TelegramStandin

SECRET = "bench-secret-token"
TOKEN = "123456:bench-token"
SCRIPT = ("/start", "Bishkek, Chui avenue 120, flat 7", "0555 123 456", "3", "yes")
REPLIES = (2, 1, 1, 1, 1)  # greeting + address prompt, then one message per step
MESSAGE_METHODS = {"sendMessage", "sendPhoto", "sendDocument", "sendMediaGroup"}
KEEP_RECORD = 5_000  # calls and messages kept by the stand-in: bounded for 100k-dialog runs
STEP_TIMEOUT = 60.0


def emit(event: str, **values: Any) -> None:
    print(json.dumps({"event": event, **values}), flush=True)


@dataclass
class Chat:
    chat_id: int
    step: int = 0
    received: int = 0
    expected: int = 0
    arrived: asyncio.Future[float] | None = None


class DriverStandin(TelegramStandin):
    """The Telegram stand-in, telling the driver when a chat got the replies it waits for."""

    def __init__(self, *, port: int) -> None:
        super().__init__(port=port, tokens=[TOKEN])
        self.waiting: dict[int, Chat] = {}
        self.message_calls = 0

    def record(self, method: str, request: Request, params: dict[str, Any]) -> Call:
        call = super().record(method, request, params)
        if method in MESSAGE_METHODS:
            self.message_calls += 1
            self._arrived(params.get("chat_id"), time.perf_counter())
        if len(self.calls) > 2 * KEEP_RECORD:
            del self.calls[:-KEEP_RECORD]
        if len(self.sent) > 2 * KEEP_RECORD:
            del self.sent[:-KEEP_RECORD]
        return call

    def _arrived(self, raw_chat_id: object, at: float) -> None:
        with contextlib.suppress(TypeError, ValueError):
            chat = self.waiting.get(int(str(raw_chat_id)))
            if chat is None:
                return
            chat.received += 1
            if chat.received >= chat.expected and chat.arrived and not chat.arrived.done():
                chat.arrived.set_result(at)


class Driver:
    def __init__(self, bot_url: str, standin: DriverStandin | None, *, connections: int) -> None:
        parts = urlsplit(bot_url)
        self.path, self.netloc = parts.path, parts.netloc
        self.pool: asyncio.Queue[Connection] = asyncio.Queue()
        for _ in range(connections):
            self.pool.put_nowait(Connection(parts.hostname or "127.0.0.1", parts.port or 80))
        self.standin = standin
        self.update_ids = itertools.count(1)
        self.chat_ids = itertools.count(700_000_001)
        self.errors = 0
        self.timeouts = 0

    def new_chat(self) -> Chat:
        chat = Chat(next(self.chat_ids))
        if self.standin is not None:
            self.standin.waiting[chat.chat_id] = chat
        return chat

    def done_with(self, chat: Chat) -> None:
        if self.standin is not None:
            self.standin.waiting.pop(chat.chat_id, None)

    def body(self, chat: Chat) -> bytes:
        text = SCRIPT[chat.step]
        update_id = next(self.update_ids)
        message: dict[str, Any] = {
            "message_id": update_id,
            "from": {
                "id": chat.chat_id,
                "is_bot": False,
                "first_name": "Load",
                "language_code": "en",
            },
            "chat": {"id": chat.chat_id, "type": "private", "first_name": "Load"},
            "date": int(time.time()),
            "text": text,
        }
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
        return json.dumps({"update_id": update_id, "message": message}).encode()

    async def post(self, chat: Chat) -> bool:
        raw = build_request(
            self.path,
            self.netloc,
            {"X-Telegram-Bot-Api-Secret-Token": SECRET},
            self.body(chat),
        )
        connection = await self.pool.get()
        try:
            status = await connection.request(raw)
        except (OSError, asyncio.IncompleteReadError, ValueError):
            connection.writer = None
            self.errors += 1
            return False
        finally:
            self.pool.put_nowait(connection)
        if status != 200:
            self.errors += 1
            return False
        return True

    async def step(self, chat: Chat) -> float | None:
        """Send the chat's next update; the perf_counter time its step was done, or None."""
        loop = asyncio.get_running_loop()
        chat.expected += REPLIES[chat.step]
        chat.arrived = loop.create_future() if self.standin is not None else None
        if chat.arrived is not None and chat.received >= chat.expected:
            chat.arrived.set_result(time.perf_counter())
        if not await self.post(chat):
            return None
        chat.step += 1
        if chat.arrived is None:
            return time.perf_counter()
        try:
            async with asyncio.timeout(STEP_TIMEOUT):
                return await chat.arrived
        except TimeoutError:
            self.timeouts += 1
            return None


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


async def warm_up(driver: Driver, dialogs: int) -> None:
    async def one() -> None:
        chat = driver.new_chat()
        for _ in SCRIPT:
            if await driver.step(chat) is None:
                break
        driver.done_with(chat)

    await asyncio.gather(*(one() for _ in range(dialogs)))


async def fixed_rate(driver: Driver, *, rate: float, duration: float) -> dict[str, Any]:
    """Updates at `rate`/s from chats whose previous reply arrived; latency per step."""
    ready: deque[Chat] = deque()
    latencies: list[float] = []
    tasks: set[asyncio.Task[None]] = set()
    failed = 0

    async def one(chat: Chat, scheduled: float) -> None:
        nonlocal failed
        done = await driver.step(chat)
        if done is None:
            failed += 1
            driver.done_with(chat)
            return
        latencies.append(done - scheduled)
        if chat.step < len(SCRIPT):
            ready.append(chat)
        else:
            driver.done_with(chat)

    start = time.perf_counter()
    total = int(rate * duration)
    for i in range(total):
        scheduled = start + i / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        chat = ready.popleft() if ready else driver.new_chat()
        task = asyncio.create_task(one(chat, scheduled))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(STEP_TIMEOUT):
            while tasks:
                await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - start
    for chat in ready:
        driver.done_with(chat)
    ms = [x * 1000 for x in latencies]
    return {
        "rate": rate,
        "updates": total,
        "completed": len(ms),
        "failed": failed,
        "achieved_rate": round(len(ms) / elapsed, 1),
        "p50_ms": round(percentile(ms, 50), 2),
        "p90_ms": round(percentile(ms, 90), 2),
        "p99_ms": round(percentile(ms, 99), 2),
        "max_ms": round(max(ms), 2) if ms else None,
        "mean_ms": round(statistics.fmean(ms), 2) if ms else None,
    }


async def saturation(
    driver: Driver, *, dialogs: int, concurrency: int, progress_every: int
) -> dict[str, Any]:
    """`concurrency` chats in flight until `dialogs` dialogs finished; steps/s in steady state."""
    started = itertools.count()
    finished = 0
    failed = 0
    step_times: list[float] = []
    start = time.perf_counter()

    async def lane() -> None:
        nonlocal finished, failed
        while next(started) < dialogs:
            chat = driver.new_chat()
            for _ in SCRIPT:
                done = await driver.step(chat)
                if done is None:
                    failed += 1
                    break
                step_times.append(done)
            else:
                finished += 1
                if finished % progress_every == 0:
                    emit(
                        "progress", dialogs=finished, elapsed=round(time.perf_counter() - start, 1)
                    )
            driver.done_with(chat)

    await asyncio.gather(*(lane() for _ in range(concurrency)))
    elapsed = time.perf_counter() - start
    steps = len(step_times)
    low, high = int(steps * 0.1), int(steps * 0.9) - 1
    steady = (high - low) / (step_times[high] - step_times[low]) if high > low else 0.0
    return {
        "dialogs": finished,
        "failed_dialogs": failed,
        "steps": steps,
        "elapsed_s": round(elapsed, 2),
        "steps_per_s": round(steady, 1),
        "overall_steps_per_s": round(steps / elapsed, 1),
    }


async def run(args: argparse.Namespace) -> None:
    standin = None if args.ack_only else DriverStandin(port=args.standin_port)
    if standin is not None:
        await standin.start()
    wait_go: Callable[[], Any] = (
        (lambda: asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline))
        if args.control
        else (lambda: asyncio.sleep(0))
    )
    try:
        emit("ready", standin=None if standin is None else standin.url)
        await wait_go()
        driver = Driver(args.bot_url, standin, connections=args.connections)
        await warm_up(driver, args.warm_up)
        if args.rate > 0:
            emit("phase", name="latency")
            result = await fixed_rate(driver, rate=args.rate, duration=args.duration)
            emit("latency", **result, errors=driver.errors, timeouts=driver.timeouts)
        if args.dialogs > 0:
            emit("phase", name="saturation")
            result = await saturation(
                driver,
                dialogs=args.dialogs,
                concurrency=args.concurrency,
                progress_every=args.progress_every,
            )
            emit("saturation", **result, errors=driver.errors, timeouts=driver.timeouts)
        if standin is not None:
            emit("standin", message_calls=standin.message_calls)
    finally:
        if standin is not None:
            await standin.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bot-url", required=True, help="the bot's webhook URL")
    parser.add_argument("--standin-port", type=int, default=0)
    parser.add_argument("--connections", type=int, default=40, help="as Telegram's default")
    parser.add_argument("--warm-up", type=int, default=50, help="dialogs before measuring")
    parser.add_argument("--rate", type=float, default=200, help="updates/s of the latency run")
    parser.add_argument("--duration", type=float, default=15)
    parser.add_argument("--dialogs", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=200, help="chats in flight")
    parser.add_argument("--progress-every", type=int, default=10_000)
    parser.add_argument("--ack-only", action="store_true", help="no stand-in; 200 ends a step")
    parser.add_argument("--control", action="store_true", help="wait for 'go' on stdin")
    args = parser.parse_args()
    try:
        import uvloop

        uvloop.run(run(args))
    except ImportError:
        asyncio.run(run(args))


if __name__ == "__main__":
    main()
