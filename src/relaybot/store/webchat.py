"""Web chat sessions and history. Only a SHA-256 of the session cookie is ever stored."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from relaybot.store.base import utcnow
from relaybot.store.db import SessionMaker
from relaybot.store.models import WebchatMessage, WebchatSession

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


async def add_incoming(
    sessions: SessionMaker, *, chat_id: str, bot: str, client_id: str, text: str
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
                    media=[],
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
                "media": row.media,
                "at": row.created_at.isoformat(),
            }
            for row in rows
        ]
