"""What channel adapters remember between a send and the user's answer.

Two small tables on the `channels` Alembic branch: long button payloads kept under short
keys (Telegram's callback_data holds 64 bytes), and per-chat memory such as the numbered
options last shown on a text-only channel, a Mattermost trigger id or the persistent menu.
Both are read by the gateway and written by the sender, which may be different processes, so
they live in the database and never only in memory.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from relaybot.core.types import Button
from relaybot.store.base import Base, UTCDateTime, utcnow
from relaybot.store.db import SessionMaker
from relaybot.store.sql import upsert_insert

KEY_PREFIX = "#"


class ButtonPayload(Base):
    """A button payload too long for the channel, stored under a key derived from it."""

    __tablename__ = "channel_button_payloads"

    bot: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ChatMemory(Base):
    """Per-chat facts a channel needs later; each column has one writer, so no lost updates."""

    __tablename__ = "channel_chat_memory"

    bot: Mapped[str] = mapped_column(String(64), primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    options: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)
    transport: Mapped[str | None] = mapped_column(String(64), nullable=True)
    trigger_id: Mapped[str | None] = mapped_column(String(256), nullable=True)
    trigger_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The persistent menu last shown (rows of {"text", "payload"}); [] when taken away.
    menu: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)


def payload_key(bot: str, payload: str) -> str:
    """The same payload always gets the same key, so re-sending a button adds no row."""
    digest = hashlib.sha256(f"{bot}\x00{payload}".encode()).digest()
    return KEY_PREFIX + base64.urlsafe_b64encode(digest[:15]).decode()


class PayloadStore:
    """Short keys for long payloads; a key is 21 ASCII characters."""

    def __init__(self, sessions: SessionMaker, bot: str) -> None:
        self.sessions = sessions
        self.bot = bot

    async def shorten(self, payloads: list[str]) -> dict[str, str]:
        keys = {p: payload_key(self.bot, p) for p in dict.fromkeys(payloads)}
        if not keys:
            return {}
        async with self.sessions() as session, session.begin():
            stmt = upsert_insert(session, ButtonPayload).values(
                [
                    {"bot": self.bot, "key": k, "payload": p, "created_at": utcnow()}
                    for p, k in keys.items()
                ]
            )
            await session.execute(stmt.on_conflict_do_nothing(index_elements=["bot", "key"]))
        return keys

    async def resolve(self, key: str) -> str | None:
        async with self.sessions() as session:
            payload: str | None = await session.scalar(
                select(ButtonPayload.payload).where(
                    ButtonPayload.bot == self.bot, ButtonPayload.key == key
                )
            )
        return payload


class ChatMemoryStore:
    """Reads and single-column upserts of `channel_chat_memory` for one bot."""

    def __init__(self, sessions: SessionMaker, bot: str) -> None:
        self.sessions = sessions
        self.bot = bot

    async def get(self, chat_id: str) -> ChatMemory | None:
        async with self.sessions() as session:
            return await session.get(ChatMemory, (self.bot, chat_id))

    async def set(self, chat_id: str, **values: Any) -> None:
        now = utcnow()
        async with self.sessions() as session, session.begin():
            stmt = upsert_insert(session, ChatMemory).values(
                bot=self.bot, chat_id=chat_id, updated_at=now, **values
            )
            await session.execute(
                stmt.on_conflict_do_update(
                    index_elements=["bot", "chat_id"], set_={**values, "updated_at": now}
                )
            )


def menu_rows(menu: tuple[tuple[Button, ...], ...]) -> list[list[dict[str, str]]]:
    """A menu as stored and as the web chat page reads it."""
    return [[{"text": b.text, "payload": b.payload} for b in row] for row in menu if row]


def menu_payload(stored: list[Any] | None, text: str) -> str | None:
    """The payload of the stored menu's button labelled `text` (a tap on a reply keyboard
    arrives as its label), or None. Only the chat's own menu is searched, so a label typed
    by hand means that button and nothing else."""
    wanted = text.strip()
    if not stored or not wanted:
        return None
    for row in stored:
        for button in row if isinstance(row, list) else ():
            if isinstance(button, dict) and button.get("text") == wanted:
                payload = button.get("payload")
                return payload if isinstance(payload, str) and payload else None
    return None
