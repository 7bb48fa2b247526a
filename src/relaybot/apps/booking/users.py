"""People of the booking app and their roles: admin, specialist, client."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from relaybot import Address, Recipient, Settings, linked_subject, normalize_locale

from .models import Specialist, User

APP_NAME = "booking"


@dataclass(frozen=True)
class Actor:
    """Who is acting, with the specialist record when they are one."""

    user: User
    specialist_id: int | None = None

    @property
    def role(self) -> str:
        return self.user.role

    @property
    def is_admin(self) -> bool:
        return self.user.role == "admin"

    @property
    def key(self) -> str:
        return user_key(self.user)


def user_key(user: User) -> str:
    return f"user:{user.id}"


async def identify(
    session: AsyncSession,
    *,
    bot: str,
    chat_id: str,
    channel: str,
    name: str | None,
    language: str | None,
    username: str | None = None,
) -> User:
    """The person writing from this chat; a first-time visitor becomes a client. A chat
    that signed in with a one-time code (`/signin`) is the person it signed in as."""
    linked = await linked_subject(session, bot=bot, chat_id=chat_id)
    ident = (linked or "").removeprefix("booking:")
    if ident.isdigit():
        person = await session.get(User, int(ident))
        if person is not None:
            return person
    user = await session.scalar(select(User).where(User.bot == bot, User.chat_id == chat_id))
    if user is None:
        user = User(
            bot=bot,
            chat_id=chat_id,
            channel=channel,
            name=(name or "")[:100],
            role="client",
            language=language,
            username=clean_username(username),
        )
        session.add(user)
        await session.flush()
        return user
    if username and user.username != clean_username(username):
        user.username = clean_username(username)
    if language and user.language != language:
        user.language = language[:16]
    if name and not user.name:
        user.name = name[:100]
    if user.channel != channel:
        user.channel = channel
    return user


def clean_username(username: object) -> str | None:
    """`@Aigul_K` and `aigul_k` are the same Telegram username."""
    if not isinstance(username, str):
        return None
    value = username.strip().lstrip("@").lower()
    return value[:64] or None


async def actor_of(session: AsyncSession, user: User) -> Actor:
    specialist_id = await session.scalar(select(Specialist.id).where(Specialist.user_id == user.id))
    return Actor(user=user, specialist_id=specialist_id)


def locale_of(user: User, default: str) -> str:
    """The language chosen in the bot, else the channel's, else the operator's default."""
    return normalize_locale(user.locale or user.language, default)


def address_of(user: User) -> Address | None:
    if user.bot is None or user.chat_id is None:
        return None
    return Address(user.bot, user.chat_id)


def recipient(user: User, *, role: str, default_locale: str, bots: Iterable[str]) -> Recipient:
    """`user` as someone to notify; unreachable when their bot is no longer configured."""
    address = address_of(user)
    if address is not None and address.bot not in set(bots):
        address = None
    return Recipient(
        key=user_key(user),
        role=role,
        address=address,
        channel=user.channel or "",
        locale=locale_of(user, default_locale),
    )


def booking_bots(settings: Settings) -> set[str]:
    """Names of the bots that run this app, where its people can be reached."""
    names = {bot.name for bot in settings.bots if bot.app == APP_NAME}
    if settings.webchat_for_bundled_apps and settings.bot(APP_NAME) is None:
        names.add(APP_NAME)
    return names


def display_name(user: User) -> str:
    return user.name or f"#{user.id}"
