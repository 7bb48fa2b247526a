"""What the gateway is given by the process that serves it.

The gateway never builds its collaborators: the composition root hands it an object with these
parts (`relaybot.system.System` is one), and each route gets only the parts it uses.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

from relaybot.channels.registry import AdapterDeps
from relaybot.config import BotConfig, Settings
from relaybot.core.app import App
from relaybot.core.channel import ChannelAdapter
from relaybot.gateway.bots_api import BotAdmin
from relaybot.runtime.ingest import IngestPath
from relaybot.runtime.queue import InboundQueue
from relaybot.store.db import SessionMaker


class GatewayHost(Protocol):
    """The parts of one process the gateway serves, and how to start and stop them."""

    @property
    def settings(self) -> Settings: ...

    @property
    def sessions(self) -> SessionMaker: ...

    @property
    def queue(self) -> InboundQueue: ...

    @property
    def ingest(self) -> IngestPath: ...

    @property
    def bots(self) -> Mapping[str, BotConfig]: ...

    @property
    def apps(self) -> Mapping[str, App]: ...

    @property
    def adapters(self) -> Mapping[str, ChannelAdapter]: ...

    @property
    def adapter_deps(self) -> AdapterDeps: ...

    @property
    def app_types(self) -> Sequence[type[App]]: ...

    @property
    def bot_admin(self) -> BotAdmin | None: ...

    async def start(self, roles: Iterable[str]) -> None: ...

    async def close(self) -> None: ...
