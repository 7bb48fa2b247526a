"""Bot changes announced over Redis pub/sub, so every scaled-out process looks at once.

An announcement only says "look": each process reads the change from the database itself,
and the periodic check finds anything an announcement missed (pub/sub keeps nothing for a
process that was reconnecting).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import TYPE_CHECKING

import structlog

if TYPE_CHECKING:
    from redis.asyncio import Redis

log = structlog.get_logger("relaybot.bots")


def channel_name(namespace: str) -> str:
    return f"{namespace}:bots:changed"


async def announce(redis: Redis, namespace: str, bot: str) -> None:
    try:
        await redis.publish(channel_name(namespace), bot)
    except Exception as exc:  # the periodic check still finds the change
        log.warning("could not announce a bot change", bot=bot, error=type(exc).__name__)


async def listen(
    redis: Redis, namespace: str, on_change: Callable[[], None], stop: asyncio.Event
) -> None:
    """Call `on_change` for every announcement until `stop`; reconnect after a failure."""
    while not stop.is_set():
        pubsub = redis.pubsub(ignore_subscribe_messages=True)
        try:
            await pubsub.subscribe(channel_name(namespace))
            on_change()  # anything announced while not subscribed is looked for now
            while not stop.is_set():
                message = await pubsub.get_message(timeout=1.0)
                if message is not None:
                    on_change()
        except Exception as exc:
            log.warning("bot announcements interrupted; resubscribing", error=type(exc).__name__)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(1.0):
                    await stop.wait()
        finally:
            with contextlib.suppress(Exception):
                await pubsub.aclose()  # type: ignore[no-untyped-call]
