"""A relaybot for hostile tests, served from its own thread so hypothesis can drive it
synchronously, and the tally of cases tried that conftest prints at the end of the run."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from collections.abc import Coroutine
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


class ThreadedRelaybot:
    """A whole relaybot (gateway, worker, sender) running in a background event loop."""

    def __init__(self, settings: Settings) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.server = RelaybotServer(settings)
        self.url = self.server.url

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def __enter__(self) -> ThreadedRelaybot:
        self.thread.start()
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
    """Count a case; a 5xx is remembered (and fails the case that caused it)."""
    TALLY[kind] += 1
    if response.status_code >= 500:
        SERVER_ERRORS[kind] += 1
    assert response.status_code < 500, (
        f"{response.request.method} {response.request.url.path} -> {response.status_code}"
    )
