"""Mattermost: slash commands, buttons and interactive dialogs with a bot account."""

from relaybot.channels.mattermost.adapter import MattermostAdapter

__all__ = ["MattermostAdapter"]
