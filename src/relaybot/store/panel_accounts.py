"""Console accounts: created from the command line, signed in from the browser.

A password is kept only as its argon2id hash and a session only as the SHA-256 of its cookie
(256 random bits, so a fast digest suffices). After `MAX_FAILURES` wrong passwords in a row an
account is locked for `LOCK_MINUTES`, even for the right password, so guessing costs hours.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import delete, select

from relaybot.security.passwords import (
    hash_password,
    hash_password_async,
    needs_rehash,
    verify_password_async,
)
from relaybot.store.audit import audit
from relaybot.store.base import utcnow
from relaybot.store.db import SessionMaker
from relaybot.store.panel_models import ConsoleAccount, ConsoleSession

ROLES = ("admin", "operator")
MAX_FAILURES = 5
LOCK_MINUTES = 15
SESSION_HOURS = 12
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
GRANT = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


@cache
def _nobody() -> str:
    """A hash of no one's password: an unknown name costs the time of a wrong password."""
    return hash_password(secrets.token_urlsafe(24))


class AccountRefused(ValueError):
    """A name, role, grant or time zone that cannot be used; the message says which."""


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    role: str
    grants: tuple[str, ...]
    time_zone: str
    locale: str
    disabled: bool
    locked_until: datetime | None
    created_at: datetime
    last_login_at: datetime | None

    @property
    def actor(self) -> str:
        """How the audit log names this account."""
        return f"console:{self.username}"

    def may_see(self, *names: str) -> bool:
        """An admin sees everything; an operator what one of `names` (app or bot) grants."""
        return self.role == "admin" or any(name in self.grants for name in names)

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "username": self.username,
            "role": self.role,
            "grants": list(self.grants),
            "time_zone": self.time_zone,
            "locale": self.locale,
            "state": "disabled" if self.disabled else "active",
            "created_at": self.created_at.isoformat(),
            "last_login_at": self.last_login_at.isoformat() if self.last_login_at else None,
        }


@dataclass(frozen=True)
class SignedIn:
    account: Account
    token: str
    csrf_token: str


@dataclass(frozen=True)
class SignInRefused:
    locked: bool


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _account(row: ConsoleAccount) -> Account:
    return Account(
        id=row.id,
        username=row.username,
        role=row.role,
        grants=tuple(str(g) for g in row.grants or ()),
        time_zone=row.time_zone,
        locale=row.locale,
        disabled=row.disabled_at is not None,
        locked_until=row.locked_until,
        created_at=row.created_at,
        last_login_at=row.last_login_at,
    )


def check_time_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise AccountRefused(
            f"unknown time zone {name!r}: use a name such as Asia/Bishkek"
        ) from None
    return name


