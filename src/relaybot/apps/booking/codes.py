"""Finding the account a person names (phone or Telegram username) and telling its chat a
one-time code: shared by the REST sign-in and the chat's /signin."""

from __future__ import annotations

import re
import secrets

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from relaybot import N_, Settings

from .models import User
from .users import booking_bots, clean_username

CODE_TEXT = N_(
    "Your sign-in code: {code}. It is valid for 5 minutes. If you did not ask for it, "
    "ignore this message: without the code nobody can sign in."
)
_EPHEMERAL_KEY = secrets.token_bytes(32)


def code_key(settings: Settings) -> bytes:
    """The HMAC key of stored codes: the JWT secret, else this process's own."""
    secret = settings.jwt_secret
    return secret.get_secret_value().encode() if secret is not None else _EPHEMERAL_KEY


def subject_of(user: User) -> str:
    return f"booking:{user.id}"


async def find_person(
    session: AsyncSession, settings: Settings, *, phone: str | None, username: str | None
) -> User | None:
    """The newest account with a chat the bot can write to, by phone or by username."""
    query = select(User).where(
        User.chat_id.is_not(None), User.bot.in_(sorted(booking_bots(settings)))
    )
    if phone is not None:
        query = query.where(User.phone == "+" + re.sub(r"[^0-9]", "", phone))
    else:
        query = query.where(User.username == clean_username(username))
    found: User | None = await session.scalar(query.order_by(User.id.desc()).limit(1))
    return found


async def person_of(session: AsyncSession, subject: str | None) -> User | None:
    ident = (subject or "").removeprefix("booking:")
    return await session.get(User, int(ident)) if ident.isdigit() and len(ident) < 16 else None
