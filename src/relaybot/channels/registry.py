"""Channel names to adapter classes (and to the command groups some channels add to `relaybot`);
adding a channel is one line here and one module."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from relaybot.config import BotConfig, Settings
from relaybot.core.channel import ChannelAdapter
from relaybot.core.clock import Clock
from relaybot.store.db import SessionMaker

if TYPE_CHECKING:
    import click

ADAPTERS: dict[str, str] = {
    "webchat": "relaybot.channels.webchat:WebchatAdapter",
    "telegram": "relaybot.channels.telegram:TelegramAdapter",
    "chat2desk": "relaybot.channels.chat2desk:Chat2DeskAdapter",
    "mattermost": "relaybot.channels.mattermost:MattermostAdapter",
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


def known_channels() -> list[str]:
    return sorted(ADAPTERS)


def build_adapter(bot: BotConfig, deps: AdapterDeps) -> ChannelAdapter:
    target = ADAPTERS.get(bot.channel)
    if target is None:
        raise ValueError(
            f"bot {bot.name!r}: unknown channel {bot.channel!r} "
            f"(known: {', '.join(known_channels())})"
        )
    module_name, _, attr = target.partition(":")
    cls = getattr(importlib.import_module(module_name), attr)
    adapter: ChannelAdapter = cls(bot, deps)
    return adapter


def channels_with_cli() -> list[str]:
    return sorted(COMMANDS)


def channel_cli(channel: str) -> click.Command | None:
    """The command group `channel` adds to `relaybot`, or None when it adds none."""
    target = COMMANDS.get(channel)
    if target is None:
        return None
    module_name, _, attr = target.partition(":")
    command: click.Command = getattr(importlib.import_module(module_name), attr)
    return command
