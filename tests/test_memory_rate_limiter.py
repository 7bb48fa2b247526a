"""The in-process rate limiter keeps memory for the chats active now, not every chat ever."""

from __future__ import annotations

from relaybot.core.channel import Limit
from relaybot.core.clock import ManualClock
from relaybot.runtime.ratelimit import MemoryRateLimiter


def per_chat(chat: int) -> list[Limit]:
    return [Limit("bot", rate=1000.0, burst=1000), Limit(f"bot:{chat}", rate=1.0, burst=1)]


async def test_a_hundred_thousand_chats_that_each_sent_once_leave_few_buckets_behind() -> None:
    clock = ManualClock(start=1000.0)
    limiter = MemoryRateLimiter(clock)
    for chat in range(100_000):
        assert await limiter.reserve(per_chat(chat)) == 0.0
        clock.advance(0.01)  # 100 new chats a second, each quiet again a second later

    assert len(limiter._buckets) < 5_000


async def test_a_chat_that_just_sent_still_waits_however_many_other_chats_come() -> None:
    clock = ManualClock(start=1000.0)
    limiter = MemoryRateLimiter(clock)
    assert await limiter.reserve(per_chat(1)) == 0.0
    for chat in range(2, 5_000):
        await limiter.reserve(per_chat(chat))

    assert await limiter.reserve(per_chat(1)) > 0.0, "its bucket was not forgotten"
    clock.advance(1.0)
    assert await limiter.reserve(per_chat(1)) == 0.0
