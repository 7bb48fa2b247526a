"""Admin API tokens. The plaintext is shown once at creation; only its SHA-256 is stored.

A token is 256 random bits, so a plain SHA-256 (not a slow password hash) is the right
digest: nothing short of the token itself produces a matching row, and the lookup stays an
index probe per request.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from relaybot.store.audit import audit
from relaybot.store.base import utcnow
from relaybot.store.db import SessionMaker
from relaybot.store.models import ApiToken

PREFIX = "rbt_"
TOKEN_BYTES = 32
ROLES = ("admin", "operator", "readonly")
MAX_TOKEN_LENGTH = 256


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class TokenInfo:
    id: int
    name: str
    role: str
    created_at: datetime
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def _info(row: ApiToken) -> TokenInfo:
    return TokenInfo(row.id, row.name, row.role, row.created_at, row.revoked_at)


async def create(
    sessions: SessionMaker, *, name: str, role: str = "admin", actor: str, channel: str
) -> tuple[TokenInfo, str]:
    """A new token; the plaintext in the result is the only copy that will ever exist."""
    name = name.strip()
    if not name or len(name) > 128:
        raise ValueError("a token name is 1 to 128 characters")
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
    token = PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
    async with sessions() as session, session.begin():
        row = ApiToken(name=name, token_hash=digest(token), role=role, created_at=utcnow())
        session.add(row)
        await session.flush()
        await audit(
            session,
            actor=actor,
            channel=channel,
            action="token.create",
            target=str(row.id),
            details={"name": name, "role": role},
        )
        return _info(row), token


async def revoke(sessions: SessionMaker, token_id: int, *, actor: str, channel: str) -> bool:
    """False when there is no such token or it was revoked already."""
    async with sessions() as session, session.begin():
        row = await session.get(ApiToken, token_id)
        if row is None or row.revoked_at is not None:
            return False
        row.revoked_at = utcnow()
        await audit(
            session,
            actor=actor,
            channel=channel,
            action="token.revoke",
            target=str(token_id),
            details={"name": row.name},
        )
        return True


async def listing(sessions: SessionMaker, *, include_revoked: bool = True) -> list[TokenInfo]:
    async with sessions() as session:
        query = select(ApiToken).order_by(ApiToken.id)
        if not include_revoked:
            query = query.where(ApiToken.revoked_at.is_(None))
        return [_info(row) for row in await session.scalars(query)]


async def verify(sessions: SessionMaker, token: str) -> TokenInfo | None:
    """The active token behind `token`, or None. The final check is constant-time."""
    if not token.startswith(PREFIX) or len(token) > MAX_TOKEN_LENGTH:
        return None
    wanted = digest(token)
    async with sessions() as session:
        row = await session.scalar(select(ApiToken).where(ApiToken.token_hash == wanted))
    if row is None or not hmac.compare_digest(row.token_hash, wanted):
        return None
    if row.revoked_at is not None:
        return None
    return _info(row)
