"""The built-in web chat: its adapter, its page, API and socket, its live connections, its store."""

from relaybot.channels.webchat.adapter import WebchatAdapter
from relaybot.channels.webchat.live import WebchatHub
from relaybot.channels.webchat.routes import webchat_router

__all__ = ["WebchatAdapter", "WebchatHub", "webchat_router"]
