"""The order-intake bot: greeting -> address -> phone -> bottles -> confirm -> order number.

`/start`, or any message when no order is in progress, greets and begins the order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from relaybot import (
    N_,
    App,
    BotConfig,
    Choice,
    Context,
    Flow,
    FlowView,
    Phone,
    Settings,
    Step,
)

if TYPE_CHECKING:
    from fastapi import APIRouter

    from relaybot import SessionMaker

from .chat import announce, build_router
from .models import Order
from .validators import AddressRule, clean_bottles


def _bottles_display(value: Any, view: FlowView) -> str:
    return view.t(N_("{count} × 19 l"), count=value)


def build_flow(phone_regions: tuple[str, ...], *, needs_house: bool = True) -> Flow:
    return Flow(
        name="order",
        greeting=N_(
            "Hello! I will take your order for 19-litre bottles of drinking water. "
            "It takes three short questions."
        ),
        steps=[
            Step(
                "address",
                prompt=N_("Where should we deliver? Please send the street and house number."),
                validate=AddressRule(needs_house),
                label=N_("Address"),
            ),
            Phone(
                "phone",
                prompt=N_("Your phone number, so the courier can call you (e.g. 0555 123 456)."),
                label=N_("Phone"),
                regions=phone_regions,
            ),
            Step(
                "bottles",
                prompt=N_("How many 19 l bottles? From 1 to 50."),
                validate=clean_bottles,
                label=N_("Bottles"),
                choices=[Choice(str(n), str(n)) for n in (1, 2, 3, 5, 10)],
                display=_bottles_display,
            ),
        ],
        on_complete=_place_order,
        summary_title=N_("Please check your order:"),
        menu=True,
    )


async def _place_order(ctx: Context, data: dict[str, Any]) -> str:
    order = Order(
        client_phone=data["phone"],
        delivery_address=data["address"],
        bottles_count=data["bottles"],
        source=ctx.bot.channel,
        bot=ctx.bot.name,
        client_id=ctx.update.user_id,
        chat_id=ctx.update.chat_id,
        language=ctx.locale,
        chat2desk_client_id=ctx.update.user_id if ctx.bot.channel == "chat2desk" else None,
        status="new",
        created_at=ctx.now,
        updated_at=ctx.now,
    )
    ctx.db.add(order)
    await ctx.db.flush()
    await announce(ctx, order)
    return ctx.t(
        N_(
            "Thank you! Your order No. {number} is accepted. "
            "We will call {phone} to agree on the delivery time. "
            "Send /orders to see your orders."
        ),
        number=order.id,
        phone=order.client_phone,
    )


class OrdersApp(App):
    name = "orders"
    title = N_("Water delivery")
    description = N_("Order 19 l bottles of drinking water to your door.")

    def __init__(self, bot: BotConfig, settings: Settings) -> None:
        super().__init__(bot, settings)
        regions = bot.options.get("phone_regions", ["KG"])
        if isinstance(regions, str):
            regions = [regions]
        needs_house = bool(bot.options.get("address_needs_house", True))
        self.flow = build_flow(tuple(regions), needs_house=needs_house)
        self.router = build_router(self.flow)

    @classmethod
    def cli(cls) -> click.Group:
        from .cli import orders

        return orders

    @classmethod
    def api_router(cls, settings: Settings, sessions: SessionMaker) -> APIRouter:
        from .api import build_router as build_api

        return build_api(settings, sessions)
