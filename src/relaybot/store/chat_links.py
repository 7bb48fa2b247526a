"""Chats linked to a person: after a one-time code proved who is writing, a chat (a web chat
session on a new device, say) acts as that person, whichever app names them.

`subject` is the app's own name for the person ("booking:42"); the store only keeps the
link, so every app and channel can use it without knowing the others.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from relaybot.store.base import Base, UTCDateTime
from relaybot.store.sql import upsert_insert


class ChatLink(Base):
    __tablename__ = "chat_links"
    __table_args__ = (Index("ix_chat_links_subject", "subject"),)

    bot: Mapped[str] = mapped_column(String(64), primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    subject: Mapped[str] = mapped_column(String(128))
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime)


async def link_chat(
    session: AsyncSession, *, bot: str, chat_id: str, subject: str, now: datetime
) -> None:
    """From now on the chat acts as `subject` (replacing any earlier link of that chat)."""
    values = {"bot": bot, "chat_id": chat_id, "subject": subject, "linked_at": now}
    stmt = upsert_insert(session, ChatLink).values(**values)
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=["bot", "chat_id"], set_={"subject": subject, "linked_at": now}
        )
    )


async def linked_subject(session: AsyncSession, *, bot: str, chat_id: str) -> str | None:
    """The person (`subject`) the chat signed in as, or None for a chat of its own."""
    found: str | None = await session.scalar(
        select(ChatLink.subject).where(ChatLink.bot == bot, ChatLink.chat_id == chat_id)
    )
    return found
