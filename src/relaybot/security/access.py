"""Short-lived JWT access tokens for user-facing REST (PyJWT).

The algorithm is pinned (HS256) on both sides so a token cannot pick its own ("alg": "none",
or RS/HS confusion); issuer, audience, expiry and issued-at are required and checked.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import jwt

ALGORITHM = "HS256"
MIN_SECRET_BYTES = 32
LEEWAY_SECONDS = 5
MAX_TOKEN_LENGTH = 8192
_RESERVED = frozenset({"sub", "role", "iss", "aud", "iat", "nbf", "exp", "jti"})


class InvalidAccessToken(Exception):
    """Expired, forged, meant for someone else, or not a token at all."""


@dataclass(frozen=True)
class Claims:
    subject: str
    role: str
    expires_at: int
    token_id: str
    extra: dict[str, Any] = field(default_factory=dict)


class AccessTokens:
    """Issues and checks access tokens for one audience."""

    def __init__(
        self,
        secret: str,
        *,
        issuer: str,
        audience: str,
        ttl_seconds: int = 900,
        clock: Any = time.time,
    ) -> None:
        if len(secret.encode()) < MIN_SECRET_BYTES:
            raise ValueError(f"the JWT secret needs at least {MIN_SECRET_BYTES} bytes")
        if ttl_seconds <= 0:
            raise ValueError("the access token lifetime must be positive")
        self._secret = secret
        self.issuer = issuer
        self.audience = audience
        self.ttl_seconds = ttl_seconds
        self._clock = clock

    def issue(self, subject: str, *, role: str, extra: Mapping[str, Any] | None = None) -> str:
        if not subject or not role:
            raise ValueError("an access token needs a subject and a role")
        clash = _RESERVED & set(extra or {})
        if clash:
            raise ValueError(f"extra claims may not replace {', '.join(sorted(clash))}")
        now = int(self._clock())
        claims: dict[str, Any] = {
            **(extra or {}),
            "sub": subject,
            "role": role,
            "iss": self.issuer,
            "aud": self.audience,
            "iat": now,
            "nbf": now,
            "exp": now + self.ttl_seconds,
            "jti": secrets.token_hex(8),
        }
        return jwt.encode(claims, self._secret, algorithm=ALGORITHM)

    def verify(self, token: str) -> Claims:
        if not token or len(token) > MAX_TOKEN_LENGTH:
            raise InvalidAccessToken("no usable token")
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                audience=self.audience,
                issuer=self.issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "iss", "aud", "sub"], "verify_iat": True},
            )
        except jwt.PyJWTError as exc:
            raise InvalidAccessToken(type(exc).__name__) from None
        subject, role = claims.get("sub"), claims.get("role")
        if not isinstance(subject, str) or not isinstance(role, str) or not role:
            raise InvalidAccessToken("the token names no subject or role")
        extra = {k: v for k, v in claims.items() if k not in _RESERVED}
        return Claims(
            subject=subject,
            role=role,
            expires_at=int(claims["exp"]),
            token_id=str(claims.get("jti", "")),
            extra=extra,
        )
