"""Telegram, built on aiogram 3: its `Bot`, session and types.

The adapter is imported on first use: importing aiogram takes seconds, and what only reads a
Telegram bot's settings (`relaybot.channels.telegram.options`) should not wait for it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from relaybot.channels.telegram.adapter import TelegramAdapter, telegram_bot

__all__ = ["TelegramAdapter", "telegram_bot"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from relaybot.channels.telegram import adapter

        return getattr(adapter, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
