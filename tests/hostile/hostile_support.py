"""A relaybot for hostile tests, served from its own thread so hypothesis can drive it
synchronously, and the tally of cases tried that conftest prints at the end of the run."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

import httpx

from relaybot.config import Settings, load_settings
from relaybot.testing import RelaybotServer

T = TypeVar("T")
ADMIN_TOKEN = "hostile-admin-token-5d41402abc4b2a76b9719d911017c592"
TALLY: Counter[str] = Counter()
SERVER_ERRORS: Counter[str] = Counter()
HEALTH_503: Counter[str] = Counter()


class ThreadedRelaybot:
    """A whole relaybot (gateway, worker, sender) running in a background event loop.

    `standins` (stand-in messenger servers) start first in the same loop; `settings` may be a
    function of them, since their URLs are known only once they listen.
    """

    def __init__(
        self,
        settings: Settings | Callable[[list[Any]], Settings],
        *,
        standins: Sequence[Any] = (),
    ) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.settings = settings
        self.standins = list(standins)
        self.server: RelaybotServer
        self.url = ""

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def __enter__(self) -> ThreadedRelaybot:
        self.thread.start()
        for standin in self.standins:
            self.run(standin.__aenter__())
        settings = (
            self.settings if isinstance(self.settings, Settings) else self.settings(self.standins)
        )
        self.server = RelaybotServer(settings)
        self.url = self.server.url
        self.run(self.server.__aenter__())
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self.run(self.server.__aexit__(None, None, None))
            for standin in reversed(self.standins):
                self.run(standin.__aexit__(None, None, None))
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(timeout=10)
            self.loop.close()


def hostile_settings(directory: Path, **overrides: Any) -> Settings:
    options: dict[str, Any] = {
        "database_url": f"sqlite+aiosqlite:///{directory / 'relaybot.db'}",
        "admin_token": ADMIN_TOKEN,
        "jwt_secret": "hostile-jwt-secret-" + "0" * 40,
        "poll_interval": 0.2,
        "inbound_user_burst": 1_000_000,
        "inbound_chat_burst": 1_000_000,
        "webchat_sessions_per_minute": 1_000_000,
        "auth_failures_per_minute": 1_000_000,
    }
    options.update(overrides)
    return load_settings(None, **options)


def record(kind: str, response: httpx.Response) -> None:
    """Count a case; a 5xx is remembered by route (and fails the case that caused it).

    The one 5xx that is an answer rather than a failure: `/health` or `/readyz` saying 503
    because the store did not answer in time, which is what a load balancer must be told."""
    TALLY[kind] += 1
    where = f"{response.request.method} {response.request.url.path} -> {response.status_code}"
    if response.status_code == 503 and response.request.url.path in ("/health", "/readyz"):
        HEALTH_503[kind] += 1
        return
    if response.status_code >= 500:
        SERVER_ERRORS[where] += 1
    assert response.status_code < 500, f"{where}: {response.text[:300]}"


async def store_problems(running: ThreadedRelaybot, *, deliveries: bool = True) -> list[str]:
    """Anything half-written: what the fuzzing must never leave behind.

    `deliveries=False` skips the outbox checks, for stand-in channels that rightly refuse
    messages to the made-up chats a fuzzer invents."""
    from sqlalchemy import func, select

    from relaybot.apps.orders.models import Order
    from relaybot.core.types import decode_update
    from relaybot.runtime.inbound import is_notice
    from relaybot.store.models import (
        ApiToken,
        AuditEntry,
        DeadLetter,
        InboundUpdate,
        OutboxMessage,
        WebchatMessage,
    )

    system = running.server.system
    if system is None:
        return ["relaybot is not running"]
    problems: list[str] = []
    async with system.sessions() as session:
        updates = list(await session.scalars(select(InboundUpdate)))
        queued_ids = set()
        for row in updates:
            update = decode_update(row.payload)
            queued_ids.add(update.update_id)
            if row.status not in ("done", "dropped"):
                problems.append(f"update {row.id} is {row.status}: {row.error}")
            if update.channel == "webchat" and not is_notice(update):
                chat_id, _, client_id = update.update_id.partition(":")
                seen = await session.scalar(
                    select(func.count())
                    .select_from(WebchatMessage)
                    .where(
                        WebchatMessage.chat_id == chat_id,
                        WebchatMessage.client_id == client_id,
                        WebchatMessage.direction == "in",
                    )
                )
                if not seen:
                    problems.append(f"update {update.update_id} has no web chat history row")
        incoming = await session.execute(
            select(WebchatMessage.chat_id, WebchatMessage.client_id).where(
                WebchatMessage.direction == "in"
            )
        )
        for chat_id, client_id in incoming:
            if f"{chat_id}:{client_id}" not in queued_ids:
                problems.append(f"web chat message {chat_id}:{client_id} was never queued")
        for order in await session.scalars(select(Order)):
            if not (1 <= order.bottles_count <= 50 and order.client_phone.startswith("+")):
                problems.append(f"order {order.id} holds invalid data")
        stuck = deliveries and await session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.status != "sent", OutboxMessage.last_error.is_not(None))
        )
        if stuck:
            problems.append(f"{stuck} outbox messages failed")
        if deliveries and await session.scalar(select(func.count()).select_from(DeadLetter)):
            problems.append("dead letters were written")
        tokens = set(await session.scalars(select(ApiToken.id)))
        created = await session.scalars(
            select(AuditEntry.target).where(AuditEntry.action == "token.create")
        )
        if {int(t) for t in created if t is not None} != tokens:
            problems.append("API tokens and their audit entries disagree")
    return problems


async def stored_updates(running: ThreadedRelaybot) -> int:
    from sqlalchemy import func, select

    from relaybot.store.models import InboundUpdate

    system = running.server.system
    if system is None:
        return 0
    async with system.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(InboundUpdate)) or 0)
