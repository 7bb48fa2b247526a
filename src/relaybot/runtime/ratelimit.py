"""Token buckets for outgoing messages, checked all-or-nothing per message.

`reserve` never sleeps: it either takes a token from every bucket a message draws from or
says how long to wait, so the sender keeps delivering to other chats meanwhile.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from relaybot.core.channel import Limit
from relaybot.core.clock import Clock


class RateLimiter(Protocol):
    async def reserve(self, limits: Sequence[Limit]) -> float:
        """0.0 when the message may go now (tokens taken), else seconds to wait."""
        ...

    async def pause(self, key: str, seconds: float) -> None:
        """Hold every bucket under `key` (a 429 for a whole bot) for `seconds`."""
        ...


SWEEP_MIN = 1024  # keys before the first sweep of full buckets


def scopes(key: str) -> list[str]:
    """`key` and every `:`-separated prefix of it: a pause on "shop" holds "shop:42" too."""
    parts = key.split(":")
    return [":".join(parts[:n]) for n in range(len(parts), 0, -1)]


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float
    full_at: float = 0.0  # from then on the bucket is full again and carries no information


class MemoryRateLimiter:
    """Buckets in this process: enough for the embedded default and for one sender."""

    def __init__(self, clock: Clock, *, max_keys: int = 100_000) -> None:
        self.clock = clock
        self.max_keys = max_keys
        self._buckets: dict[str, _Bucket] = {}
        self._paused_until: dict[str, float] = {}
        self._sweep_at = SWEEP_MIN

    async def reserve(self, limits: Sequence[Limit]) -> float:
        now = self.clock.now()
        wait = 0.0
        for limit in limits:
            for scope in scopes(limit.key):
                paused = self._paused_until.get(scope, 0.0)
                if paused > now:
                    wait = max(wait, paused - now)
        if wait > 0:
            return wait
        buckets = [self._refill(limit, now) for limit in limits]
        for limit, bucket in zip(limits, buckets, strict=True):
            if bucket.tokens < 1.0:
                wait = max(wait, (1.0 - bucket.tokens) / limit.rate)
        if wait > 0:
            return wait
        for limit, bucket in zip(limits, buckets, strict=True):
            bucket.tokens -= 1.0
            bucket.full_at = now + (limit.burst - bucket.tokens) / limit.rate
        return 0.0

    async def pause(self, key: str, seconds: float) -> None:
        until = self.clock.now() + seconds
        self._paused_until[key] = max(until, self._paused_until.get(key, 0.0))

    def _refill(self, limit: Limit, now: float) -> _Bucket:
        bucket = self._buckets.get(limit.key)
        if bucket is None:
            if len(self._buckets) >= self._sweep_at:
                self._forget_full(now)
            if len(self._buckets) >= self.max_keys:
                self._evict_full(now)
            bucket = _Bucket(tokens=float(limit.burst), updated=now)
            self._buckets[limit.key] = bucket
            return bucket
        elapsed = max(0.0, now - bucket.updated)
        bucket.tokens = min(float(limit.burst), bucket.tokens + elapsed * limit.rate)
        bucket.updated = now
        return bucket

    def _forget_full(self, now: float) -> None:
        """Drop buckets that are full again, so memory follows the chats active right now.

        A full bucket answers exactly as a missing one would. Sweeping whenever the table has
        doubled since the last sweep keeps the cost per new key constant.
        """
        self._buckets = {k: b for k, b in self._buckets.items() if b.full_at > now}
        self._paused_until = {k: t for k, t in self._paused_until.items() if t > now}
        self._sweep_at = max(SWEEP_MIN, 2 * len(self._buckets))

    def _evict_full(self, now: float) -> None:
        """Forget buckets idle long enough to be full again: they hold no information."""
        stale = [k for k, b in self._buckets.items() if now - b.updated > 3600]
        for key in stale or list(self._buckets)[: len(self._buckets) // 2]:
            del self._buckets[key]
