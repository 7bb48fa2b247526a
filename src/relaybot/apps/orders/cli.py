"""`relaybot orders ...`: what an operator of the order bot needs at the shell."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from sqlalchemy import select

from relaybot import (
    Address,
    Column,
    SessionMaker,
    audit,
    cli_actor,
    json_option,
    minute_cell,
    print_rows,
    settings_of,
    translator,
    with_store,
)

from . import lifecycle
from .models import ORDER_STATUSES, Order
from .outside import operator_chats_everywhere, tell


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
            "chat2desk_client_id": order.chat2desk_client_id,
            "cancel_reason": order.cancel_reason,
            "created_at": order.created_at.isoformat(),
            "updated_at": order.updated_at.isoformat(),
        }
        for order in with_store(ctx, fetch)
    ]
    print_rows(rows, COLUMNS, as_json=as_json, empty="no orders yet")


@orders.command("set-status")
@click.argument("order_id", type=int)
@click.argument("status", type=click.Choice(ORDER_STATUSES[1:]))
@click.option("--reason", default=None, help="Why it is cancelled (the client reads it).")
@click.pass_context
def set_status(ctx: click.Context, order_id: int, status: str, reason: str | None) -> None:
    """Move an order along (confirmed, delivered or cancelled); its client is told."""
    settings = settings_of(ctx)

    async def change(sessions: SessionMaker) -> str | None:
        try:
            async with sessions() as session, session.begin():
                moved = await lifecycle.change_status(
                    session,
                    order_id,
                    status,
                    actor=cli_actor(),
                    channel="cli",
                    now=datetime.now(UTC),
                    default_locale=settings.default_locale,
                    reason=reason,
                )
                await tell(session, settings, moved.client, moved.client_text)
                t = translator(settings.default_locale)
                for chat in (
                    await operator_chats_everywhere(session, settings) if moved.changed else []
                ):
                    await tell(session, settings, chat, lifecycle.operators_news(moved, t))
        except lifecycle.OrderMissing as missing:
            return str(missing)
        except lifecycle.OrderRefused as refused:
            return str(refused)
        return None

    problem = with_store(ctx, change)
    if problem is not None:
        raise click.ClickException(problem)
    click.echo(f"order {order_id} is now {status}; the client is told")


@orders.group()
def operators() -> None:
    """The chats where new orders are announced and handled (a group, a channel, a web chat)."""


@operators.command("add")
@click.argument("bot")
@click.argument("chat_id")
@click.pass_context
def add_operators(ctx: click.Context, bot: str, chat_id: str) -> None:
    """Make CHAT_ID of BOT an operators' chat (the bot says both on /operators)."""

    async def add(sessions: SessionMaker) -> bool:
        async with sessions() as session, session.begin():
            added = await lifecycle.add_operator_chat(
                session, Address(bot, chat_id), datetime.now(UTC)
            )
            if added:
                await audit(
                    session,
                    actor=cli_actor(),
                    channel="cli",
                    action="orders.operators.add",
                    target=chat_id,
                    bot=bot,
                )
            return added

    added = with_store(ctx, add)
    click.echo(f"{bot} {chat_id} is {'now' if added else 'already'} an operators' chat")


@operators.command("list")
@json_option
@click.pass_context
def list_operators(ctx: click.Context, as_json: bool) -> None:
    """The operators' chats."""
    settings = settings_of(ctx)

    async def fetch(sessions: SessionMaker) -> list[Address]:
        async with sessions() as session:
            return await operator_chats_everywhere(session, settings)

    rows = [{"bot": a.bot, "chat_id": a.chat_id} for a in with_store(ctx, fetch)]
    print_rows(
        rows,
        (Column("bot", "BOT"), Column("chat_id", "CHAT")),
        as_json=as_json,
        empty="no operators' chat yet",
    )


@operators.command("remove")
@click.argument("bot")
@click.argument("chat_id")
@click.pass_context
def remove_operators(ctx: click.Context, bot: str, chat_id: str) -> None:
    """Stop announcing orders in CHAT_ID of BOT."""

    async def remove(sessions: SessionMaker) -> bool:
        async with sessions() as session, session.begin():
            removed = await lifecycle.remove_operator_chat(session, Address(bot, chat_id))
            if removed:
                await audit(
                    session,
                    actor=cli_actor(),
                    channel="cli",
                    action="orders.operators.remove",
                    target=chat_id,
                    bot=bot,
                )
            return removed

    if not with_store(ctx, remove):
        raise click.ClickException(f"{bot} {chat_id} is not an operators' chat")
    click.echo(f"{bot} {chat_id} is no longer an operators' chat")
