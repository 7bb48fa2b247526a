"""The help desk for people, over REST: what the chat lets them do, with the chat's rules.

Each call is one person (a JWT access token whose subject is `helpdesk:<user id>`), acting
through the same domain functions as the chat (`demands`, `queue`) and telling the other
participants through the same `tidings`, so they get it in their chats and event streams.
A refusal is the chat's own sentence, in the caller's language: 403 for a role they lack,
404 for a request they cannot see, 409 for one whose state does not allow it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Query, Response, status
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from relaybot import (
    MAX_JSON_INT,
    N_,
    NOT_BLANK,
    Authenticator,
    PositiveId,
    Principal,
    SessionMaker,
    Settings,
    audit,
    normalize_locale,
    translator,
)

from .. import demands, people, tidings
from ..chat.render import text
from ..models import HelpdeskUser
from ..outside import Outside, options_of
from ..queue import take_next
from ..roles import ONLY_ADMINS, ONLY_HELPERS, ONLY_MODERATORS, Actor, Label, Refused
from .demand_routes import _demand_fields
from .schemas import DemandOut, Id, MessageOut, StrictIn, UserRole

T = TypeVar("T")
SUBJECT_PREFIX = "helpdesk:"
TOKEN_ROLE = "helpdesk"
FORBIDDEN = {ONLY_HELPERS, ONLY_MODERATORS, ONLY_ADMINS}
UNSEEN = {
    N_("You have no request #{number}."),
    N_("There is no request #{number}."),
    N_("You are no longer part of request #{number}."),
}


class Problem(BaseModel):
    detail: str


REFUSALS: dict[int | str, dict[str, Any]] = {
    403: {"model": Problem, "description": "The caller's help desk role may not do this."},
    404: {"model": Problem, "description": "No such request, or not one the caller is in."},
    409: {"model": Problem, "description": "The request's state does not allow this."},
}


class NewRequestIn(StrictIn):
    scenario_id: PositiveId
    text: str = Field(min_length=1, max_length=demands.TEXT_MAX, pattern=NOT_BLANK)


class MessageIn(StrictIn):
    text: str = Field(min_length=1, max_length=demands.TEXT_MAX, pattern=NOT_BLANK)


class MeOut(BaseModel):
    id: int
    name: str | None
    language: str | None
    roles: list[UserRole]
    scenario_ids: list[int]
    current_demand_id: int | None


class MyRequests(BaseModel):
    own: list[DemandOut]
    helping: list[DemandOut]
    following: list[DemandOut]


def user_id_of(who: Principal) -> int | None:
    subject = who.claims.subject if who.claims else ""
    number = subject.removeprefix(SUBJECT_PREFIX)
    if not subject.startswith(SUBJECT_PREFIX) or not number.isdigit():
        return None
    value = int(number)
    return value if 0 < value <= MAX_JSON_INT else None


def _out(demand: Any) -> DemandOut:
    return DemandOut(**_demand_fields(demand))


def _message_out(message: Any) -> MessageOut:
    return MessageOut(
        id=message.id,
        author_id=message.author_id,
        author_role=message.author_role,
        text=message.text,
        attachments=message.attachments,
        created_at=message.created_at,
    )


def add_desk_routes(router: APIRouter, settings: Settings, sessions: SessionMaker) -> None:
    person = Depends(Authenticator(settings, sessions).user(TOKEN_ROLE))

    async def act(
        who: Principal, action: Callable[[AsyncSession, Actor, Outside], Awaitable[T]]
    ) -> T:
        """One transaction as the person behind the token; refusals roll everything back."""
        user_id = user_id_of(who)
        if user_id is None:
            raise HTTPException(401, "the token names no help desk user")
        async with sessions() as session:
            user = await session.get(HelpdeskUser, user_id)
            if user is None:
                raise HTTPException(401, "the token names no help desk user")
            t = translator(normalize_locale(user.language, settings.default_locale))
        try:
            async with sessions() as session, session.begin():
                outside = Outside.open(session, settings, datetime.now(UTC))
                actor = await people.load_actor(session, user_id)
                result = await action(session, actor, outside)
                await outside.flush()
                return result
        except Refused as refused:
            code = (
                403 if refused.message in FORBIDDEN else 404 if refused.message in UNSEEN else 409
            )
            values = {"user_id": user_id, **refused.values}
            raise HTTPException(code, text(t, refused.message, values)) from None

    async def note(session: AsyncSession, actor: Actor, action: str, demand_id: int) -> None:
        await audit(
            session,
            actor=f"helpdesk-user:{actor.id}",
            channel="rest",
            bot=actor.user.bot,
            action=f"helpdesk.{action}",
            target=f"demand:{demand_id}",
            details={"helpdesk_user": actor.id},
        )

    @router.get("/me", summary="The signed-in person and their help desk roles")
    async def me(who: Principal = person) -> MeOut:
        async def go(session: AsyncSession, actor: Actor, _: Outside) -> MeOut:
            return MeOut(
                id=actor.id,
                name=actor.user.name,
                language=actor.user.language,
                roles=sorted(str(r) for r in actor.roles),
                scenario_ids=sorted(actor.scenario_ids),
                current_demand_id=actor.user.current_demand_id,
            )

        return await act(who, go)

    @router.get("/requests", summary="My requests, those I help with and those I follow")
    async def my_requests(who: Principal = person) -> MyRequests:
        async def go(session: AsyncSession, actor: Actor, _: Outside) -> MyRequests:
            return MyRequests(
                own=[_out(d) for d in await demands.mine(session, actor, limit=50)],
                helping=[_out(d) for d in await demands.held(session, actor)],
                following=[_out(d) for d in await demands.following(session, actor)],
            )

        return await act(who, go)

    @router.post(
        "/requests",
        status_code=status.HTTP_201_CREATED,
        summary="Ask for help in a scenario; its helpers (or the moderators) are told",
        responses=REFUSALS,
    )
    async def create(body: NewRequestIn, who: Principal = person) -> DemandOut:
        async def go(session: AsyncSession, actor: Actor, out: Outside) -> DemandOut:
            demand, message = await demands.create(
                session,
                actor,
                scenario_id=body.scenario_id,
                text=body.text,
                now=out.now,
                max_open=options_of(settings, actor.user.bot).requester_max_open,
            )
            await tidings.created(out.notifier, session, demand, message, actor.user)
            return _out(demand)

        return await act(who, go)

    @router.post(
        "/requests/next",
        summary="Take the next waiting request of my scenarios (204: none is waiting)",
        responses={**REFUSALS, 204: {"description": "No request is waiting."}},
    )
    async def take(who: Principal = person) -> Any:
        async def go(session: AsyncSession, actor: Actor, out: Outside) -> DemandOut | None:
            demand = await take_next(
                session,
                actor,
                now=out.now,
                max_active=options_of(settings, actor.user.bot).provider_max_active,
            )
            if demand is None:
                return None
            await tidings.taken(out.notifier, session, demand, actor.user)
            return _out(demand)

        taken = await act(who, go)
        return Response(status_code=204) if taken is None else taken

    @router.post(
        "/requests/{demand_id}/decline",
        summary="Step back from a request I help with",
        responses=REFUSALS,
    )
    async def decline(demand_id: Id, who: Principal = person) -> DemandOut:
        async def go(session: AsyncSession, actor: Actor, out: Outside) -> DemandOut:
            demand = await demands.decline(session, actor, demand_id, now=out.now)
            await tidings.declined(out.notifier, session, demand)
            return _out(demand)

        return await act(who, go)

    @router.post(
        "/requests/{demand_id}/close",
        summary="Close a request (its requester, or a moderator)",
        responses=REFUSALS,
    )
    async def close(demand_id: Id, who: Principal = person) -> DemandOut:
        async def go(session: AsyncSession, actor: Actor, out: Outside) -> DemandOut:
            before = await demands.members(session, demand_id)
            requester = any(m.user.id == actor.id and m.role == "requester" for m in before)
            demand = await demands.close(session, actor, demand_id, now=out.now)
            if not requester:
                await note(session, actor, "close", demand_id)
            who_closed = Label(N_("the requester") if requester else N_("a moderator"))
            tidings.closed(out.notifier, before, demand, actor.user, who_closed)
            return _out(demand)

        return await act(who, go)

    @router.post(
        "/requests/{demand_id}/cancel", summary="Cancel my own request", responses=REFUSALS
    )
    async def cancel(demand_id: Id, who: Principal = person) -> DemandOut:
        async def go(session: AsyncSession, actor: Actor, out: Outside) -> DemandOut:
            before = await demands.members(session, demand_id)
            demand = await demands.cancel(session, actor, demand_id, now=out.now)
            tidings.cancelled(out.notifier, before, demand, actor.user)
            return _out(demand)

        return await act(who, go)

    @router.post(
        "/requests/{demand_id}/join", summary="A moderator joins a request", responses=REFUSALS
    )
    async def join(demand_id: Id, who: Principal = person) -> DemandOut:
        async def go(session: AsyncSession, actor: Actor, out: Outside) -> DemandOut:
            already = await demands.role_in(session, demand_id, actor.id)
            demand = await demands.join(session, actor, demand_id, now=out.now)
            if already is None:
                await note(session, actor, "join", demand_id)
                await tidings.joined(out.notifier, session, demand, actor.user)
            return _out(demand)

        return await act(who, go)

    @router.post(
        "/requests/{demand_id}/leave",
        summary="A moderator stops following a request",
        responses=REFUSALS,
    )
    async def leave(demand_id: Id, who: Principal = person) -> DemandOut:
        async def go(session: AsyncSession, actor: Actor, out: Outside) -> DemandOut:
            demand = await demands.leave(session, actor, demand_id, now=out.now)
            await note(session, actor, "leave", demand_id)
            return _out(demand)

        return await act(who, go)

    @router.get(
        "/requests/{demand_id}/messages",
        summary="A request's messages, oldest first",
        responses=REFUSALS,
    )
    async def messages(
        demand_id: Id,
        who: Principal = person,
        limit: Annotated[int, Query(ge=1, le=500, description="The latest N messages.")] = 100,
    ) -> list[MessageOut]:
        async def go(session: AsyncSession, actor: Actor, _: Outside) -> list[MessageOut]:
            await demands.readable(session, actor, demand_id)
            return [_message_out(m) for m in await demands.history(session, demand_id, limit=limit)]

        return await act(who, go)

    @router.post(
        "/requests/{demand_id}/messages",
        status_code=status.HTTP_201_CREATED,
        summary="Write into a request; the other participants get it in their chats",
        responses=REFUSALS,
    )
    async def post_message(demand_id: Id, body: MessageIn, who: Principal = person) -> MessageOut:
        async def go(session: AsyncSession, actor: Actor, out: Outside) -> MessageOut:
            message, role = await demands.post(
                session, actor, demand_id, text=body.text, now=out.now
            )
            demand = await demands.find(session, demand_id)
            assert demand is not None  # post() refused a missing request already
            await tidings.relay(out.notifier, session, demand, message, role, actor.user)
            return _message_out(message)

        return await act(who, go)
