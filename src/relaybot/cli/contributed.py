"""The one hook through which apps and channels add their own command groups.

An app contributes `App.cli()` under its name (`relaybot booking ...`); a channel contributes
the group the channel registry names for it (`relaybot telegram ...`). Both load only when
their command is asked for, so `relaybot run` never imports a channel it does not use, and
`relaybot --help` imports neither (their summaries are in `relaybot.cli.commands`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import click

from relaybot.channels.registry import channel_cli, channels_with_cli
from relaybot.cli.commands import CONTRIBUTED

Loader = Callable[[], click.Command | None]


def _app_commands(name: str) -> click.Command | None:
    from relaybot.apps import load_app_class

    return load_app_class(name).cli()


def _bundled_apps() -> list[str]:
    from relaybot.core.bots import BUNDLED_APPS

    return list(BUNDLED_APPS)


def hooks() -> dict[str, Loader]:
    """Command name -> its group as the app or channel itself gives it."""
    found: dict[str, Loader] = {name: partial(_app_commands, name) for name in _bundled_apps()}
    for channel in channels_with_cli():
        if channel in found:
            raise RuntimeError(f"an app and a channel are both named {channel!r}")
        found[channel] = partial(channel_cli, channel)
    return found


def _none() -> None:
    return None


def contributions() -> dict[str, Loader]:
    """Command name -> how to load its group, for every bundled app and channel that has one;
    a group registered in `relaybot.cli.commands` is imported from where it lives."""
    found = hooks()
    for name in found.keys() & CONTRIBUTED.keys():
        known = CONTRIBUTED[name]
        found[name] = _none if known is None else known.load
    return found
