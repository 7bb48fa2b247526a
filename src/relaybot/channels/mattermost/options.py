"""Mattermost settings; the rate limit defaults are the server's own (10/s, burst 100)."""

from __future__ import annotations

from pydantic import Field, SecretStr

from relaybot.channels.options import ChannelOptions


class MattermostOptions(ChannelOptions):
    bot_user_id: str | None = None
    outgoing_token: SecretStr | None = None
    callback_url: str | None = None
    trigger_ttl: float = Field(default=3.0, gt=0)
    requests_per_second: float = Field(default=10.0, gt=0)
    burst: int = Field(default=100, ge=1)
    text_limit: int = Field(default=16383, ge=100)
    request_timeout: float = Field(default=10.0, gt=0)
