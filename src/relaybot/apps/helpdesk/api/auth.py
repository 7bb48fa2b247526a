"""Who is calling the REST API: one small dependency, so the token scheme can change in one place.

A caller presents `Authorization: Bearer <token>`. The admin token from the settings is
compared in constant time; other tokens are looked up by their SHA-256 in the core
`api_tokens` table (never stored in clear), which also gives their role.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import Depends, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select

from relaybot.config import Settings
from relaybot.store.db import SessionMaker
from relaybot.store.models import ApiToken

TOKEN_MAX = 512


@dataclass(frozen=True)
class Caller:
    name: str
    role: str


CallerDependency = Callable[..., Awaitable[Caller]]

_bearer = HTTPBearer(
    auto_error=False,
    description="The admin API token (RELAYBOT_ADMIN_TOKEN) or another issued API token.",
)


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail, headers={"WWW-Authenticate": "Bearer"}
    )


def caller_dependency(settings: Settings, sessions: SessionMaker) -> CallerDependency:
    configured = settings.admin_token.get_secret_value() if settings.admin_token else ""

    async def caller(
        credentials: HTTPAuthorizationCredentials | None = Depends(_bearer),
    ) -> Caller:
        if credentials is None or not credentials.credentials:
            raise _unauthorized("an API token is required: Authorization: Bearer <token>")
        token = credentials.credentials
        if len(token) > TOKEN_MAX:
            raise _unauthorized("invalid API token")
        if configured and hmac.compare_digest(token.encode(), configured.encode()):
            return Caller(name="admin-token", role="admin")
        digest = hashlib.sha256(token.encode()).hexdigest()
        async with sessions() as session:
            row = (
                await session.execute(
                    select(ApiToken.name, ApiToken.role).where(
                        ApiToken.token_hash == digest, ApiToken.revoked_at.is_(None)
                    )
                )
            ).first()
        if row is None:
            raise _unauthorized("invalid API token")
        return Caller(name=row.name, role=row.role)

    return caller


def require_role(caller: CallerDependency, *roles: str) -> CallerDependency:
    """A dependency that lets through only callers whose role is one of `roles`."""
    allowed = frozenset(roles)

    async def check(who: Caller = Depends(caller)) -> Caller:
        if who.role not in allowed:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                f"the {who.role!r} role may not do this; it needs one of: "
                + ", ".join(sorted(allowed)),
            )
        return who

    return check
