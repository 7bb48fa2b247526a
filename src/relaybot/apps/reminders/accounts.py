"""Accounts: registration, sign-in, refresh-token rotation and revocation, chat links.

Passwords are hashed with argon2id off the event loop. An access token is the deployment's
short-lived JWT (pinned HS256, issuer and audience checked) naming the account and its
`token_version`; a password change raises the version, so every token issued before is
refused at once, and revokes every refresh token. A refresh token is spent by its use
(rotation); a spent one offered again revokes its whole family, since only a thief would.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from relaybot import WeakPassword, hash_password_async, verify_password_async

from .models import LOGIN_MAX, Account, ChatLink, LinkCode, RefreshToken
from .problems import Conflict, Refused

LOGIN = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
LOGIN_RULE = (
    "3 to 64 characters: lower-case letters, digits and . _ - (starting with a letter or digit)"
)
REFRESH_TTL = 30 * 24 * 3600.0
LINK_CODE_TTL = 15 * 60.0
SUBJECT_PREFIX = "reminders:"


class SignInFailed(Exception):
    """Wrong login or password, or a refresh token that is not (or no longer) good."""


@dataclass(frozen=True)
class Grant:
    account: Account
    refresh_token: str


def check_login(login: str) -> str:
    if not LOGIN.match(login):
        raise Refused("login", f"a login has {LOGIN_RULE}")
    return login


async def register(
    session: AsyncSession, login: str, password: str, *, role: str = "user"
) -> Account:
    check_login(login)
    try:
        hashed = await hash_password_async(password)
    except WeakPassword as weak:
        raise Refused("password", str(weak)) from None
    if await session.scalar(select(Account.id).where(Account.login == login)) is not None:
        raise Conflict("login", f"the login {login!r} is taken")
    account = Account(login=login, password_hash=hashed, role=role, token_version=1)
    session.add(account)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError:
        raise Conflict("login", f"the login {login!r} is taken") from None
    return account


async def sign_in(session: AsyncSession, login: str, password: str, now: float) -> Grant:
    account = None
    if len(login) <= LOGIN_MAX:
        account = await session.scalar(select(Account).where(Account.login == login))
    if account is None or account.password_hash is None:
        await verify_password_async(
            await _dummy_hash(), password
        )  # the same time as a wrong password
        raise SignInFailed
    if not await verify_password_async(account.password_hash, password):
        raise SignInFailed
    return Grant(account, await _new_refresh(session, account, secrets.token_hex(16), now))


async def refresh(session: AsyncSession, token: str, now: float) -> Grant:
    """Spend `token` and give a new one of the same family; SignInFailed for a token that is
    unknown, expired, revoked or issued before the last password change. A spent token
    revokes its family."""
    row = await session.scalar(select(RefreshToken).where(RefreshToken.token_hash == _hash(token)))
    if row is None:
        raise SignInFailed
    if row.spent:
        await session.execute(
            update(RefreshToken).where(RefreshToken.family == row.family).values(revoked=True)
        )
        raise SignInFailed
    account = await session.get(Account, row.account_id)
    if (
        account is None
        or row.revoked
        or row.expires_at <= now
        or row.token_version != account.token_version
    ):
        raise SignInFailed
    spent = await session.execute(
        update(RefreshToken)
        .where(RefreshToken.id == row.id, RefreshToken.spent.is_(False))
        .values(spent=True)
        .execution_options(synchronize_session=False)
    )
    if getattr(spent, "rowcount", 0) != 1:  # spent meanwhile by a concurrent request
        raise SignInFailed
    return Grant(account, await _new_refresh(session, account, row.family, now))


async def change_password(session: AsyncSession, account: Account, old: str, new: str) -> None:
    if account.password_hash is None or not await verify_password_async(account.password_hash, old):
        raise Refused("old_password", "the current password is not right")
    try:
        account.password_hash = await hash_password_async(new)
    except WeakPassword as weak:
        raise Refused("new_password", str(weak)) from None
    account.token_version += 1
    await session.execute(
        update(RefreshToken).where(RefreshToken.account_id == account.id).values(revoked=True)
    )


async def set_password(session: AsyncSession, account: Account, new: str) -> None:
    """An operator's reset: the same revocation as a change, without the old password."""
    try:
        account.password_hash = await hash_password_async(new)
    except WeakPassword as weak:
        raise Refused("password", str(weak)) from None
    account.token_version += 1
    await session.execute(
        update(RefreshToken).where(RefreshToken.account_id == account.id).values(revoked=True)
    )


async def _new_refresh(session: AsyncSession, account: Account, family: str, now: float) -> str:
    token = secrets.token_urlsafe(32)
    session.add(
        RefreshToken(
            account_id=account.id,
            token_hash=_hash(token),
            family=family,
            token_version=account.token_version,
            expires_at=now + REFRESH_TTL,
            spent=False,
            revoked=False,
        )
    )
    await session.flush()
    return token


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


_dummy: list[str] = []


async def _dummy_hash() -> str:
    if not _dummy:
        _dummy.append(await hash_password_async(secrets.token_hex(16)))
    return _dummy[0]


# -- chat identities ---------------------------------------------------------------------------
async def account_of_chat(session: AsyncSession, bot: str, user_id: str) -> Account | None:
    link = await session.scalar(
        select(ChatLink).where(ChatLink.bot == bot, ChatLink.user_id == user_id)
    )
    return None if link is None else await session.get(Account, link.account_id)


async def link_chat(
    session: AsyncSession, account: Account, bot: str, user_id: str, chat_id: str
) -> None:
    link = await session.scalar(
        select(ChatLink).where(ChatLink.bot == bot, ChatLink.user_id == user_id)
    )
    if link is None:
        session.add(ChatLink(account_id=account.id, bot=bot, user_id=user_id, chat_id=chat_id))
    else:
        link.account_id, link.chat_id = account.id, chat_id
    await session.flush()


async def account_for_chat(session: AsyncSession, bot: str, user_id: str, chat_id: str) -> Account:
    """The account this chat identity is linked to, created on the fly the first time (with
    no password: it signs in to REST once its holder sets one with a link code's account)."""
    found = await account_of_chat(session, bot, user_id)
    if found is not None:
        link = await session.scalar(
            select(ChatLink).where(ChatLink.bot == bot, ChatLink.user_id == user_id)
        )
        if link is not None and link.chat_id != chat_id:
            link.chat_id = chat_id
        return found
    login = f"{bot}.{hashlib.sha256(user_id.encode()).hexdigest()[:12]}".lower()[:LOGIN_MAX]
    account = await session.scalar(select(Account).where(Account.login == login))
    if account is None:
        account = Account(login=login, password_hash=None, role="user", token_version=1)
        session.add(account)
        await session.flush()
    await link_chat(session, account, bot, user_id, chat_id)
    return account


async def new_link_code(session: AsyncSession, account: Account, now: float) -> str:
    code = f"{secrets.randbelow(10**8):08d}"
    session.add(
        LinkCode(code_hash=_hash(code), account_id=account.id, expires_at=now + LINK_CODE_TTL)
    )
    await session.flush()
    return code


async def use_link_code(
    session: AsyncSession, code: str, bot: str, user_id: str, chat_id: str, now: float
) -> Account | None:
    """Link this chat identity to the code's account; the code works once, for 15 minutes."""
    row = await session.get(LinkCode, _hash(code.strip()))
    if row is None:
        return None
    await session.delete(row)
    if row.expires_at <= now:
        return None
    account = await session.get(Account, row.account_id)
    if account is None:
        return None
    await link_chat(session, account, bot, user_id, chat_id)
    return account
