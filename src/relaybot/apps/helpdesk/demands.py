"""Requests for help and what their participants do with them.

Every function checks the actor's right first and changes a request with a conditional UPDATE
(`... WHERE status IN (...)`), so two people acting on one request at the same moment (the
requester closes while the provider declines) leave it in one consistent state.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from relaybot import N_

from .models import (
    DEMAND_STATUSES,
    OPEN_STATUSES,
    Demand,
    DemandMessage,
    HelpdeskUser,
    Participant,
    Scenario,
)
from .roles import Actor, Label, Refused, require_moderator

TEXT_MAX = 4000


@dataclass(frozen=True)
class Member:
    """An active participant: who they are and in which role they are in the request."""

    user: HelpdeskUser
    role: str


def _no_such(number: int) -> Refused:
    # The same words whether the request exists or not: ids of others' requests stay private.
    return Refused(N_("You have no request #{number}."), number=number)


async def find(session: AsyncSession, demand_id: int) -> Demand | None:
    return await session.get(Demand, demand_id, populate_existing=True)


async def members(session: AsyncSession, demand_id: int) -> list[Member]:
    """Active participants, in the order they joined."""
    rows = await session.execute(
        select(HelpdeskUser, Participant.role)
        .join(Participant, Participant.user_id == HelpdeskUser.id)
        .where(Participant.demand_id == demand_id, Participant.left_at.is_(None))
        .order_by(Participant.id)
        .execution_options(populate_existing=True)
    )
    return [Member(user, role) for user, role in rows]


async def role_in(session: AsyncSession, demand_id: int, user_id: int) -> str | None:
    """The actor's active role in the request: requester before provider before moderator."""
    roles = set(
        await session.scalars(
            select(Participant.role).where(
                Participant.demand_id == demand_id,
                Participant.user_id == user_id,
                Participant.left_at.is_(None),
            )
        )
    )
    for role in ("requester", "provider", "moderator"):
        if role in roles:
            return role
    return None


