"""What every /api/booking/ route shares: who is calling, one transaction, refusals as HTTP.

Callers are people of the booking app with a JWT access token whose subject is
`booking:<user id>`. The token says who they are, not what they may do: their role is read
from the database on every call, and the same `Catalog` and `Bookings` as the chat decide,
so a revoked admin loses the REST API at once and a client reaches only their own bookings.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from fastapi import Depends, HTTPException
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from relaybot import (
    Authenticator,
    BotConfig,
    JobContext,
    Principal,
    SessionMaker,
    Settings,
    broadcast,
    translator,
)
from relaybot.apps import BUNDLED

from ..bookings import (
    ADMINS_ONLY,
    ASK_ADMIN_TO_MOVE,
    NO_BOOKING,
    NO_CLIENT,
    OWN_ONLY,
    SEE_OWN_ONLY,
    SPECIALISTS_DO_NOT_BOOK,
    Bookings,
    Refused,
)
from ..catalog import GONE, Catalog
from ..models import User
from ..notifications import Notifier
from ..slots import SlotCache
from ..users import Actor, actor_of, booking_bots
from .schemas import Clash, Problem

T = TypeVar("T")
SUBJECT_PREFIX = "booking:"
NOTICE_RATE = 30.0
FORBIDDEN = frozenset(
    {ADMINS_ONLY, OWN_ONLY, SEE_OWN_ONLY, SPECIALISTS_DO_NOT_BOOK, ASK_ADMIN_TO_MOVE}
)
MISSING = frozenset({NO_BOOKING, NO_CLIENT, GONE})

SIGNED_IN: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "No token, or one that is invalid or expired."},
    403: {"model": Problem, "description": "The caller's role may not do this."},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": Problem, "description": "No such."}}
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"model": Problem, "description": "Not possible now; the reason says why."}
}
CLASH: dict[int | str, dict[str, Any]] = {
    409: {"model": Clash, "description": "The time is taken or the change is not possible."}
}
INVALID: dict[int | str, dict[str, Any]] = {
    422: {"description": "A field breaks a rule; `detail[].loc` names it."}
}


def issue_token(settings: Settings, sessions: SessionMaker, user_id: int, role: str) -> str:
    """A JWT access token for a person of the booking app."""
    tokens = Authenticator(settings, sessions).tokens
    return tokens.issue(f"{SUBJECT_PREFIX}{user_id}", role=role)


def bots_of(settings: Settings) -> dict[str, BotConfig]:
    """The bots a notice can go through: the configured ones and the bundled web chat bots."""
    bots = {bot.name: bot for bot in settings.bots}
    if settings.webchat_for_bundled_apps:
        for name in BUNDLED:
            bots.setdefault(name, BotConfig(name=name, app=name, channel="webchat"))
    return bots


def invalid(field: str, message: str) -> HTTPException:
    """A 422 in FastAPI's own shape, for rules checked after the schema."""
    return HTTPException(422, [{"loc": ["body", field], "msg": message, "type": "value_error"}])


@dataclass
class Desk:
    """One call's view: the caller, and the same operations the chat uses."""

    session: AsyncSession
    actor: Actor
    bookings: Bookings
    catalog: Catalog
    now: datetime


@dataclass(frozen=True)
class Api:
    settings: Settings
    sessions: SessionMaker
    cache: SlotCache
    signed_in: Any

    @classmethod
    def build(cls, settings: Settings, sessions: SessionMaker) -> Api:
        auth = Authenticator(settings, sessions)
        return cls(settings, sessions, SlotCache(), Depends(auth.user()))

    def text(self, refused: Refused) -> str:
        t = translator(self.settings.default_locale)
        values = {k: t(v) if isinstance(v, str) else v for k, v in refused.values.items()}
        return t(refused.message, **values)

    async def run(self, who: Principal, action: Callable[[Desk], Awaitable[T]]) -> T:
        """`action` in one transaction as the calling person; what they are refused is
        answered 403, 404 or 409 and changes nothing; the notices leave with the commit."""
        now = datetime.now(UTC)
        try:
            async with self.sessions() as session, session.begin():
                user = await self._user(session, who)
                actor = await actor_of(session, user)
                outlet = JobContext(db=session, now=now, settings=self.settings, bots={})
                notifier = Notifier(
                    outlet,
                    default_locale=self.settings.default_locale,
                    bots=booking_bots(self.settings),
                )
                desk = Desk(
                    session=session,
                    actor=actor,
                    bookings=Bookings(session, self.cache, notifier, now=now, channel="rest"),
                    catalog=Catalog(session, actor, channel="rest", now=now),
                    now=now,
                )
                result = await action(desk)
                await session.flush()
                if outlet.outgoing:
                    await broadcast(
                        session,
                        [(to, message) for to, message, _ in outlet.outgoing],
                        bots=bots_of(self.settings),
                        rate=NOTICE_RATE,
                        now=time.time(),
                        key="booking:notices",
                    )
                return result
        except Refused as refused:
            code = (
                403 if refused.message in FORBIDDEN else 404 if refused.message in MISSING else 409
            )
            raise HTTPException(code, self.text(refused)) from None

    async def _user(self, session: AsyncSession, who: Principal) -> User:
        subject = who.claims.subject if who.claims is not None else ""
        ident = subject.removeprefix(SUBJECT_PREFIX)
        user = None
        if subject.startswith(SUBJECT_PREFIX) and ident.isdigit() and len(ident) < 16:
            user = await session.get(User, int(ident))
        if user is None:
            raise HTTPException(
                401, "this token is not a booking account", headers={"WWW-Authenticate": "Bearer"}
            )
        return user


def clash(detail: str, alternatives: list[datetime]) -> JSONResponse:
    body = Clash(detail=detail, alternatives=alternatives)
    return JSONResponse(body.model_dump(mode="json"), status_code=409)
