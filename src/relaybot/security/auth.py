"""Who is calling a REST route: one place that turns an `Authorization` header into a principal.

Two kinds of caller:
- operators and scripts, with an admin API token (`relaybot tokens create`) or the bootstrap
  `admin_token` from settings;
- people, with a short-lived JWT access token issued by an app after it checked them.

401 means "we do not know who you are" (no, malformed, expired or revoked credentials);
403 means "we know you, and you may not do this". Repeated failures from one address are
answered 429 for a while, so a token cannot be guessed at network speed.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
import weakref
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Annotated, Literal

import structlog
from fastapi import HTTPException, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from relaybot.config import Settings
from relaybot.security.access import AccessTokens, Claims, InvalidAccessToken
from relaybot.store import api_tokens
from relaybot.store.db import SessionMaker

log = structlog.get_logger("relaybot.auth")

PrincipalKind = Literal["api_token", "bootstrap", "user"]
Dependency = Callable[..., Awaitable["Principal"]]

_bearer = HTTPBearer(auto_error=False, description="An admin API token or a JWT access token")
BearerCredentials = Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)]
_ephemeral_secret = secrets.token_urlsafe(48)
# The answers each guard dependency can refuse with, for the OpenAPI document's sake.
_REFUSALS: weakref.WeakKeyDictionary[Callable[..., object], tuple[int, ...]] = (
    weakref.WeakKeyDictionary()
)


def refusals_of(dependency: object) -> tuple[int, ...]:
    """The status codes `dependency` answers with when it refuses a caller (none if it is
    not a guard of this module)."""
    if not callable(dependency):
        return ()
    try:
        return _REFUSALS.get(dependency, ())
    except TypeError:  # not weak-referenceable, so not one of ours
        return ()


@dataclass(frozen=True)
class Principal:
    """Who is calling a REST route (an admin token or a signed-in user) and with what role."""

    kind: PrincipalKind
    name: str
    role: str
    token_id: int | None = None
    claims: Claims | None = None

    @property
    def actor(self) -> str:
        """How the audit log names this caller."""
        if self.kind == "api_token":
            return f"token:{self.name}#{self.token_id}"
        if self.kind == "bootstrap":
            return "token:bootstrap"
        return f"user:{self.name}"


def access_tokens(settings: Settings) -> AccessTokens:
    """The JWT issuer/verifier of this deployment.

    Without `jwt_secret` a per-process secret is used: tokens then die with the process and
    are not accepted by a second gateway, so production sets RELAYBOT_JWT_SECRET.
    """
    secret = settings.jwt_secret.get_secret_value() if settings.jwt_secret else _ephemeral_secret
    return AccessTokens(
        secret,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        ttl_seconds=settings.jwt_ttl_seconds,
    )


class FailureThrottle:
    """Counts failed authentications per client address in fixed one-minute windows."""

    def __init__(self, per_minute: int, *, max_clients: int = 50_000) -> None:
        self.per_minute = per_minute
        self.max_clients = max_clients
        self._windows: dict[str, tuple[float, int]] = {}

    def blocked(self, client: str, now: float) -> bool:
        start, count = self._windows.get(client, (now, 0))
        return now - start < 60 and count >= self.per_minute

    def failed(self, client: str, now: float) -> None:
        start, count = self._windows.get(client, (now, 0))
        if now - start >= 60:
            start, count = now, 0
        if client not in self._windows and len(self._windows) >= self.max_clients:
            self._windows = {k: v for k, v in self._windows.items() if now - v[0] < 60}
            if len(self._windows) >= self.max_clients:
                self._windows.clear()
        self._windows[client] = (start, count + 1)


_throttles: weakref.WeakKeyDictionary[SessionMaker, FailureThrottle] = weakref.WeakKeyDictionary()


def _shared_throttle(sessions: SessionMaker, per_minute: int) -> FailureThrottle:
    """One failure count per running system, whichever router's Authenticator saw them."""
    throttle = _throttles.get(sessions)
    if throttle is None or throttle.per_minute != per_minute:
        throttle = _throttles[sessions] = FailureThrottle(per_minute)
    return throttle


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(401, detail, headers={"WWW-Authenticate": "Bearer"})


class Authenticator:
    """Builds the FastAPI dependencies REST routers put on their routes.

    `Depends(auth.admin())` admits admin API tokens and the bootstrap token;
    `Depends(auth.user("moderator", "admin"))` admits JWT access tokens with one of the roles.
    """

    def __init__(self, settings: Settings, sessions: SessionMaker) -> None:
        self.settings = settings
        self.sessions = sessions
        self.tokens = access_tokens(settings)
        self.throttle = _shared_throttle(sessions, settings.auth_failures_per_minute)
        bootstrap = settings.admin_token.get_secret_value() if settings.admin_token else ""
        self._bootstrap = hashlib.sha256(bootstrap.encode()).digest() if bootstrap else None

    def admin(self, *roles: str) -> Dependency:
        """A dependency admitting API tokens whose role is in `roles` (default: admin)."""
        allowed = frozenset(roles or ("admin",))

        async def require_api_token(
            request: Request,
            credentials: BearerCredentials,
        ) -> Principal:
            principal = await self._guarded(request, credentials, self._api_token)
            return _check_role(principal, allowed)

        _REFUSALS[require_api_token] = (401, 403, 429)
        return require_api_token

    def user(self, *roles: str) -> Dependency:
        """A dependency admitting JWT access tokens with a role in `roles` (any role if empty)."""
        allowed = frozenset(roles)

        async def require_user(
            request: Request,
            credentials: BearerCredentials,
        ) -> Principal:
            principal = await self._guarded(request, credentials, self._access_token)
            return _check_role(principal, allowed) if allowed else principal

        _REFUSALS[require_user] = (401, 403, 429) if allowed else (401, 429)
        return require_user

    async def _guarded(
        self,
        request: Request,
        credentials: HTTPAuthorizationCredentials | None,
        check: Callable[[str], Awaitable[Principal | None]],
    ) -> Principal:
        client = request.client.host if request.client else "unknown"
        now = time.monotonic()
        if self.throttle.blocked(client, now):
            raise HTTPException(429, "too many failed sign-in attempts; try again in a minute")
        if credentials is None or not credentials.credentials:
            raise _unauthorized("sign in first: send an Authorization: Bearer token")
        principal = await check(credentials.credentials)
        if principal is None:
            self.throttle.failed(client, now)
            log.info("authentication failed", path=request.url.path)
            raise _unauthorized("the token is invalid, expired or revoked")
        return principal

    async def _api_token(self, token: str) -> Principal | None:
        if self._bootstrap is not None:
            offered = hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()
            if hmac.compare_digest(offered, self._bootstrap):
                return Principal(kind="bootstrap", name="bootstrap", role="admin")
        info = await api_tokens.verify(self.sessions, token)
        if info is None:
            return None
        return Principal(kind="api_token", name=info.name, role=info.role, token_id=info.id)

    async def _access_token(self, token: str) -> Principal | None:
        try:
            claims = self.tokens.verify(token)
        except InvalidAccessToken:
            return None
        return Principal(kind="user", name=claims.subject, role=claims.role, claims=claims)


def _check_role(principal: Principal, allowed: Iterable[str]) -> Principal:
    if principal.role not in allowed:
        raise HTTPException(403, f"the role {principal.role!r} may not do this")
    return principal
