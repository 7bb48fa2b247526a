"""The `relaybot` command: serving roles, operator commands, and those of apps and channels."""

from relaybot.cli.root import main

__all__ = ["main"]
