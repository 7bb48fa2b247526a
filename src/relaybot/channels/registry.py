"""Channel names to adapter classes, to the HTTP routes a channel serves itself, and to the
command groups a channel adds to `relaybot`.

Adding a channel is one line in `ADAPTERS` and one package; a channel with a door of its own
besides `/webhook/{channel}/{bot}` (the web chat's page, API and socket) adds a line to `ROUTES`,
and one with commands of its own (`relaybot telegram ...`) a line to `COMMANDS`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import click
    from fastapi import APIRouter

    from relaybot.config import BotConfig, Settings
    from relaybot.core.app import App
    from relaybot.core.channel import ChannelAdapter, Limit
    from relaybot.core.clock import Clock
    from relaybot.core.types import Update
    from relaybot.store.db import SessionMaker

ADAPTERS: dict[str, str] = {
    "webchat": "relaybot.channels.webchat:WebchatAdapter",
    "telegram": "relaybot.channels.telegram:TelegramAdapter",
    "chat2desk": "relaybot.channels.chat2desk:Chat2DeskAdapter",
    "mattermost": "relaybot.channels.mattermost:MattermostAdapter",
}

ROUTES: dict[str, str] = {
    "webchat": "relaybot.channels.webchat:webchat_router",
}

# `relaybot <channel> ...`: the click group of a channel's own commands, loaded when asked for.
COMMANDS: dict[str, str] = {
    "telegram": "relaybot.channels.telegram.cli:telegram",
}


@dataclass(frozen=True)
class AdapterDeps:
    """What an adapter may need from the process it runs in."""

    settings: Settings
    sessions: SessionMaker
    clock: Clock
    hub: Any  # the web chat's WebchatHub; typed loosely so other channels need not import it


class Intake(Protocol):
    """The process's one ingest path, in the two halves a channel's own routes call: screen
    first, record the channel's side of the message, then store what was admitted."""

    async def screen(self, updates: Sequence[Update]) -> list[Update]: ...

    async def store(self, updates: Sequence[Update]) -> list[bool]: ...


class Reserver(Protocol):
    """A rate limiter as a channel's routes see it: the seconds to wait, 0 when allowed now."""

    async def reserve(self, limits: Sequence[Limit]) -> float: ...


@dataclass(frozen=True)
class RouteDeps:
    """What a channel's own routes may need: its bots (with their apps), the ingest path, and
    a way to make an in-memory rate limiter for a door of their own."""

    adapters: AdapterDeps
    bots: Mapping[str, BotConfig]
    apps: Mapping[str, App]
    ingest: Intake
    new_limiter: Callable[[], Reserver]


def known_channels() -> list[str]:
    return sorted(ADAPTERS)


def build_adapter(bot: BotConfig, deps: AdapterDeps) -> ChannelAdapter:
    target = ADAPTERS.get(bot.channel)
    if target is None:
        raise ValueError(
            f"bot {bot.name!r}: unknown channel {bot.channel!r} "
            f"(known: {', '.join(known_channels())})"
        )
    adapter: ChannelAdapter = _load(target)(bot, deps)
    return adapter


def channel_routers(deps: RouteDeps, *, every: bool = False) -> list[APIRouter]:
    """The routes of every channel that has a bot in this process and a door of its own
    (`every`: of every channel, for a process whose bots may change while it runs)."""
    used = set(ROUTES) if every else {bot.channel for bot in deps.bots.values()}
    routers = []
    for channel in sorted(used & ROUTES.keys()):
        factory: Callable[[RouteDeps], APIRouter] = _load(ROUTES[channel])
        routers.append(factory(deps))
    return routers


def _load(target: str) -> Any:
    module_name, _, attr = target.partition(":")
    return getattr(importlib.import_module(module_name), attr)


def channels_with_cli() -> list[str]:
    return sorted(COMMANDS)


def channel_cli(channel: str) -> click.Command | None:
    """The command group `channel` adds to `relaybot`, or None when it adds none."""
    target = COMMANDS.get(channel)
    if target is None:
        return None
    command: click.Command = _load(target)
    return command
