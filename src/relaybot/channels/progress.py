"""Remembering how far a multi-part delivery got, so a retry does not repeat the parts sent.

A long text goes out as several API calls. When call three of five fails, the outbox retries
the whole message; the adapter then skips the parts this process already delivered. Kept in
memory on purpose: after a restart a rare repeated part is better than a lost one.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict

from relaybot.core.types import OutgoingMessage, encode


def fingerprint(chat_id: str, message: OutgoingMessage) -> str:
    return hashlib.sha256(chat_id.encode() + b"\x00" + encode(message)).hexdigest()


class PartialDeliveries:
    def __init__(self, *, max_entries: int = 10_000) -> None:
        self.max_entries = max_entries
        self._done: OrderedDict[str, int] = OrderedDict()

    def sent_parts(self, key: str) -> int:
        return self._done.get(key, 0)

    def advance(self, key: str, parts: int) -> None:
        self._done[key] = parts
        self._done.move_to_end(key)
        while len(self._done) > self.max_entries:
            self._done.popitem(last=False)

    def finish(self, key: str) -> None:
        self._done.pop(key, None)
