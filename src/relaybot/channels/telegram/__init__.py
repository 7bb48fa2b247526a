"""Telegram, built on aiogram 3: its `Bot`, session and types."""

from relaybot.channels.telegram.adapter import TelegramAdapter, telegram_bot

__all__ = ["TelegramAdapter", "telegram_bot"]
