"""A small shop bot written only with `from relaybot import ...`, to tell the router's stories."""

from __future__ import annotations

import enum
from datetime import timedelta
from typing import Annotated, Any, Literal

from relaybot import N_, App, Context, Flow, MaxLen, Payload, Router, Step
from relaybot.config import BotConfig, Settings

LOOKUPS: list[str] = []  # update ids the role lookup ran for


class Size(enum.Enum):
    SMALL = "s"
    LARGE = "l"


class Product(Payload, prefix="shop.product"):
    id: int


class StartOrder(Payload, prefix="shop.order"):
    product: int
    size: Size
    gift: bool


class Note(Payload, prefix="shop.note"):
    text: Annotated[str, MaxLen(12)]
    tone: Literal["warm", "dry"]


router = Router(refusal=N_("Sorry, this is not available to you."))


@router.roles
async def roles_of(ctx: Context) -> set[str]:
    LOOKUPS.append(ctx.update.update_id)
    roles = {"admin"} if ctx.update.user_id in ctx.bot.options.get("admins", ()) else set()
    if ctx.update.user_id in ctx.bot.options.get("auditors", ()):
        roles.add("auditor")
    return roles


@router.command("start", words={"menu"})
async def start(ctx: Context) -> None:
    ctx.reply(
        "Welcome to the shop.",
        buttons=[
            Product(id=12).button("Show 12"),
            StartOrder(product=12, size=Size.LARGE, gift=True).button("Order 12"),
        ],
    )


@router.command("find")
async def find(ctx: Context) -> None:
    ctx.reply(f"Searching for: {ctx.args}" if ctx.args else "What should I find? /find <words>")


@router.command("help")
async def shop_help(ctx: Context) -> None:
    ctx.reply("Shop help: /start, /find <words>, /order")


@router.button(Product)
async def show(ctx: Context, product: Product) -> None:
    ctx.reply(
        f"Product {product.id}: a water bottle.",
        buttons=[Note(text="thanks:a lot", tone="warm").button("Leave a note")],
    )


@router.button(Note)
async def note(ctx: Context, note: Note) -> None:
    ctx.reply(f"Noted ({note.tone}): {note.text}")


admin = Router(roles={"admin"}, refusal=N_("Only administrators can change stock."))


@admin.command("stock")
async def stock(ctx: Context) -> None:
    product, _, count = ctx.args.partition(" ")
    ctx.reply(f"Stock of product {product} is now {count}.")


@admin.text(pattern=r"^stock report$")
async def stock_report(ctx: Context) -> None:
    ctx.reply("Stock: 12 bottles.")


@admin.command("help")
async def admin_help(ctx: Context) -> None:
    ctx.reply("Admin help: /stock <id> <count>")


@admin.command("audit", roles={"auditor"}, refusal="Only auditors read the audit.")
async def audit(ctx: Context) -> None:
    ctx.reply("The audit is clean.")


greetings = Router()


@greetings.text(words={"hello", "hi"})
async def hello(ctx: Context) -> None:
    ctx.reply("Hello from the shop!")


async def place_order(ctx: Context, data: dict[str, Any]) -> str:
    product = data.get("product", "of your choice")
    gift = " as a gift" if data.get("gift") else ""
    return f"Ordered product {product}{gift} for {data['name']} in {data['city']}."


order = Flow(
    "shop-order",
    steps=[Step("name", N_("Your name?")), Step("city", N_("Which city?"))],
    on_complete=place_order,
    ttl=timedelta(seconds=1),
)

router.include_router(admin)
router.flow(order, command="order", button=StartOrder)
router.include_router(greetings)


@router.text(words={"hours", "open"})
async def hours(ctx: Context) -> None:
    ctx.reply("We are open from 9 to 18.")


@router.text(pattern=r"^\d{6}$")
async def tracking(ctx: Context) -> None:
    ctx.reply(f"Parcel {ctx.update.text.strip()} is on its way.")


@router.attachment("photo")
async def photo(ctx: Context) -> None:
    ctx.reply("What a nice photo.")


@router.attachment()
async def any_attachment(ctx: Context) -> None:
    ctx.reply(f"Thanks for the {ctx.update.attachments[0].kind}.")


@router.text()
async def chat(ctx: Context) -> None:
    ctx.reply(f"You said: {ctx.update.text}")


@router.fallback()
async def other(ctx: Context) -> None:
    ctx.reply("Sorry, I did not understand. Try /start.")


class ShopApp(App):
    name = "shop"
    title = N_("Shop")

    def __init__(self, bot: BotConfig, settings: Settings) -> None:
        super().__init__(bot, settings)
        self.router = router
