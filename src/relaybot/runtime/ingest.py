"""The one way an update gets into the queue, whichever door it came through.

Webhooks, the web chat's API and the pollers all hand their updates to `IngestPath`: it screens
them (well-formed, within the flood limits, trimmed), gives each a trace id, stores them through
the group commit, counts them, and wakes the worker. A channel that records its own side of a
message (the web chat's history) calls the two halves, `screen` and `store`, with its write in
between; everyone else calls the path itself.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

import msgspec
import structlog

from relaybot.core.types import Update
from relaybot.runtime import metrics
from relaybot.runtime.inbound import InboundGuard
from relaybot.runtime.queue import IngestBatcher
from relaybot.runtime.signal import Signal

log = structlog.get_logger("relaybot.gateway")


def new_trace_id() -> str:
    """A short random id that follows one update through the logs of every component."""
    return secrets.token_hex(8)


class IngestPath:
    """Screen, stamp, store, count, wake: `await ingest(updates)` returns True per new update."""

    def __init__(self, guard: InboundGuard, batcher: IngestBatcher, wake: Signal) -> None:
        self.guard = guard
        self.batcher = batcher
        self.wake = wake

    async def __call__(self, updates: Sequence[Update]) -> list[bool]:
        """Store what the flood limits admit; one flag per stored update (False = a repeat)."""
        return await self.store(await self.screen(updates))

    async def screen(self, updates: Sequence[Update]) -> list[Update]:
        """What to store, each with a trace id: admitted updates and any flood notices.

        An admitted update keeps its `update_id`; a dropped one is missing or replaced by
        a notice with an id of its own, so a caller can tell which of its updates got in.
        """
        if not updates:
            return []
        screened = await self.guard.screen(updates)
        return [
            u if u.trace_id else msgspec.structs.replace(u, trace_id=new_trace_id())
            for u in screened
        ]

    async def store(self, updates: Sequence[Update]) -> list[bool]:
        """Write screened updates durably (one group commit with concurrent callers)."""
        if not updates:
            return []
        accepted = await self.batcher.submit(updates)
        for update, is_new in zip(updates, accepted, strict=True):
            if is_new:
                metrics.UPDATES_RECEIVED.labels(update.channel, update.bot).inc()
            else:
                metrics.UPDATES_DUPLICATE.labels(update.bot).inc()
            log.debug(
                "update stored", trace_id=update.trace_id, bot=update.bot, duplicate=not is_new
            )
        if any(accepted):
            self.wake.notify()
        return accepted
