"""Helpers for the commands apps and channels add to `relaybot`: settings, store, listings."""

from relaybot.console.printer import Column, Row, json_option, minute_cell, print_rows
from relaybot.console.shell import (
    Shell,
    cli_actor,
    config_option,
    run_async,
    settings_of,
    shell_of,
    with_store,
)

__all__ = [
    "Column",
    "Row",
    "Shell",
    "cli_actor",
    "config_option",
    "json_option",
    "minute_cell",
    "print_rows",
    "run_async",
    "settings_of",
    "shell_of",
    "with_store",
]
