"""Turning a channel's published limits into the sender's token buckets."""

from __future__ import annotations

from relaybot.core.channel import Limit


def window_limit(key: str, count: int, window: float, *, burst: int) -> Limit:
    """A bucket that lets at most `count` sends through in ANY `window` seconds.

    A bucket of size b refilled at r lets b + r*window through in a window, so the rate is
    what is left of `count` after the burst. A sliding window and this bucket agree on the
    ceiling; the bucket also spreads the sends instead of spending the window at once.
    """
    if count < 1 or window <= 0:
        raise ValueError(f"limit {key!r}: count and window must be positive")
    if count == 1:
        return Limit(key, rate=1.0 / window, burst=1)
    burst = max(1, min(burst, count - 1))
    return Limit(key, rate=(count - burst) / window, burst=burst)
