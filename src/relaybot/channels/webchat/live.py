"""The web chat's live connections: who is listening to which chat, and how many sockets each
visitor and each address may hold open."""

from __future__ import annotations

import asyncio
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class WebchatHub:
    """Wakes the live connections of one chat when something new is in its history.

    Only a wake-up: the connection reads the history itself, so a sender in another process
    (scale-out) is picked up by the connection's periodic re-read instead.
    """

    def __init__(self) -> None:
        self._listeners: defaultdict[str, set[asyncio.Event]] = defaultdict(set)

    @asynccontextmanager
    async def listen(self, chat_id: str) -> AsyncIterator[asyncio.Event]:
        event = asyncio.Event()
        self._listeners[chat_id].add(event)
        try:
            yield event
        finally:
            listeners = self._listeners.get(chat_id)
            if listeners is not None:
                listeners.discard(event)
                if not listeners:
                    del self._listeners[chat_id]

    def publish(self, chat_id: str) -> None:
        for event in self._listeners.get(chat_id, ()):
            event.set()


class SocketCounter:
    """Live connections per visitor and per client address: each one re-reads the history
    every few seconds, so an unbounded number of them is a cheap way to load the database."""

    def __init__(self, *, per_visitor: int, per_address: int) -> None:
        self.per_visitor = per_visitor
        self.per_address = per_address
        self._visitors: Counter[str] = Counter()
        self._addresses: Counter[str] = Counter()

    def open(self, chat_id: str, address: str) -> bool:
        if self._visitors[chat_id] >= self.per_visitor:
            return False
        if self._addresses[address] >= self.per_address:
            return False
        self._visitors[chat_id] += 1
        self._addresses[address] += 1
        return True

    def close(self, chat_id: str, address: str) -> None:
        for counter, key in ((self._visitors, chat_id), (self._addresses, address)):
            counter[key] -= 1
            if counter[key] <= 0:
                del counter[key]
