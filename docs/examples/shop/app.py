"""A small tea shop: /start shows the catalogue, /find searches it, a product card offers
"Order this", an order dialog takes it from there, and admins set the stock with /stock."""

# --8<-- [start:imports]
from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, select, update

from relaybot import (
    N_,
    Address,
    Album,
    App,
    BotConfig,
    Choice,
    Context,
    Date,
    Flow,
    FlowView,
    Integer,
    Invalid,
    Job,
    JobContext,
    Payload,
    Phone,
    Router,
    Select,
    Settings,
    Text,
    translator,
)

from .models import Item, ShopOrder

# --8<-- [end:imports]


# --8<-- [start:payloads]
class Product(Payload, prefix="product"):
    """A "Show" button: the card of item `id`."""

    id: int


class OrderThis(Payload, prefix="order-this"):
    """The card's "Order this" button: the order dialog with the product already chosen."""

    product: int


# --8<-- [end:payloads]


# --8<-- [start:router]
router = Router()


@router.roles
async def roles_of(ctx: Context) -> set[str]:
    """Administrators are listed in the bot's options: `options = { admins = ["42"] }`."""
    return {"admin"} if ctx.update.user_id in ctx.bot.options.get("admins", ()) else set()


@router.command("start", words={"menu"})
async def start(ctx: Context) -> None:
    """The catalogue: one "Show" button per product."""
    items = await ctx.db.scalars(select(Item).order_by(Item.id))
    ctx.reply(
        ctx.t(N_("Welcome to the tea shop! What would you like to see?")),
        buttons=[Product(id=i.id).button(ctx.t(N_("Show: {name}"), name=i.name)) for i in items],
    )


@router.command("find")
async def find(ctx: Context) -> None:
    """/find green tea: the products whose name has every one of the words."""
    words = ctx.args.lower().split()
    if not words:
        ctx.reply(ctx.t(N_("What are you looking for? For example: /find green tea")))
        return
    matches = (func.lower(Item.name).contains(word, autoescape=True) for word in words)
    items = list(await ctx.db.scalars(select(Item).where(*matches).order_by(Item.id).limit(10)))
    if not items:
        ctx.reply(ctx.t(N_("Nothing found for “{words}”."), words=ctx.args))
        return
    buttons = [Product(id=i.id).button(ctx.t(N_("Show: {name}"), name=i.name)) for i in items]
    ctx.reply(ctx.t(N_("Found {count}:"), count=len(items)), buttons=buttons)


# --8<-- [end:router]


# --8<-- [start:card]
@router.button(Product)
async def show(ctx: Context, product: Product) -> None:
    """A product card; "Order this" only while there is some left."""
    item = await ctx.db.get(Item, product.id)
    if item is None:
        ctx.reply(ctx.t(N_("Sorry, we no longer sell this.")))
        return
    if item.stock == 0:
        ctx.reply(ctx.t(N_("{name}, {price} som: sold out."), name=item.name, price=item.price))
        return
    card = N_("{name}, {price} som: {stock} in stock.")
    ctx.reply(
        ctx.t(card, name=item.name, price=item.price, stock=item.stock),
        buttons=[OrderThis(product=item.id).button(ctx.t(N_("Order this")))],
    )


# --8<-- [end:card]


# --8<-- [start:help]
@router.command("help", interrupts=False)  # during a dialog, /help is the dialog's own help
async def shop_help(ctx: Context) -> None:
    """What the shop understands."""
    ctx.reply(ctx.t(N_("/start shows the shop, /find <words> searches it, /order orders.")))


@router.text(words={"hours", "open"})
async def hours(ctx: Context) -> None:
    """Typed "hours" (the whole message, any case), outside a dialog."""
    ctx.reply(ctx.t(N_("We are open every day from 9 to 21.")))


@router.fallback()
async def other(ctx: Context) -> None:
    """Whatever nothing else took: text, photos, stickers."""
    ctx.reply(ctx.t(N_("Send /start to see the shop, or /find and a word.")))


# --8<-- [end:help]


# --8<-- [start:stock]
admin = Router(roles={"admin"}, refusal=N_("Only administrators can change stock."))
STOCK_USAGE = N_("Usage: /stock <product number> <count>, for example /stock 3 20")


@admin.command("stock")
async def set_stock(ctx: Context) -> None:
    """/stock 3 20: product 3 has 20 on the shelf now."""
    numbers = _stock_args(ctx.args)
    if numbers is None:
        ctx.reply(ctx.t(STOCK_USAGE))
        return
    item = await ctx.db.get(Item, numbers[0])
    if item is None:
        ctx.reply(ctx.t(N_("There is no product {id}."), id=numbers[0]))
        return
    item.stock = numbers[1]
    ctx.reply(ctx.t(N_("{name}: {stock} in stock now."), name=item.name, stock=item.stock))


def _stock_args(args: str) -> tuple[int, int] | None:
    """ "3 20" -> (3, 20); anything else (words, signs, huge numbers) is None."""
    parts = args.split()
    if len(parts) != 2 or not all(p.isascii() and p.isdigit() and len(p) <= 6 for p in parts):
        return None
    return int(parts[0]), int(parts[1])


