"""The queue of new requests: "take next" hands each one to exactly one provider.

The database decides, not process memory: a request is claimed by an UPDATE that only matches
while its status is still `new`, and its row count says who won. On PostgreSQL the candidate is
also selected `FOR UPDATE SKIP LOCKED`, so simultaneous providers pick different requests at
once instead of queueing on the same row; SQLite serialises writers with BEGIN IMMEDIATE.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from relaybot import N_

from .models import Demand, HelpdeskUser, Participant, UserScenario
from .roles import Actor, Refused, require_provider

CLAIM_ATTEMPTS = 5


def queue_order() -> tuple[object, ...]:
    """Returned (declined) requests first, then the oldest."""
    return (Demand.priority.desc(), Demand.created_at, Demand.id)


async def held_by(session: AsyncSession, provider_id: int) -> int:
    count = await session.scalar(
        select(func.count())
        .select_from(Demand)
        .where(Demand.provider_id == provider_id, Demand.status == "in_progress")
    )
    return int(count or 0)


async def take_next(
    session: AsyncSession, actor: Actor, *, now: datetime, max_active: int
) -> Demand | None:
    """Give the provider the next request of their categories, or None when none is waiting."""
    require_provider(actor)
    # Touching the provider's own row first makes their simultaneous presses (a double tap,
    # two devices) run one after another on PostgreSQL, so the count below is the truth.
    await session.execute(
        update(HelpdeskUser)
        .where(HelpdeskUser.id == actor.id)
        .values(last_take_at=now)
        .execution_options(synchronize_session=False)
    )
    held = await held_by(session, actor.id)
    if held >= max_active:
        raise Refused(
            N_(
                "You are already helping with {count} request(s). Close or decline one "
                "before taking the next."
            ),
            count=held,
        )
    been_provider = select(Participant.demand_id).where(
        Participant.user_id == actor.id, Participant.role == "provider"
    )
    candidates = (
        select(Demand.id)
        .where(
            Demand.status == "new",
            Demand.scenario_id.in_(sorted(actor.scenario_ids)),
            Demand.requester_id != actor.id,
            Demand.id.not_in(been_provider),
        )
        .order_by(*queue_order())  # type: ignore[arg-type]
        .limit(1)
    )
    if session.get_bind().dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True, of=Demand)
    for _ in range(CLAIM_ATTEMPTS):
        demand_id = await session.scalar(candidates)
        if demand_id is None:
            return None
        claimed = await session.execute(
            update(Demand)
            .where(Demand.id == demand_id, Demand.status == "new")
            .values(status="in_progress", provider_id=actor.id, taken_at=now, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if getattr(claimed, "rowcount", 0) == 1:
            session.add(
                Participant(demand_id=demand_id, user_id=actor.id, role="provider", joined_at=now)
            )
            actor.user.current_demand_id = demand_id
            await session.flush()
            return await session.get(Demand, demand_id, populate_existing=True)
    return None


async def providers_for(
    session: AsyncSession, scenario_id: int, *, exclude: frozenset[int] = frozenset()
) -> list[HelpdeskUser]:
    """Everyone linked to the category, to be told that a request is waiting."""
    query = (
        select(HelpdeskUser)
        .join(UserScenario, UserScenario.user_id == HelpdeskUser.id)
        .where(UserScenario.scenario_id == scenario_id)
        .order_by(HelpdeskUser.id)
    )
    if exclude:
        query = query.where(HelpdeskUser.id.not_in(sorted(exclude)))
    return list(await session.scalars(query))


async def former_providers(session: AsyncSession, demand_id: int) -> frozenset[int]:
    rows = await session.scalars(
        select(Participant.user_id).where(
            Participant.demand_id == demand_id, Participant.role == "provider"
        )
    )
    return frozenset(rows)
