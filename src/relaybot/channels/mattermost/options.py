"""Mattermost settings; the rate limit defaults are the server's own (10/s, burst 100)."""

from __future__ import annotations

from pydantic import Field, SecretStr

from relaybot.channels.options import ChannelOptions


class MattermostOptions(ChannelOptions):
    bot_user_id: str | None = Field(default=None, min_length=1, max_length=64)
    outgoing_token: SecretStr | None = None
    callback_url: str | None = Field(
        default=None, max_length=500, pattern=r"^https?://[^\s/?#]+([/?#][^\s]*)?$"
    )
    trigger_ttl: float = Field(default=3.0, ge=0.1, le=60)
    requests_per_second: float = Field(default=10.0, ge=0.01, le=10_000)
    burst: int = Field(default=100, ge=1, le=100_000)
    text_limit: int = Field(default=16383, ge=100, le=16383)
    request_timeout: float = Field(default=10.0, ge=0.1, le=300)
