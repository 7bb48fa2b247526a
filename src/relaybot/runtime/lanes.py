"""One lane per chat: a chat's updates strictly one after another, many chats at once.

The worker hands every update it fetches to the lane of its chat. A lane runs while its chat
has updates waiting, taking one of `concurrency` slots for each turn (up to `chunk` updates)
and giving it back between turns, so a chat with a long backlog, or an app that waits on a
slow service, delays only its own chat. An update that fails stays at the head of its lane
and is tried again after a pause: the chat's later updates wait behind it, other chats don't.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Awaitable, Callable, Sequence

import structlog

from relaybot.runtime.queue import QueuedUpdate

log = structlog.get_logger("relaybot.worker")

Turn = Callable[[list[QueuedUpdate]], Awaitable[list[QueuedUpdate]]]
"""Handles one chat's updates in order; returns those to try again (the first that failed
and everything after it), or nothing."""


def retry_delay(attempts: int) -> float:
    """A short pause before an update that failed is tried again, longer each time."""
    return float(min(2.0, 0.05 * 4 ** max(0, attempts - 1)))


class Lanes:
    def __init__(
        self,
        turn: Turn,
        *,
        concurrency: int,
        chunk: int,
        release: Callable[[Sequence[QueuedUpdate]], Awaitable[None]],
        progress: Callable[[], None] = lambda: None,
    ) -> None:
        self._turn = turn
        self._chunk = chunk
        self._release = release
        self._progress = progress
        self._slots = asyncio.Semaphore(concurrency)
        self._backlog: dict[str, deque[QueuedUpdate]] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._stopping = asyncio.Event()
        self.in_hand = 0
        """Updates taken and not yet done: handled, waiting for a slot or for a retry."""

    @property
    def chats(self) -> int:
        return len(self._backlog)

    def take(self, items: Sequence[QueuedUpdate]) -> None:
        for item in items:
            key = item.update.chat_key
            self._backlog.setdefault(key, deque()).append(item)
            self.in_hand += 1
            if key not in self._tasks:
                self._tasks[key] = asyncio.create_task(self._lane(key), name=f"lane {key}")

    async def drain(self) -> None:
        """Wait until every update taken is done."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks.values()))

    async def stop(self) -> None:
        """Finish the turns under way; give back what has not started."""
        self._stopping.set()
        await self.drain()

    async def _lane(self, key: str) -> None:
        backlog = self._backlog[key]
        try:
            while backlog and not self._stopping.is_set():
                async with self._slots:
                    if self._stopping.is_set():
                        break
                    chunk = [backlog.popleft() for _ in range(min(self._chunk, len(backlog)))]
                    try:
                        again = await self._turn(chunk)
                    except Exception:  # the turn handles its own failures; this is a bug
                        log.exception("a chat's turn failed unexpectedly; trying it again")
                        again = chunk
                self.in_hand -= len(chunk) - len(again)
                self._progress()
                if again:
                    backlog.extendleft(reversed(again))
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(retry_delay(again[0].attempts)):
                            await self._stopping.wait()
        finally:
            rest = list(backlog)
            backlog.clear()
            del self._backlog[key]
            del self._tasks[key]
            if rest:
                self.in_hand -= len(rest)
                await self._release(rest)
                self._progress()
