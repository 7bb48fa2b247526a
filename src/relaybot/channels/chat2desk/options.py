"""Chat2Desk settings. The rate limit is not published: 300/min comes from seed 004."""

from __future__ import annotations

from pydantic import Field

from relaybot.channels.options import ChannelOptions

DEFAULT_API_BASE = "https://api.chat2desk.com"


class Chat2DeskOptions(ChannelOptions):
    requests_per_minute: int = Field(default=300, ge=1)
    burst: int = Field(default=10, ge=1)
    secret_header: str = "X-Relaybot-Secret"
    transport: str | None = None
    message_type: str = "to_client"
    text_limit: int = Field(default=4096, ge=100)
    request_timeout: float = Field(default=10.0, gt=0)
