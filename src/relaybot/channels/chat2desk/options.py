"""Chat2Desk settings. The rate limit is not published: 300/min comes from seed 004."""

from __future__ import annotations

from pydantic import Field

from relaybot.channels.options import ChannelOptions

DEFAULT_API_BASE = "https://api.chat2desk.com"


class Chat2DeskOptions(ChannelOptions):
    requests_per_minute: int = Field(default=300, ge=1, le=600_000)
    burst: int = Field(default=10, ge=1, le=100_000)
    secret_header: str = Field(default="X-Relaybot-Secret", pattern=r"^[A-Za-z0-9-]{1,64}$")
    transport: str | None = Field(default=None, min_length=1, max_length=64)
    message_type: str = Field(default="to_client", min_length=1, max_length=64)
    text_limit: int = Field(default=4096, ge=100, le=1_000_000)
    request_timeout: float = Field(default=10.0, ge=0.1, le=300)
