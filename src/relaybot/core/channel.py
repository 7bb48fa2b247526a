"""The one interface every channel adapter implements; the runtime knows channels only by it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from relaybot.core.bots import BotConfig
from relaybot.core.types import OutgoingMessage, Update

if TYPE_CHECKING:
    from starlette.requests import Request


class WebhookRejected(Exception):
    """The request is not from the channel or is malformed; nothing is stored."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


@dataclass(frozen=True)
class WebhookResult:
    """Updates parsed from one webhook call and the body the channel expects back."""

    updates: list[Update]
    response: Any = field(default_factory=lambda: {"ok": True})


@dataclass(frozen=True)
class Limit:
    """A token bucket: `rate` sends per second, up to `burst` at once, shared by one `key`."""

    key: str
    rate: float
    burst: int = 1


class ChannelAdapter(Protocol):
    channel: str
    bot: BotConfig

    async def handle_webhook(self, request: Request, subpath: str) -> WebhookResult:
        """Verify the caller, then parse its body into updates (raise `WebhookRejected`)."""
        ...

    async def send(self, chat_id: str, message: OutgoingMessage) -> Sequence[str] | None:
        """Deliver or raise one of `relaybot.core.errors`; return the channel's ids of what
        was sent, in order, when the channel has them (they become a delivery receipt)."""
        ...

    def limits(self, chat_id: str) -> list[Limit]:
        """The buckets one message to `chat_id` draws from."""
        ...

    async def start(self) -> None: ...

    async def close(self) -> None: ...


Ingest = Callable[[Sequence[Update]], Awaitable[list[bool]]]
"""Stores updates durably (what the gateway does with a webhook's updates); True = new."""


@runtime_checkable
class PollingChannel(Protocol):
    """An adapter that can fetch updates itself, for bots without a public URL.

    The gateway role runs `poll` for every adapter whose `polling` is true; `poll` confirms
    updates to the channel only after `ingest` returned, so a crash re-reads, never loses.
    """

    polling: bool

    async def poll(self, ingest: Ingest, stop: asyncio.Event) -> None: ...
