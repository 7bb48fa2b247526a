"""The operators' chat and the client's own orders, as a router of typed buttons.

An operators' chat is one registered with `relaybot orders operators add` (or named by the
bot's `operators_chat` option): new orders are announced there, and only from there may they
be accepted, delivered or cancelled. A client sees and cancels only their own orders.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from relaybot import (
    N_,
    Address,
    Context,
    Flow,
    Refused,
    Router,
    Text,
    translator,
)

from . import lifecycle
from .lifecycle import STATUS_WORDS, OrderMissing, OrderRefused
from .models import REASON_MAX, Order
from .outside import operator_chats_everywhere
from .payloads import Accept, Cancel, ClientCancel, Deliver, MyOrders

OPERATOR = "operator"
ONLY_OPERATORS = N_("Only the operators' chat can do that.")
ANNOUNCEMENT = N_(
    "New order No. {number}\nAddress: {address}\nPhone: {phone}\nBottles: {bottles}\nVia: {source}"
)
MY_ORDERS_LIMIT = 10
GROUP_CHATS = frozenset({"group", "supergroup", "channel"})


async def operators_of(ctx: Context) -> list[Address]:
    return await operator_chats_everywhere(ctx.db, ctx.settings)


async def in_operators_chat(ctx: Context) -> bool:
    return ctx.address in await operators_of(ctx)


def operator_buttons(order: Order, t: Any) -> list[list[Any]]:
    row = []
    if order.status == "new":
        row.append(Accept(order_id=order.id).button(t(N_("Accept"))))
    if order.status == "confirmed":
        row.append(Deliver(order_id=order.id).button(t(N_("Delivered"))))
    if order.status in ("new", "confirmed"):
        row.append(Cancel(order_id=order.id).button(t(N_("Cancel"))))
    return [row] if row else []


async def announce(ctx: Context, order: Order) -> None:
    """A new order, with its buttons, in every operators' chat (each in the bot's language)."""
    t = translator(ctx.settings.default_locale)
    text = t(
        ANNOUNCEMENT,
        number=order.id,
        address=order.delivery_address,
        phone=order.client_phone,
        bottles=order.bottles_count,
        source=order.source,
    )
    for chat in await operators_of(ctx):
        ctx.send(chat, text, buttons=operator_buttons(order, t))


def actor_of(ctx: Context) -> str:
    return f"{ctx.update.channel}:{ctx.update.user_id}"


async def apply(
    ctx: Context, order_id: int, to: str, *, reason: str | None = None, client: bool = False
) -> lifecycle.Change:
    """The change through the shared rules; a refusal is said to whoever asked."""
    try:
        change = await lifecycle.change_status(
            ctx.db,
            order_id,
            to,
            actor=actor_of(ctx),
            channel=ctx.update.channel,
            now=ctx.now,
            default_locale=ctx.settings.default_locale,
            reason=reason,
            client_id=ctx.update.user_id if client else None,
        )
    except OrderMissing:
        raise Refused(N_("There is no order No. {number}."), number=order_id) from None
    except OrderRefused as refused:
        raise Refused(refused.message, **refused.values) from None
    if change.client is not None and change.client != ctx.address:
        ctx.send(change.client, change.client_text)
    return change


async def tell_operators(ctx: Context, change: lifecycle.Change) -> None:
    if not change.changed:
        return
    t = translator(ctx.settings.default_locale)
    text = lifecycle.operators_news(change, t)
    for chat in await operators_of(ctx):
        ctx.send(chat, text, buttons=operator_buttons(change.order, t))


async def _cancel_with_reason(ctx: Context, data: dict[str, Any]) -> str:
    try:
        change = await apply(ctx, int(data["order_id"]), "cancelled", reason=data["reason"])
    except Refused as refused:
        return ctx.t(refused.message, **refused.values)
    await tell_operators(ctx, change)
    return ctx.t(N_("Done: the client is told."))


CANCEL_FLOW = Flow(
    name="order_cancel",
    steps=[
        Text(
            "reason",
            prompt=N_("Why is the order cancelled? The client will read it."),
            max_length=REASON_MAX,
        )
    ],
    on_complete=_cancel_with_reason,
    confirm=False,
    offer_form=False,
)


def build_router(order_flow: Flow) -> Router:
    router = Router(savepoint=True)

    @router.roles
    async def roles(ctx: Context) -> set[str]:
        return {OPERATOR} if await in_operators_chat(ctx) else set()

    @router.command("operators", interrupts=True)
    async def operators_help(ctx: Context) -> None:
        if await in_operators_chat(ctx):
            ctx.reply(ctx.t(N_("This is an operators' chat: new orders are announced here.")))
            return
        ctx.reply(
            ctx.t(
                N_(
                    "To announce new orders in this chat, an administrator runs:\n"
                    "relaybot orders operators add {bot} {chat_id}"
                ),
                bot=ctx.bot.name,
                chat_id=ctx.address.chat_id,
            )
        )

    @router.button(Accept, roles={OPERATOR}, refusal=ONLY_OPERATORS)
    async def accept(ctx: Context, pressed: Accept) -> None:
        await tell_operators(ctx, await apply(ctx, pressed.order_id, "confirmed"))

    @router.button(Deliver, roles={OPERATOR}, refusal=ONLY_OPERATORS)
    async def deliver(ctx: Context, pressed: Deliver) -> None:
        await tell_operators(ctx, await apply(ctx, pressed.order_id, "delivered"))

    router.flow(CANCEL_FLOW, button=Cancel, roles={OPERATOR}, refusal=ONLY_OPERATORS)

    @router.button(MyOrders)
    @router.command("orders", words=("my orders",))
    async def my_orders(ctx: Context, _: MyOrders | None = None) -> None:
        rows = list(
            await ctx.db.scalars(
                select(Order)
                .where(Order.bot == ctx.bot.name, Order.client_id == ctx.update.user_id)
                .order_by(Order.id.desc())
                .limit(MY_ORDERS_LIMIT)
            )
        )
        if not rows:
            ctx.reply(ctx.t(N_("You have no orders yet. Send /start to order water.")))
            return
        lines = [
            ctx.t(
                N_("No. {number}: {bottles} × 19 l to {address}, {status}"),
                number=o.id,
                bottles=o.bottles_count,
                address=o.delivery_address,
                status=ctx.t(STATUS_WORDS[o.status]),
            )
            for o in rows
        ]
        buttons = [
            [ClientCancel(order_id=o.id).button(ctx.t(N_("Cancel No. {number}"), number=o.id))]
            for o in rows
            if o.status == "new"
        ]
        ctx.reply("\n".join([ctx.t(N_("Your orders:")), *lines]), buttons=buttons or None)

    @router.button(ClientCancel)
    async def client_cancel(ctx: Context, pressed: ClientCancel) -> None:
        change = await apply(ctx, pressed.order_id, "cancelled", client=True)
        ctx.reply(change.client_text, buttons=[[MyOrders().button(ctx.t(N_("My orders")))]])
        await tell_operators(ctx, change)

    router.flow(order_flow, command="start")

    @router.fallback(flow=order_flow)
    async def begin(ctx: Context) -> None:
        if await in_operators_chat(ctx):
            # Operators talk among themselves in a group: only a private chat is answered.
            if ctx.update.chat_type not in GROUP_CHATS:
                ctx.reply(ctx.t(N_("This is an operators' chat: new orders are announced here.")))
            return
        await order_flow.handle(ctx)

    return router
