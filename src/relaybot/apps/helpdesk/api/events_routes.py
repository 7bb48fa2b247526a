"""The live event stream of one person, and the tokens integrations sign people in with.

`GET /api/helpdesk/events` is server-sent events: what concerns the caller (a new message
in a request they are in, their request taken, declined, closed), each with its id, so a
client that reconnects with `Last-Event-ID` misses nothing. Events are rows the chat and
the REST API write in the transaction of the change, so the stream sees what any process did.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from relaybot import MAX_JSON_INT, Authenticator, Principal, SessionMaker, Settings, audit

from .. import people
from ..models import DeskEvent
from .base import NOT_FOUND, Api
from .desk_routes import SUBJECT_PREFIX, TOKEN_ROLE, user_id_of
from .schemas import Id

POLL_SECONDS = 0.5
HEARTBEAT_SECONDS = 15.0
STREAM_SECONDS = 300.0  # then the client reconnects with Last-Event-ID, as SSE clients do
BATCH = 100


class IssuedToken(BaseModel):
    user_id: int
    token: str
    token_type: str = "Bearer"
    expires_at: datetime


def issue_token(settings: Settings, sessions: SessionMaker, user_id: int) -> tuple[str, int]:
    """A JWT access token that signs help desk user `user_id` in to the REST API."""
    tokens = Authenticator(settings, sessions).tokens
    token = tokens.issue(f"{SUBJECT_PREFIX}{user_id}", role=TOKEN_ROLE)
    return token, int(time.time()) + tokens.ttl_seconds


def _frame(event: DeskEvent) -> str:
    data = {
        "demand_id": event.demand_id,
        "message_id": event.message_id,
        "text": event.text,
        "at": event.created_at.isoformat(),
    }
    return f"id: {event.id}\nevent: {event.kind}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def add_event_routes(
    router: APIRouter, api: Api, settings: Settings, sessions: SessionMaker
) -> None:
    person = Depends(Authenticator(settings, sessions).user(TOKEN_ROLE))

    @router.get(
        "/events",
        summary="Server-sent events of what concerns me (messages, taken, declined, closed)",
        response_class=StreamingResponse,
        responses={
            200: {
                "description": "An event stream; each event's id resumes it (Last-Event-ID).",
                "content": {"text/event-stream": {"schema": {"type": "string"}}},
            }
        },
    )
    async def events(
        request: Request,
        who: Principal = person,
        after: Annotated[int, Query(ge=0, le=MAX_JSON_INT)] = 0,
        last_event_id: Annotated[str | None, Header(max_length=20, pattern=r"^[0-9]+$")] = None,
    ) -> StreamingResponse:
        user_id = user_id_of(who)
        if user_id is None:
            raise HTTPException(401, "the token names no help desk user")
        start = max(after, int(last_event_id) if last_event_id else 0)

        async def stream() -> AsyncIterator[str]:
            seen = start
            began = quiet_since = time.monotonic()
            yield ": connected\n\n"
            while time.monotonic() - began < STREAM_SECONDS:
                async with sessions() as session:
                    rows = list(
                        await session.scalars(
                            select(DeskEvent)
                            .where(DeskEvent.user_id == user_id, DeskEvent.id > seen)
                            .order_by(DeskEvent.id)
                            .limit(BATCH)
                        )
                    )
                for row in rows:
                    seen = row.id
                    yield _frame(row)
                if rows:
                    quiet_since = time.monotonic()
                    continue
                if await request.is_disconnected():
                    return
                if time.monotonic() - quiet_since > HEARTBEAT_SECONDS:
                    quiet_since = time.monotonic()
                    yield ": still here\n\n"
                await asyncio.sleep(POLL_SECONDS)

        return StreamingResponse(
            stream(),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )

    @router.post(
        "/users/{user_id}/token",
        summary="Issue an access token that signs this user in (for integrations)",
        responses=NOT_FOUND,
    )
    async def token_for(user_id: Id, who: Principal = api.owner) -> IssuedToken:

        async def check(session: AsyncSession) -> None:
            await people.get(session, user_id)
            await audit(
                session,
                actor=who.actor,
                channel="rest",
                action="helpdesk.token",
                target=f"user:{user_id}",
            )

        await api.run(check)
        token, expires = issue_token(settings, sessions, user_id)
        return IssuedToken(
            user_id=user_id, token=token, expires_at=datetime.fromtimestamp(expires, UTC)
        )
