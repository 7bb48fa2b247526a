"""A complete relaybot served by uvicorn inside the current event loop."""

from __future__ import annotations

import asyncio
import socket
from types import TracebackType

import uvicorn

from relaybot.config import Settings
from relaybot.core.clock import Clock
from relaybot.gateway.app import create_app
from relaybot.system import System, build_system


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class RelaybotServer:
    """`async with RelaybotServer(settings) as server:` then talk to `server.url`."""

    def __init__(
        self,
        settings: Settings,
        *,
        roles: tuple[str, ...] = ("gateway", "worker", "sender"),
        clock: Clock | None = None,
    ) -> None:
        port = free_port()
        self.settings = settings.model_copy(update={"host": "127.0.0.1", "port": port})
        self.roles = roles
        self.clock = clock
        self.url = f"http://127.0.0.1:{port}"
        self.system: System | None = None
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> RelaybotServer:
        self.system = await build_system(self.settings, clock=self.clock)
        app = create_app(self.system, roles=self.roles)
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=self.settings.port,
            log_config=None,
            access_log=False,
            lifespan="on",
            loop="none",
        )
        self._server = uvicorn.Server(config)
        self._task = asyncio.create_task(self._server.serve())
        for _ in range(500):
            if self._server.started:
                return self
            if self._task.done():
                self._task.result()
            await asyncio.sleep(0.01)
        raise RuntimeError("relaybot did not start within 5 s")

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._task is not None:
            await asyncio.wait_for(self._task, timeout=20)
