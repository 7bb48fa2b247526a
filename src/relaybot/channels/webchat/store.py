"""Web chat sessions and history. Only a SHA-256 of the session cookie is ever stored."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from relaybot.channels.store import ChatMemory
from relaybot.channels.webchat import files
from relaybot.store.base import utcnow
from relaybot.store.db import SessionMaker
from relaybot.store.models import (
    InboundUpdate,
    OutboxMessage,
    ProcessedUpdate,
    WebchatMessage,
    WebchatSession,
)
from relaybot.store.sql import upsert_insert

TOKEN_BYTES = 32  # 256 bits


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Visitor:
    chat_id: str


async def create_session(sessions: SessionMaker) -> tuple[str, Visitor]:
    token = secrets.token_urlsafe(TOKEN_BYTES)
    chat_id = "w" + secrets.token_hex(12)
    async with sessions() as session, session.begin():
        session.add(WebchatSession(token_hash=hash_token(token), chat_id=chat_id))
    return token, Visitor(chat_id)


async def find_session(sessions: SessionMaker, token: str | None) -> Visitor | None:
    if not token or len(token) > 128:
        return None
    async with sessions() as session:
        chat_id = await session.scalar(
            select(WebchatSession.chat_id).where(WebchatSession.token_hash == hash_token(token))
        )
    return None if chat_id is None else Visitor(chat_id)


class SessionCache:
    """Known sessions in memory for a minute, so a busy visitor costs no query per request.

    Only hits are kept: a cookie that is not (yet) a session is asked again every time.
    """

    def __init__(self, sessions: SessionMaker, *, ttl: float = 60.0, size: int = 10_000) -> None:
        self.sessions = sessions
        self.ttl = ttl
        self.size = size
        self._hits: dict[str, tuple[float, Visitor]] = {}

    async def find(self, token: str | None) -> Visitor | None:
        if not token or len(token) > 128:
            return None
        key = hash_token(token)
        now = time.monotonic()
        hit = self._hits.get(key)
        if hit is not None and now - hit[0] < self.ttl:
            return hit[1]
        visitor = await find_session(self.sessions, token)
        if visitor is not None:
            if len(self._hits) >= self.size:
                self._hits.clear()
            self._hits[key] = (now, visitor)
        return visitor


async def add_incoming(
    sessions: SessionMaker,
    *,
    chat_id: str,
    bot: str,
    client_id: str,
    text: str,
    media: list[Any] | None = None,
) -> bool:
    """Record what the visitor typed or pressed; False when this client id was seen before."""
    try:
        async with sessions() as session, session.begin():
            session.add(
                WebchatMessage(
                    chat_id=chat_id,
                    bot=bot,
                    direction="in",
                    text=text,
                    buttons=[],
                    media=media or [],
                    client_id=client_id,
                    created_at=utcnow(),
                )
            )
    except IntegrityError:
        return False
    return True


async def history(
    sessions: SessionMaker, *, chat_id: str, bot: str | None, after: int = 0, limit: int = 200
) -> list[dict[str, Any]]:
    async with sessions() as session:
        query = select(WebchatMessage).where(
            WebchatMessage.chat_id == chat_id, WebchatMessage.id > after
        )
        if bot is not None:
            query = query.where(WebchatMessage.bot == bot)
        rows = await session.scalars(query.order_by(WebchatMessage.id).limit(limit))
        return [
            {
                "id": row.id,
                "bot": row.bot,
                "direction": row.direction,
                "text": row.text,
                "buttons": row.buttons,
                "media": files.shown(row.media),
                "at": row.created_at.isoformat(),
                # The page's own id of what the visitor sent, so it can match its pending copy.
                **({"client_id": row.client_id} if row.direction == "in" else {}),
            }
            for row in rows
        ]


@dataclass(frozen=True)
class Progress:
    """How far one message of the visitor has gone: `handled` once the worker has committed
    what it did with it, `settled` once every reply then due in this chat is in the history
    too (up to `last_id`), so a client waiting for the answer knows it has all of it."""

    client_id: str
    handled: bool
    settled: bool
    last_id: int


async def progress(
    sessions: SessionMaker, *, chat_id: str, bot: str, client_id: str
) -> Progress | None:
    """None when this chat never sent `client_id` to `bot`."""
    update_id = f"{chat_id}:{client_id}"
    async with sessions() as session:
        sent = await session.scalar(
            select(WebchatMessage.id).where(
                WebchatMessage.chat_id == chat_id,
                WebchatMessage.bot == bot,
                WebchatMessage.client_id == client_id,
                WebchatMessage.direction == "in",
            )
        )
        if sent is None:
            return None
        # The table queue marks the row it took; the Redis queue keeps a processed key.
        handled = (
            await session.scalar(
                select(InboundUpdate.id).where(
                    InboundUpdate.bot == bot,
                    InboundUpdate.update_id == update_id,
                    InboundUpdate.status != "pending",
                )
            )
            is not None
            or await session.get(ProcessedUpdate, (bot, update_id)) is not None
        )
        due = False
        if handled:  # its replies were written with the processed mark, so they are visible
            due = (
                await session.scalar(
                    select(OutboxMessage.id)
                    .where(
                        OutboxMessage.bot == bot,
                        OutboxMessage.chat_id == chat_id,
                        OutboxMessage.status == "pending",
                        OutboxMessage.next_attempt_at <= time.time(),
                    )
                    .limit(1)
                )
                is not None
            )
        last_id = await session.scalar(
            select(func.max(WebchatMessage.id)).where(
                WebchatMessage.chat_id == chat_id, WebchatMessage.bot == bot
            )
        )
    return Progress(client_id, handled, handled and not due, int(last_id or 0))


async def set_menu(
    session: AsyncSession, *, chat_id: str, bot: str, rows: list[list[dict[str, str]]]
) -> None:
    """The chat's persistent menu, in the transaction that stores the message setting it."""
    now = utcnow()
    stmt = upsert_insert(session, ChatMemory).values(
        bot=bot, chat_id=chat_id, menu=rows, updated_at=now
    )
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=["bot", "chat_id"], set_={"menu": rows, "updated_at": now}
        )
    )


async def menus(sessions: SessionMaker, *, chat_id: str, bots: set[str]) -> dict[str, Any]:
    """The persistent menu of each of `bots` in this chat ([] for one with none)."""
    if not bots:
        return {}
    async with sessions() as session:
        rows = await session.execute(
            select(ChatMemory.bot, ChatMemory.menu).where(
                ChatMemory.chat_id == chat_id, ChatMemory.bot.in_(sorted(bots))
            )
        )
        found = {bot: menu or [] for bot, menu in rows}
    return {bot: found.get(bot, []) for bot in sorted(bots)}