router.include_router(admin)
# --8<-- [end:stock]


# --8<-- [start:choices]
async def in_stock(view: FlowView) -> list[Choice]:
    """The product question's buttons, read from the database when it is asked."""
    assert view.ctx is not None  # a dialog's questions are always asked within an update
    items = await view.ctx.db.scalars(select(Item).where(Item.stock > 0).order_by(Item.id))
    return [Choice(item.name, str(item.id)) for item in items]


async def enough_left(quantity: int, view: FlowView) -> None:
    """The quantity question's rule: no more than is on the shelf."""
    assert view.ctx is not None
    item = await view.ctx.db.get(Item, int(view.data["product"]))
    left = 0 if item is None else item.stock
    if quantity > left:
        raise Invalid(N_("Sorry, only {left} left. How many would you like?"), left=left)


def delivered(view: FlowView) -> bool:
    """Address and entrance photos are asked only for a delivery."""
    return view.data.get("delivery") == "delivery"


# --8<-- [end:choices]


# --8<-- [start:complete]
async def place_order(ctx: Context, data: dict[str, Any]) -> str:
    """Take the goods off the shelf and save the order in the update's one transaction:
    both happen, together with the reply, or neither does."""
    item_id, quantity = int(data["product"]), data["quantity"]
    left = await ctx.db.scalar(
        update(Item)
        .where(Item.id == item_id, Item.stock >= quantity)
        .values(stock=Item.stock - quantity)
        .returning(Item.stock)
    )
    if left is None:
        return ctx.t(N_("Sorry, that was just sold out, so nothing was ordered. Try /start."))
    order = ShopOrder(
        bot=ctx.bot.name,
        client_id=ctx.update.user_id,
        item_id=item_id,
        quantity=quantity,
        delivery=data["delivery"] == "delivery",
        address=data.get("address"),
        photos=data.get("photos") or [],
        day=date.fromisoformat(data["day"]),
        phone=data["phone"],
        created_at=ctx.now,
    )
    ctx.db.add(order)
    await ctx.db.flush()  # gives the order its number
    return ctx.t(N_("Thank you! Your order No. {number} is placed."), number=order.id)


# --8<-- [end:complete]


# --8<-- [start:flow]
ORDER = Flow(
    "shop-order",
    steps=[
        Select("product", N_("Which product?"), choices=in_stock, label=N_("Product")),
        Integer(
            "quantity",
            N_("How many? From 1 to 50."),
            min=1,
            max=50,
            check=enough_left,
            label=N_("Quantity"),
        ),
        Select(
            "delivery",
            N_("Delivery or pick-up?"),
            choices=[Choice(N_("Delivery"), "delivery"), Choice(N_("Pick-up"), "pickup")],
            label=N_("Delivery"),
        ),
        Text(
            "address",
            N_("Where should we deliver?"),
            max_length=300,
            when=delivered,
            label=N_("Address"),
        ),
        Album(
            "photos",
            N_("Photos of the entrance help the courier: send up to 5, or Skip."),
            max=5,
            optional=True,
            when=delivered,
            label=N_("Photos"),
            help=N_("Photograph the door or gate from the street. You may Skip this."),
        ),
        Date("day", N_("Which day?"), not_past=True, label=N_("Day")),
        Phone("phone", N_("Your phone number, or share your contact."), label=N_("Phone")),
    ],
    on_complete=place_order,
    summary_title=N_("Please check your order:"),
    help=N_("Answer the question above, go Back to change the previous one, or Cancel."),
)
router.flow(ORDER, command="order")


@router.button(OrderThis)
async def order_this(ctx: Context, order: OrderThis) -> None:
    """The card's button starts the order with the product chosen: that question is skipped."""
    await ORDER.start(ctx, product=str(order.product))


# --8<-- [end:flow]


# --8<-- [start:jobs]
SHOP_APP = f"{__name__}:ShopApp"
LOW = 5


async def low_stock(ctx: JobContext) -> None:
    """Each morning, the administrators of every shop bot hear what is running low."""
    items = list(await ctx.db.scalars(select(Item).where(Item.stock < LOW).order_by(Item.id)))
    if not items:
        return
    t = translator(ctx.settings.default_locale)
    left = ", ".join(f"{item.name} ({item.stock})" for item in items)
    for bot in ctx.bots.values():
        if bot.app != SHOP_APP:
            continue
        for admin in bot.options.get("admins", ()):
            ctx.send(Address(bot.name, admin), t(N_("Running low: {items}."), items=left))


# --8<-- [end:jobs]


# --8<-- [start:app]
class ShopApp(App):
    """The shop bot; `app = "shop.app:ShopApp"` in relaybot.toml."""

    name = "shop"
    title = N_("Tea shop")
    description = N_("A catalogue, product cards and orders.")

    def __init__(self, bot: BotConfig, settings: Settings) -> None:
        super().__init__(bot, settings)
        self.router = router

    @classmethod
    def jobs(cls, settings: Settings) -> Sequence[Job]:
        """The stock report, every morning at 9 in the shop's time zone."""
        return [Job("shop.low-stock", low_stock, cron="0 9 * * *", timezone="Asia/Bishkek")]


# --8<-- [end:app]
