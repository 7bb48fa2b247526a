"""One-time sign-in codes: six digits sent through a chat already linked to a person.

Only an HMAC of each code is kept (keyed by the deployment's secret and the code's own id),
and a guess is compared in constant time. A code lives `CODE_SECONDS`, takes `MAX_ATTEMPTS`
guesses, works once, and a newer code for the same person retires the older ones. Asking is
limited per person and per requesting address, so neither a person's chat nor the store can
be flooded. A request for someone unknown gets a code row too (with no subject), so the
answer never tells whether a phone or username belongs to anyone.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Index, Integer, String, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, Mapped, mapped_column

from relaybot.store.base import Base, BigId, UTCDateTime

CODE_SECONDS = 300
MAX_ATTEMPTS = 5
WINDOW = timedelta(minutes=15)
PER_SUBJECT = 3  # codes a person may be sent per window
PER_REQUESTER = 10  # codes one address may ask for per window


class SignInCode(Base):
    __tablename__ = "sign_in_codes"
    __table_args__ = (
        Index("ix_sign_in_codes_subject_created", "subject", "created_at"),
        Index("ix_sign_in_codes_requester_created", "requester", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    subject: Mapped[str] = mapped_column(String(128), default="")
    requester: Mapped[str] = mapped_column(String(64))
    code_hash: Mapped[str] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class TooManyCodes(Exception):
    """This person was sent, or this address asked for, too many codes lately."""


@dataclass(frozen=True)
class Issued:
    id: int
    code: str
    expires_at: datetime


@dataclass(frozen=True)
class Checked:
    """`subject` when the code was right; otherwise why not (`wrong`, `used_up`, `expired`)."""

    subject: str | None
    reason: str = ""
    attempts_left: int = 0


def _digest(key: bytes, code_id: int, code: str) -> str:
    return hmac.new(key, f"{code_id}:{code}".encode(), hashlib.sha256).hexdigest()


def requester_key(address: str) -> str:
    """Addresses are kept only as a hash: the limit needs to recognise them, not read them."""
    return hashlib.sha256(address.encode("utf-8", "surrogatepass")).hexdigest()


async def _recent(
    session: AsyncSession, column: InstrumentedAttribute[str], value: str, now: datetime
) -> int:
    count = await session.scalar(
        select(func.count())
        .select_from(SignInCode)
        .where(column == value, SignInCode.created_at > now - WINDOW)
    )
    return int(count or 0)


async def issue(
    session: AsyncSession, *, subject: str, requester: str, key: bytes, now: datetime
) -> Issued:
    """A new code for `subject` ("" for nobody), asked for from `requester` (an address)."""
    who = requester_key(requester)
    if await _recent(session, SignInCode.requester, who, now) >= PER_REQUESTER:
        raise TooManyCodes("this address asked for too many codes")
    if subject and await _recent(session, SignInCode.subject, subject, now) >= PER_SUBJECT:
        raise TooManyCodes("this person was sent too many codes")
    if subject:
        await session.execute(
            update(SignInCode)
            .where(SignInCode.subject == subject, SignInCode.used_at.is_(None))
            .values(used_at=now)
        )
    row = SignInCode(
        subject=subject,
        requester=who,
        code_hash="",
        attempts=0,
        created_at=now,
        expires_at=now + timedelta(seconds=CODE_SECONDS),
    )
    session.add(row)
    await session.flush()
    code = f"{secrets.randbelow(1_000_000):06d}"
    row.code_hash = _digest(key, row.id, code)
    await session.flush()
    return Issued(row.id, code, row.expires_at)


async def check(
    session: AsyncSession, *, code_id: int, code: str, key: bytes, now: datetime
) -> Checked:
    """Spend one guess on code `code_id`; the caller commits either way, so a wrong guess
    counts even though it changes nothing else."""
    row = await session.get(SignInCode, code_id, with_for_update=True)
    if row is None or row.used_at is not None:
        return Checked(None, "used_up")
    if row.expires_at <= now:
        return Checked(None, "expired")
    if row.attempts >= MAX_ATTEMPTS:
        return Checked(None, "used_up")
    row.attempts += 1
    right = hmac.compare_digest(row.code_hash, _digest(key, row.id, code))
    if not right or not row.subject:
        if row.attempts >= MAX_ATTEMPTS:
            row.used_at = now
        return Checked(None, "wrong", MAX_ATTEMPTS - row.attempts)
    row.used_at = now
    return Checked(row.subject)
