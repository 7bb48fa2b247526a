"""Chat2Desk: a help-desk hub for WhatsApp, Telegram, Viber and more, over its REST API."""

from relaybot.channels.chat2desk.adapter import Chat2DeskAdapter

__all__ = ["Chat2DeskAdapter"]
