"""A bot that calls other services: a CRM over HTTP for orders, a task for delivery quotes."""

from __future__ import annotations

from typing import Any, ClassVar

import httpx

from relaybot import App, CallResult, Context, HttpCall, Router, Settings, TaskCall, TaskFunction

router = Router()
QUOTES: list[tuple[str, str]] = []  # (city, idempotency key) of every task run, repeats included


@router.command("order")
async def order(ctx: Context) -> None:
    crm = ctx.bot.options["crm_url"]
    ctx.call(HttpCall("POST", f"{crm}/orders", json={"sku": ctx.args}), tag="crm.order")
    ctx.reply("Placing your order...")


@router.result("crm.order")
async def order_placed(ctx: Context, result: CallResult) -> None:
    if result.ok:
        ctx.reply(f"Order {result.body['number']} is placed (attempt {result.attempts}).")
    else:
        ctx.reply(f"The CRM is not answering, we will call you ({result.error}).")


@router.command("quote")
async def quote(ctx: Context) -> None:
    ctx.call(TaskCall("delivery_quote", {"city": ctx.args}), tag="delivery.quote")
    ctx.reply("Asking the courier...")


@router.result("delivery.quote")
async def quoted(ctx: Context, result: CallResult) -> None:
    ctx.reply(f"Delivery to {result.body['city']} costs {result.body['price']}.")


@router.command("lookup")
async def lookup(ctx: Context) -> None:
    """Waits on the CRM inside the handler, as `ctx.call` makes unnecessary: slow but harmless."""
    crm = ctx.bot.options["crm_url"]
    async with httpx.AsyncClient(timeout=60) as client:
        answer = await client.post(
            f"{crm}/orders",
            json={"sku": ctx.args},
            headers={"Idempotency-Key": ctx.update.update_id},
        )
    ctx.reply(f"The CRM knows it as {answer.json()['number']}.")


@router.fallback()
async def other(ctx: Context) -> None:
    ctx.reply(f"You said {ctx.update.text}.")


async def delivery_quote(args: dict[str, Any], *, idempotency_key: str) -> dict[str, Any]:
    QUOTES.append((args["city"], idempotency_key))
    return {"city": args["city"], "price": 100 * len(args["city"])}


class CallingApp(App):
    name: ClassVar[str] = "calling"
    title: ClassVar[str] = "Calling"
    router = router

    @classmethod
    def tasks(cls, settings: Settings) -> dict[str, TaskFunction]:
        return {"delivery_quote": delivery_quote}
