"""Mattermost: slash commands, buttons and interactive dialogs with a bot account.

The adapter is imported on first use, so what only reads a bot's settings (`.options`, for
the REST API's schema) does not load the channel.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from relaybot.channels.mattermost.adapter import MattermostAdapter

__all__ = ["MattermostAdapter"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from relaybot.channels.mattermost import adapter

        return getattr(adapter, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
