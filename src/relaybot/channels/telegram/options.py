"""Telegram's sending limits and polling knobs, with the Bot FAQ's figures as defaults."""

from __future__ import annotations

from pydantic import Field

from relaybot.channels.options import ChannelOptions

HANDLED_UPDATES = ("message", "callback_query")


class TelegramOptions(ChannelOptions):
    # "about 30 messages per second" overall: never more in any second. A small burst lets
    # the sender hand over a few messages per round instead of one.
    per_bot_per_second: int = Field(default=30, ge=1, le=10_000)
    per_bot_burst: int = Field(default=3, ge=1, le=10_000)
    # "about one message per second" in one chat.
    per_chat_per_second: float = Field(default=1.0, ge=0.001, le=1_000)
    per_chat_burst: int = Field(default=1, ge=1, le=1_000)
    # "at most 20 messages per minute" to one group.
    group_per_minute: int = Field(default=20, ge=1, le=60_000)
    group_burst: int = Field(default=3, ge=1, le=1_000)
    request_timeout: float = Field(default=10.0, ge=0.1, le=300)
    poll_timeout: int = Field(default=25, ge=0, le=50)
    poll_limit: int = Field(default=100, ge=1, le=100)
    allowed_updates: list[str] = Field(default_factory=lambda: list(HANDLED_UPDATES), max_length=50)