async def create(
    sessions: SessionMaker,
    *,
    username: str,
    password: str,
    role: str,
    grants: Sequence[str] = (),
    time_zone: str = "UTC",
    locale: str = "en",
    actor: str,
    channel: str,
) -> Account:
    """A new account; raises `AccountRefused` (or `WeakPassword`) before anything is stored."""
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise AccountRefused("a user name is 1 to 64 of a-z, 0-9, '.', '_' and '-'")
    if role not in ROLES:
        raise AccountRefused(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
    bad = [g for g in grants if not GRANT.match(g)]
    if bad:
        raise AccountRefused(f"a grant names an app or a bot, not {bad[0]!r}")
    if locale not in ("en", "ru"):
        raise AccountRefused("the console speaks en or ru")
    check_time_zone(time_zone)
    hashed = await hash_password_async(password)
    async with sessions() as session, session.begin():
        taken = await session.scalar(
            select(ConsoleAccount.id).where(ConsoleAccount.username == username)
        )
        if taken is not None:
            raise AccountRefused(f"there is an account {username!r} already")
        row = ConsoleAccount(
            username=username,
            password_hash=hashed,
            role=role,
            grants=sorted(set(grants)),
            time_zone=time_zone,
            locale=locale,
            failed_logins=0,
            created_at=utcnow(),
        )
        session.add(row)
        await session.flush()
        await audit(
            session,
            actor=actor,
            channel=channel,
            action="console.account_create",
            target=username,
            details={"role": role, "grants": ",".join(sorted(set(grants)))},
        )
        return _account(row)


async def listing(sessions: SessionMaker) -> list[Account]:
    async with sessions() as session:
        rows = await session.scalars(select(ConsoleAccount).order_by(ConsoleAccount.id))
        return [_account(row) for row in rows]


async def disable(sessions: SessionMaker, username: str, *, actor: str, channel: str) -> bool:
    """Stop an account at once: its sessions end too. False when there is no active one."""
    async with sessions() as session, session.begin():
        row = await session.scalar(
            select(ConsoleAccount).where(ConsoleAccount.username == username.strip().lower())
        )
        if row is None or row.disabled_at is not None:
            return False
        row.disabled_at = utcnow()
        await session.execute(delete(ConsoleSession).where(ConsoleSession.account_id == row.id))
        await audit(
            session,
            actor=actor,
            channel=channel,
            action="console.account_disable",
            target=row.username,
        )
        return True


async def sign_in(
    sessions: SessionMaker, username: str, password: str, *, now: datetime | None = None
) -> SignedIn | SignInRefused:
    """A new session for the right password of an active, unlocked account."""
    now = now or utcnow()
    name = username.strip().lower()[:64]
    async with sessions() as session:
        row = await session.scalar(select(ConsoleAccount).where(ConsoleAccount.username == name))
        stored = row.password_hash if row is not None else _nobody()
    right = await verify_password_async(stored, password)
    async with sessions() as session, session.begin():
        if row is None:
            return SignInRefused(locked=False)
        row = await session.get(ConsoleAccount, row.id, with_for_update=True)
        if row is None or row.disabled_at is not None:
            return SignInRefused(locked=False)
        if row.locked_until is not None and row.locked_until > now:
            return SignInRefused(locked=True)
        if not right:
            row.failed_logins += 1
            locked = row.failed_logins >= MAX_FAILURES
            if locked:
                row.failed_logins = 0
                row.locked_until = now + timedelta(minutes=LOCK_MINUTES)
                await audit(
                    session,
                    actor=f"console:{row.username}",
                    channel="console",
                    action="console.locked",
                    target=row.username,
                    details={"minutes": LOCK_MINUTES},
                    at=now,
                )
            return SignInRefused(locked=locked)
        if needs_rehash(row.password_hash):
            row.password_hash = await hash_password_async(password)
        row.failed_logins = 0
        row.locked_until = None
        row.last_login_at = now
        await session.execute(
            delete(ConsoleSession).where(
                ConsoleSession.account_id == row.id, ConsoleSession.expires_at <= now
            )
        )
        token = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        session.add(
            ConsoleSession(
                token_hash=digest(token),
                account_id=row.id,
                csrf_token=csrf,
                created_at=now,
                expires_at=now + timedelta(hours=SESSION_HOURS),
            )
        )
        await session.flush()
        return SignedIn(_account(row), token, csrf)


@dataclass(frozen=True)
class ActiveSession:
    account: Account
    csrf_token: str

    def csrf_matches(self, given: str | None) -> bool:
        return bool(given) and hmac.compare_digest(self.csrf_token, given or "")


async def session_of(
    sessions: SessionMaker, token: str | None, *, now: datetime | None = None
) -> ActiveSession | None:
    """The live session behind a cookie, or None (unknown, expired, or account disabled)."""
    if not token or len(token) > 128:
        return None
    now = now or utcnow()
    async with sessions() as session:
        found = (
            await session.execute(
                select(ConsoleSession, ConsoleAccount)
                .join(ConsoleAccount, ConsoleAccount.id == ConsoleSession.account_id)
                .where(ConsoleSession.token_hash == digest(token))
            )
        ).first()
    if found is None:
        return None
    row, account = found
    if row.expires_at <= now or account.disabled_at is not None:
        return None
    return ActiveSession(_account(account), row.csrf_token)


async def sign_out(sessions: SessionMaker, token: str | None) -> None:
    if not token:
        return
    async with sessions() as session, session.begin():
        await session.execute(
            delete(ConsoleSession).where(ConsoleSession.token_hash == digest(token))
        )