async def _transition(
    session: AsyncSession, demand_id: int, *conditions: Any, values: dict[str, Any]
) -> bool:
    result = await session.execute(
        update(Demand)
        .where(Demand.id == demand_id, *conditions)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return getattr(result, "rowcount", 0) == 1


async def _clear_conversations(session: AsyncSession, demand_id: int) -> None:
    await session.execute(
        update(HelpdeskUser)
        .where(HelpdeskUser.current_demand_id == demand_id)
        .values(current_demand_id=None)
        .execution_options(synchronize_session=False)
    )


async def open_count(session: AsyncSession, requester_id: int) -> int:
    count = await session.scalar(
        select(func.count())
        .select_from(Demand)
        .where(Demand.requester_id == requester_id, Demand.status.in_(OPEN_STATUSES))
    )
    return int(count or 0)


def clean_text(text: str) -> str:
    text = text.strip()
    if len(text) > TEXT_MAX:
        raise Refused(
            N_("This message is too long: please keep it within {max} characters."), max=TEXT_MAX
        )
    return text


async def create(
    session: AsyncSession,
    actor: Actor,
    *,
    scenario_id: int,
    text: str,
    attachments: Sequence[dict[str, Any]] = (),
    now: datetime,
    max_open: int,
) -> tuple[Demand, DemandMessage]:
    """Anyone may ask for help; the description is also the first message of the request."""
    scenario = await session.get(Scenario, scenario_id)
    if scenario is None or not scenario.active:
        raise Refused(N_("This category is no longer available. Please choose another one."))
    text = clean_text(text)
    count = await open_count(session, actor.id)
    if count >= max_open:
        raise Refused(
            N_(
                "You already have {count} open requests. Please close one of them before "
                "asking for something new."
            ),
            count=count,
        )
    demand = Demand(
        scenario_id=scenario_id,
        requester_id=actor.id,
        description=text,
        status="new",
        priority=0,
        created_at=now,
        updated_at=now,
    )
    session.add(demand)
    await session.flush()
    session.add(Participant(demand_id=demand.id, user_id=actor.id, role="requester", joined_at=now))
    message = DemandMessage(
        demand_id=demand.id,
        author_id=actor.id,
        author_role="requester",
        text=text,
        attachments=list(attachments),
        created_at=now,
    )
    session.add(message)
    actor.user.current_demand_id = demand.id
    await session.flush()
    return await _reload(session, demand.id), message


async def post(
    session: AsyncSession,
    actor: Actor,
    demand_id: int,
    *,
    text: str,
    attachments: Sequence[dict[str, Any]] = (),
    now: datetime,
) -> tuple[DemandMessage, str]:
    """Store what an active participant wrote; the caller relays it to the others."""
    role = await role_in(session, demand_id, actor.id)
    demand = await find(session, demand_id)
    if role is None or demand is None:
        raise Refused(N_("You are no longer part of request #{number}."), number=demand_id)
    if demand.status not in OPEN_STATUSES:
        raise Refused(
            N_("Request #{number} is finished, so messages are no longer delivered."),
            number=demand_id,
        )
    text = clean_text(text)
    if not text and not attachments:
        raise Refused(N_("Please write some text."))
    message = DemandMessage(
        demand_id=demand_id,
        author_id=actor.id,
        author_role=role,
        text=text,
        attachments=list(attachments),
        created_at=now,
    )
    session.add(message)
    demand.updated_at = now
    await session.flush()
    return message, role


async def decline(session: AsyncSession, actor: Actor, demand_id: int, *, now: datetime) -> Demand:
    """The provider steps back; the request returns to the front of the queue."""
    returned = await _transition(
        session,
        demand_id,
        Demand.status == "in_progress",
        Demand.provider_id == actor.id,
        values={
            "status": "new",
            "provider_id": None,
            "priority": 1,
            "taken_at": None,
            "updated_at": now,
        },
    )
    if not returned:
        raise Refused(
            N_("You are not helping with request #{number}, so there is nothing to decline."),
            number=demand_id,
        )
    await session.execute(
        update(Participant)
        .where(
            Participant.demand_id == demand_id,
            Participant.user_id == actor.id,
            Participant.role == "provider",
            Participant.left_at.is_(None),
        )
        .values(left_at=now, left_reason="declined")
        .execution_options(synchronize_session=False)
    )
    if actor.user.current_demand_id == demand_id:
        actor.user.current_demand_id = None
    await session.flush()
    return await _reload(session, demand_id)


async def _reload(session: AsyncSession, demand_id: int) -> Demand:
    demand = await find(session, demand_id)
    if demand is None:  # pragma: no cover - requests are never deleted by the chat
        raise _no_such(demand_id)
    return demand


async def close(session: AsyncSession, actor: Actor, demand_id: int, *, now: datetime) -> Demand:
    """The requester closes their own request when helped; a moderator closes any."""
    role = await role_in(session, demand_id, actor.id)
    demand = await find(session, demand_id)
    if demand is None or (role is None and not actor.can_moderate):
        raise _no_such(demand_id)
    if role != "requester" and not actor.can_moderate:
        raise Refused(
            N_(
                "Only the person who asked for help or a moderator can close request "
                "#{number}. If you cannot help, decline it."
            ),
            number=demand_id,
        )
    return await _finish(session, actor, demand, "closed", now=now)


async def cancel(session: AsyncSession, actor: Actor, demand_id: int, *, now: datetime) -> Demand:
    """Only the requester cancels: the help is no longer needed."""
    role = await role_in(session, demand_id, actor.id)
    demand = await find(session, demand_id)
    if demand is None or role is None:
        raise _no_such(demand_id)
    if role != "requester":
        raise Refused(
            N_("Only the person who asked for help can cancel request #{number}."),
            number=demand_id,
        )
    return await _finish(session, actor, demand, "cancelled", now=now)


async def _finish(
    session: AsyncSession, actor: Actor, demand: Demand, status: str, *, now: datetime
) -> Demand:
    done = await _transition(
        session,
        demand.id,
        Demand.status.in_(OPEN_STATUSES),
        values={"status": status, "closed_at": now, "closed_by_id": actor.id, "updated_at": now},
    )
    if not done:
        raise Refused(
            N_("Request #{number} is already {status}."),
            number=demand.id,
            status=status_label(demand.status),
        )
    await _clear_conversations(session, demand.id)
    if actor.user.current_demand_id == demand.id:
        actor.user.current_demand_id = None
    return await _reload(session, demand.id)


async def join(session: AsyncSession, actor: Actor, demand_id: int, *, now: datetime) -> Demand:
    """A moderator joins any open request: from now on they get its messages and may write."""
    require_moderator(actor)
    demand = await find(session, demand_id)
    if demand is None:
        raise Refused(N_("There is no request #{number}."), number=demand_id)
    if demand.status not in OPEN_STATUSES:
        raise Refused(
            N_("Request #{number} is {status}; you can read its history but not join it."),
            number=demand_id,
            status=status_label(demand.status),
        )
    role = await role_in(session, demand_id, actor.id)
    if role is not None:
        actor.user.current_demand_id = demand_id
        await session.flush()
        return demand
    previous = await session.scalar(
        select(Participant).where(
            Participant.demand_id == demand_id,
            Participant.user_id == actor.id,
            Participant.role == "moderator",
        )
    )
    if previous is None:
        session.add(
            Participant(demand_id=demand_id, user_id=actor.id, role="moderator", joined_at=now)
        )
    else:
        previous.left_at = None
        previous.left_reason = None
        previous.joined_at = now
    actor.user.current_demand_id = demand_id
    await session.flush()
    return demand


async def leave(session: AsyncSession, actor: Actor, demand_id: int, *, now: datetime) -> Demand:
    """A moderator stops following a request; requester and provider close or decline instead."""
    role = await role_in(session, demand_id, actor.id)
    demand = await find(session, demand_id)
    if demand is None or role is None:
        raise _no_such(demand_id)
    if role != "moderator":
        raise Refused(
            N_(
                "You cannot just leave request #{number}: close it if you asked for help, or "
                "decline it if you were helping."
            ),
            number=demand_id,
        )
    await session.execute(
        update(Participant)
        .where(
            Participant.demand_id == demand_id,
            Participant.user_id == actor.id,
            Participant.role == "moderator",
        )
        .values(left_at=now, left_reason="left")
        .execution_options(synchronize_session=False)
    )
    if actor.user.current_demand_id == demand_id:
        actor.user.current_demand_id = None
    await session.flush()
    return demand


async def switch_to(session: AsyncSession, actor: Actor, demand_id: int) -> tuple[Demand, str]:
    """Make this request the one conversation the actor is in."""
    role = await role_in(session, demand_id, actor.id)
    demand = await find(session, demand_id)
    if demand is None or role is None:
        raise _no_such(demand_id)
    if demand.status not in OPEN_STATUSES:
        raise Refused(
            N_("Request #{number} is {status}."),
            number=demand_id,
            status=status_label(demand.status),
        )
    actor.user.current_demand_id = demand_id
    await session.flush()
    return demand, role


async def readable(session: AsyncSession, actor: Actor, demand_id: int) -> Demand:
    """Its active participants and any moderator may read a request's history."""
    demand = await find(session, demand_id)
    if demand is None:
        raise _no_such(demand_id)
    if actor.can_moderate:
        return demand
    was_in = await session.scalar(
        select(func.count())
        .select_from(Participant)
        .where(
            Participant.demand_id == demand_id,
            Participant.user_id == actor.id,
            Participant.left_at.is_(None),
        )
    )
    if not was_in:
        raise _no_such(demand_id)
    return demand


async def history(session: AsyncSession, demand_id: int, *, limit: int = 20) -> list[DemandMessage]:
    """The latest `limit` messages, oldest first."""
    rows = list(
        await session.scalars(
            select(DemandMessage)
            .where(DemandMessage.demand_id == demand_id)
            .order_by(DemandMessage.id.desc())
            .limit(limit)
        )
    )
    rows.reverse()
    return rows


async def count_messages(session: AsyncSession, demand_id: int) -> int:
    count = await session.scalar(
        select(func.count()).select_from(DemandMessage).where(DemandMessage.demand_id == demand_id)
    )
    return int(count or 0)


async def mine(session: AsyncSession, actor: Actor, *, limit: int = 10) -> list[Demand]:
    """The actor's own requests: open ones first, then the latest finished ones."""
    own = Demand.requester_id == actor.id
    open_rows = list(
        await session.scalars(
            select(Demand).where(own, Demand.status.in_(OPEN_STATUSES)).order_by(Demand.id)
        )
    )
    finished = list(
        await session.scalars(
            select(Demand)
            .where(own, Demand.status.not_in(OPEN_STATUSES))
            .order_by(Demand.id.desc())
            .limit(max(0, limit - len(open_rows)))
        )
    )
    return open_rows + finished


async def held(session: AsyncSession, actor: Actor) -> list[Demand]:
    """Requests the provider is helping with right now."""
    return list(
        await session.scalars(
            select(Demand)
            .where(Demand.provider_id == actor.id, Demand.status == "in_progress")
            .order_by(Demand.id)
        )
    )


async def following(session: AsyncSession, actor: Actor) -> list[Demand]:
    """Open requests a moderator has joined."""
    return list(
        await session.scalars(
            select(Demand)
            .join(Participant, Participant.demand_id == Demand.id)
            .where(
                Participant.user_id == actor.id,
                Participant.role == "moderator",
                Participant.left_at.is_(None),
                Demand.status.in_(OPEN_STATUSES),
            )
            .order_by(Demand.id)
        )
    )


async def by_status(
    session: AsyncSession, actor: Actor, status: str, *, limit: int = 10
) -> tuple[list[Demand], int]:
    """For moderators: the requests in one status (new ones in queue order) and how many."""
    require_moderator(actor)
    if status not in DEMAND_STATUSES:
        raise Refused(N_("There is no such status."))
    query = select(Demand).where(Demand.status == status).limit(limit)
    if status == "new":
        query = query.order_by(Demand.priority.desc(), Demand.created_at, Demand.id)
    else:
        query = query.order_by(Demand.updated_at.desc(), Demand.id.desc())
    total = await session.scalar(
        select(func.count()).select_from(Demand).where(Demand.status == status)
    )
    return list(await session.scalars(query)), int(total or 0)


async def status_counts(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(select(Demand.status, func.count()).group_by(Demand.status))
    counts = dict.fromkeys(DEMAND_STATUSES, 0)
    counts.update({status: int(n) for status, n in rows})
    return counts


STATUS_LABELS = {
    "new": N_("waiting for a helper"),
    "in_progress": N_("in progress"),
    "closed": N_("closed"),
    "cancelled": N_("cancelled"),
}


def status_label(status: str) -> Label:
    return Label(STATUS_LABELS.get(status, status))
