"""`relaybot orders ...`: what an operator of the order bot needs at the shell."""

from __future__ import annotations

import click
from sqlalchemy import select

from relaybot import (
    Column,
    SessionMaker,
    audit,
    cli_actor,
    json_option,
    minute_cell,
    print_rows,
    with_store,
)

from .models import ORDER_STATUSES, Order


@click.group()
def orders() -> None:
    """Orders taken by the order-intake bot."""


COLUMNS = (
    Column("id", "NO.", right=True),
    Column("created_at", "CREATED (UTC)", cell=minute_cell("created_at")),
    Column("status", "STATUS"),
    Column("phone", "PHONE"),
    Column("bottles", "QTY", right=True),
    Column("address", "ADDRESS", width=60),
)


@orders.command("list")
@json_option
@click.option("--status", type=click.Choice(ORDER_STATUSES), default=None)
@click.option("--limit", default=50, show_default=True, help="Newest N orders.")
@click.pass_context
def list_orders(ctx: click.Context, as_json: bool, status: str | None, limit: int) -> None:
    """Orders, newest first."""

    async def fetch(sessions: SessionMaker) -> list[Order]:
        async with sessions() as session:
            query = select(Order).order_by(Order.id.desc()).limit(limit)
            if status:
                query = query.where(Order.status == status)
            return list(await session.scalars(query))

    rows = [
        {
            "id": order.id,
            "phone": order.client_phone,
            "address": order.delivery_address,
            "bottles": order.bottles_count,
            "source": order.source,
            "bot": order.bot,
            "client_id": order.client_id,
            "status": order.status,
            "created_at": order.created_at.isoformat(),
        }
        for order in with_store(ctx, fetch)
    ]
    print_rows(rows, COLUMNS, as_json=as_json, empty="no orders yet")


@orders.command("set-status")
@click.argument("order_id", type=int)
@click.argument("status", type=click.Choice(ORDER_STATUSES))
@click.pass_context
def set_status(ctx: click.Context, order_id: int, status: str) -> None:
    """Move an order along: confirmed, delivered or cancelled."""

    async def change(sessions: SessionMaker) -> bool:
        async with sessions() as session, session.begin():
            order = await session.get(Order, order_id)
            if order is None:
                return False
            if order.status != status:
                await audit(
                    session,
                    actor=cli_actor(),
                    channel="cli",
                    action="orders.set_status",
                    target=str(order_id),
                    bot=order.bot,
                    details={"from": order.status, "to": status},
                )
            order.status = status
            return True

    if not with_store(ctx, change):
        raise click.ClickException(f"order {order_id} does not exist")
    click.echo(f"order {order_id} is now {status}")
