"""The built-in web chat as a channel: replies land in the visitor's history and are pushed live."""

from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec

from relaybot.channels.store import menu_rows
from relaybot.channels.webchat import files, store
from relaybot.channels.webchat.live import WebchatHub
from relaybot.config import BotConfig
from relaybot.core.channel import Limit, WebhookRejected, WebhookResult
from relaybot.core.types import OutgoingMessage
from relaybot.store.base import utcnow
from relaybot.store.db import SessionMaker
from relaybot.store.models import WebchatMessage
from relaybot.store.sql import upsert_insert

if TYPE_CHECKING:
    from starlette.requests import Request

    from relaybot.channels.registry import AdapterDeps


def message_to_json(
    message: OutgoingMessage,
) -> tuple[list[list[dict[str, str]]], list[dict[str, object]]]:
    buttons = [[{"text": b.text, "payload": b.payload} for b in row] for row in message.buttons]
    media = [msgspec.to_builtins(m) for m in message.media]
    return buttons, media


class WebchatAdapter:
    channel = "webchat"

    def __init__(self, bot: BotConfig, deps: AdapterDeps) -> None:
        self.bot = bot
        self.sessions: SessionMaker = deps.sessions
        self.hub: WebchatHub = deps.hub

    async def handle_webhook(self, request: Request, subpath: str) -> WebhookResult:
        raise WebhookRejected(404, "the web chat receives messages at /chat/api/, not a webhook")

    async def send(self, chat_id: str, message: OutgoingMessage) -> None:
        """Store the reply, and the chat's new menu with it; one sent again after a crash
        (same `delivery_id`) is kept once."""
        buttons, media = message_to_json(message)
        delivery_id = message.meta.get("delivery_id")
        async with self.sessions() as session, session.begin():
            await files.grant(session, chat_id=chat_id, media=message.media)
            if message.menu is not None:
                await store.set_menu(
                    session, chat_id=chat_id, bot=self.bot.name, rows=menu_rows(message.menu)
                )
            await session.execute(
                upsert_insert(session, WebchatMessage)
                .values(
                    chat_id=chat_id,
                    bot=self.bot.name,
                    direction="out",
                    text=message.text,
                    buttons=buttons,
                    media=media,
                    client_id=delivery_id if isinstance(delivery_id, str) else None,
                    created_at=utcnow(),
                )
                .on_conflict_do_nothing(index_elements=["chat_id", "bot", "client_id"])
            )
        self.hub.publish(chat_id)

    def limits(self, chat_id: str) -> list[Limit]:
        return [Limit(f"{self.bot.name}:{chat_id}", rate=20.0, burst=20)]

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None
