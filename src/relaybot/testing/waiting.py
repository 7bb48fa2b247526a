"""Waiting for something another process will do, without a fixed sleep."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable


async def eventually(
    check: Callable[[], Awaitable[bool]], *, timeout: float, interval: float = 0.05
) -> None:
    """Return as soon as `check()` is true; raise TimeoutError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        if await check():
            return
        if time.monotonic() >= deadline:
            raise TimeoutError(f"still not true after {timeout} s: {check.__qualname__}")
        await asyncio.sleep(interval)
