"""/api/orders/: the orders for operators' tools and integrations (admin API tokens).

Reading takes any role; changing a status takes admin or operator, goes through the same
rules as the operators' chat (`lifecycle.change_status`), is audited, and tells the client in
their own chat and language.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, HTTPException, Path, Query
from pydantic import BaseModel, Field
from sqlalchemy import func, select

from relaybot import (
    MAX_JSON_INT,
    NOT_BLANK,
    STRICT_BODY,
    Authenticator,
    Principal,
    SessionMaker,
    Settings,
    translator,
)

from . import lifecycle
from .models import ORDER_STATUSES, REASON_MAX, Order
from .outside import operator_chats_everywhere, tell

Status = Literal["new", "confirmed", "delivered", "cancelled"]
assert set(ORDER_STATUSES) == set(Status.__args__)  # type: ignore[attr-defined]


class Problem(BaseModel):
    detail: str


class OrderOut(BaseModel):
    id: int
    status: Status
    client_phone: str
    delivery_address: str
    bottles_count: int
    source: str
    bot: str
    client_id: str
    chat2desk_client_id: str | None
    cancel_reason: str | None
    created_at: datetime
    updated_at: datetime


class OrderPage(BaseModel):
    items: list[OrderOut]
    total: int
    limit: int
    offset: int


class Advance(BaseModel):
    """Accept a new order, or mark an accepted one delivered."""

    model_config = STRICT_BODY

    status: Literal["confirmed", "delivered"]


class Cancellation(BaseModel):
    """Cancel a new or accepted order; the client reads the reason."""

    model_config = STRICT_BODY

    status: Literal["cancelled"]
    reason: str = Field(min_length=1, max_length=REASON_MAX, pattern=NOT_BLANK)


StatusChange = Annotated[Advance | Cancellation, Body(discriminator="status")]
OrderId = Annotated[int, Path(gt=0, le=MAX_JSON_INT)]
ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": Problem, "description": "No such order."},
}
REFUSED: dict[int | str, dict[str, Any]] = {
    409: {"model": Problem, "description": "The order's status does not allow this change."},
}


def _out(order: Order) -> OrderOut:
    return OrderOut(
        id=order.id,
        status=order.status,
        client_phone=order.client_phone,
        delivery_address=order.delivery_address,
        bottles_count=order.bottles_count,
        source=order.source,
        bot=order.bot,
        client_id=order.client_id,
        chat2desk_client_id=order.chat2desk_client_id,
        cancel_reason=order.cancel_reason,
        created_at=order.created_at,
        updated_at=order.updated_at,
    )


def build_router(settings: Settings, sessions: SessionMaker) -> APIRouter:
    auth = Authenticator(settings, sessions)
    reader = Depends(auth.admin("admin", "operator", "readonly"))
    editor = Depends(auth.admin("admin", "operator"))
    router = APIRouter(prefix="/api/orders", tags=["orders"])

    @router.get("", summary="List orders, newest first")
    async def list_orders(
        who: Principal = reader,
        status: Status | None = None,
        bot: Annotated[str | None, Query(max_length=64)] = None,
        client_id: Annotated[str | None, Query(max_length=128)] = None,
        chat2desk_client_id: Annotated[str | None, Query(max_length=128)] = None,
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
        offset: Annotated[int, Query(ge=0, le=MAX_JSON_INT)] = 0,
    ) -> OrderPage:
        conditions = []
        if status is not None:
            conditions.append(Order.status == status)
        if bot is not None:
            conditions.append(Order.bot == bot)
        if client_id is not None:
            conditions.append(Order.client_id == client_id)
        if chat2desk_client_id is not None:
            conditions.append(Order.chat2desk_client_id == chat2desk_client_id)
        async with sessions() as session:
            total = await session.scalar(select(func.count()).select_from(Order).where(*conditions))
            rows = await session.scalars(
                select(Order)
                .where(*conditions)
                .order_by(Order.id.desc())
                .limit(limit)
                .offset(offset)
            )
            items = [_out(order) for order in rows]
        return OrderPage(items=items, total=int(total or 0), limit=limit, offset=offset)

    @router.get("/{order_id}", summary="One order", responses=ERRORS)
    async def get_order(order_id: OrderId, who: Principal = reader) -> OrderOut:
        async with sessions() as session:
            order = await session.get(Order, order_id)
            if order is None:
                raise HTTPException(404, f"order {order_id} does not exist")
            return _out(order)

    @router.patch(
        "/{order_id}",
        summary="Accept, deliver or cancel an order; its client is told",
        responses={**ERRORS, **REFUSED},
    )
    async def change_order(
        order_id: OrderId, body: StatusChange, who: Principal = editor
    ) -> OrderOut:
        t = translator(settings.default_locale)
        try:
            async with sessions() as session, session.begin():
                change = await lifecycle.change_status(
                    session,
                    order_id,
                    body.status,
                    actor=who.actor,
                    channel="rest",
                    now=datetime.now(UTC),
                    default_locale=settings.default_locale,
                    reason=body.reason if isinstance(body, Cancellation) else None,
                )
                await tell(session, settings, change.client, change.client_text)
                for chat in (
                    await operator_chats_everywhere(session, settings) if change.changed else []
                ):
                    await tell(session, settings, chat, lifecycle.operators_news(change, t))
                return _out(change.order)
        except lifecycle.OrderMissing as missing:
            raise HTTPException(404, str(missing)) from None
        except lifecycle.OrderRefused as refused:
            raise HTTPException(409, str(refused)) from None

    return router
