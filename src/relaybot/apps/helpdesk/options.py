"""What an operator may tune per help desk bot, in the bot's `options` table of relaybot.toml."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any


@dataclass(frozen=True)
class DeskOptions:
    provider_max_active: int = 3
    """How many requests one helper may hold at once."""
    requester_max_open: int = 5
    """How many open requests one person may have, so one person cannot flood the queue."""
    history_limit: int = 20
    """How many past messages a helper or moderator is shown on joining a request."""
    list_limit: int = 10
    """How many requests a list in the chat shows."""
    escalate_after_minutes: int = 30
    """How long a request may wait for a helper before every moderator is told."""

    @classmethod
    def from_bot(cls, bot_name: str, options: dict[str, Any]) -> DeskOptions:
        """Read the known keys; a wrong value fails at start, naming the bot and the key."""
        values: dict[str, int] = {}
        for item in fields(cls):
            if item.name not in options:
                continue
            raw = options[item.name]
            if isinstance(raw, bool) or not isinstance(raw, int) or not 1 <= raw <= 1000:
                raise ValueError(
                    f"bot {bot_name!r}: option {item.name} must be a whole number "
                    f"from 1 to 1000, not {raw!r}"
                )
            values[item.name] = raw
        return cls(**values)
