"""An order bot that creates each order in a CRM and tells the client the CRM's number.

The CRM's address is the bot's `crm_url` option. The call is made after the order's update
commits, retried while the CRM fails, and its result comes back to `order_created`.
"""

from __future__ import annotations

from typing import ClassVar

# --8<-- [start:app]
from relaybot import App, CallResult, Context, HttpCall, Router

router = Router()


@router.command("order")
async def order(ctx: Context) -> None:
    item = ctx.args or "a surprise box"
    ctx.call(
        HttpCall("POST", f"{ctx.bot.options['crm_url']}/orders", json={"item": item}),
        tag="crm.order",
    )
    ctx.reply(f"Thank you! Registering your order for {item}...")


@router.result("crm.order")
async def order_created(ctx: Context, result: CallResult) -> None:
    if result.ok:
        ctx.reply(f"Your order number is {result.body['number']}.")
    else:
        ctx.reply("The CRM is not answering, we will call you back.")


class CrmShop(App):
    name: ClassVar[str] = "crm_shop"
    title: ClassVar[str] = "Orders with a CRM"
    router = router


# --8<-- [end:app]
