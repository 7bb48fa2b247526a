"""What every help desk route shares: who may call it, one transaction, the audit note."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from fastapi import Depends, HTTPException, status
from sqlalchemy.ext.asyncio import AsyncSession

from relaybot import Authenticator, Principal, SessionMaker, Settings, audit

from ..errors import Conflict, NotFound
from .schemas import Problem

T = TypeVar("T")
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "No token, or a token that is not valid."},
    403: {"model": Problem, "description": "The token's role may not do this."},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": Problem}}
CONFLICT: dict[int | str, dict[str, Any]] = {409: {"model": Problem}}


def now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Api:
    """The sessions and the three kinds of caller: readers, editors and the owner of roles."""

    sessions: SessionMaker
    reader: Any
    editor: Any
    owner: Any

    @classmethod
    def build(cls, settings: Settings, sessions: SessionMaker) -> Api:
        auth = Authenticator(settings, sessions)
        # Operators keep the catalogue and the links; only admins hand out roles.
        return cls(
            sessions=sessions,
            reader=Depends(auth.admin("admin", "operator", "readonly")),
            editor=Depends(auth.admin("admin", "operator")),
            owner=Depends(auth.admin("admin")),
        )

    async def run(self, action: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """Run `action` in one transaction; domain errors become 404 and 409."""
        try:
            async with self.sessions() as session, session.begin():
                return await action(session)
        except NotFound as exc:
            raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from exc
        except Conflict as exc:
            raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc

    async def note(
        self, session: AsyncSession, who: Principal, action: str, target: str, **details: Any
    ) -> None:
        """The audit entry of a change, committed with it."""
        await audit(
            session,
            actor=who.actor,
            channel="rest",
            action=f"helpdesk.{action}",
            target=target,
            details=details,
        )
