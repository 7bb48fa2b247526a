"""Routes for requests: list them and read one with its participants and messages."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from relaybot import Principal

from ..errors import NotFound
from ..models import Demand, DemandMessage, Participant
from .base import NOT_FOUND, Api
from .schemas import (
    MAX_ID,
    DemandDetail,
    DemandOut,
    DemandPage,
    Id,
    MessageOut,
    ParticipantOut,
    Status,
)


def _demand_fields(item: Demand) -> dict[str, Any]:
    return {
        "id": item.id,
        "status": item.status,
        "scenario_id": item.scenario_id,
        "category": item.scenario.title,
        "requester_id": item.requester_id,
        "provider_id": item.provider_id,
        "description": item.description,
        "returned": item.priority > 0,
        "created_at": item.created_at,
        "updated_at": item.updated_at,
        "taken_at": item.taken_at,
        "closed_at": item.closed_at,
        "closed_by_id": item.closed_by_id,
    }


def add_demand_routes(router: APIRouter, api: Api) -> None:
    # -- requests -------------------------------------------------------------------------------
    @router.get("/demands", summary="List requests, newest first")
    async def list_demands(
        who: Principal = api.reader,
        status_: Status | None = Query(None, alias="status"),
        scenario_id: int | None = Query(None, gt=0, le=MAX_ID),
        user_id: int | None = Query(
            None, gt=0, le=MAX_ID, description="Requests this user asked for or is helping with."
        ),
        limit: int = Query(50, ge=1, le=200),
        offset: int = Query(0, ge=0, le=MAX_ID),
    ) -> DemandPage:
        async def go(session: AsyncSession) -> DemandPage:
            conditions = []
            if status_ is not None:
                conditions.append(Demand.status == status_)
            if scenario_id is not None:
                conditions.append(Demand.scenario_id == scenario_id)
            if user_id is not None:
                conditions.append(
                    (Demand.requester_id == user_id) | (Demand.provider_id == user_id)
                )
            total = await session.scalar(
                select(func.count()).select_from(Demand).where(*conditions)
            )
            rows = await session.scalars(
                select(Demand)
                .where(*conditions)
                .order_by(Demand.id.desc())
                .limit(limit)
                .offset(offset)
            )
            return DemandPage(
                items=[DemandOut(**_demand_fields(d)) for d in rows],
                total=int(total or 0),
                limit=limit,
                offset=offset,
            )

        return await api.run(go)

    @router.get(
        "/demands/{demand_id}",
        summary="One request with its participants and messages",
        responses=NOT_FOUND,
    )
    async def get_demand(
        demand_id: Id,
        who: Principal = api.reader,
        messages_limit: int = Query(200, ge=1, le=1000, description="The latest N messages."),
    ) -> DemandDetail:
        async def go(session: AsyncSession) -> DemandDetail:
            demand = await session.get(Demand, demand_id)
            if demand is None:
                raise NotFound(f"request {demand_id} does not exist")
            participants = await session.scalars(
                select(Participant)
                .where(Participant.demand_id == demand_id)
                .order_by(Participant.id)
            )
            latest = list(
                await session.scalars(
                    select(DemandMessage)
                    .where(DemandMessage.demand_id == demand_id)
                    .order_by(DemandMessage.id.desc())
                    .limit(messages_limit)
                )
            )
            latest.reverse()
            total = await session.scalar(
                select(func.count())
                .select_from(DemandMessage)
                .where(DemandMessage.demand_id == demand_id)
            )
            return DemandDetail(
                **_demand_fields(demand),
                participants=[
                    ParticipantOut(
                        user_id=p.user_id,
                        role=p.role,
                        joined_at=p.joined_at,
                        left_at=p.left_at,
                        left_reason=p.left_reason,
                    )
                    for p in participants
                ],
                messages=[
                    MessageOut(
                        id=m.id,
                        author_id=m.author_id,
                        author_role=m.author_role,
                        text=m.text,
                        attachments=m.attachments,
                        created_at=m.created_at,
                    )
                    for m in latest
                ],
                messages_total=int(total or 0),
            )

        return await api.run(go)
