"""A small app with one flow per bot, each built from the step kinds a test tells a story of.

The flow saves nothing; it answers "Saved: " and the data it received as JSON, so a test
reads exactly what an app's `on_complete` would get.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import literal, select

from relaybot.config import BotConfig, Settings
from relaybot.core.app import App, Context
from relaybot.core.i18n import N_
from relaybot.flows import (
    Album,
    Choice,
    Date,
    Decimal,
    Flow,
    FlowView,
    Integer,
    Invalid,
    Location,
    MultiSelect,
    Phone,
    Photo,
    Select,
    Step,
    Text,
    Time,
)

SAVED = "Saved: "


async def saved(ctx: Context, data: dict[str, Any]) -> str:
    return SAVED + json.dumps(data, sort_keys=True, ensure_ascii=False)


async def products(view: FlowView) -> list[Choice]:
    """Choices read through the update's database session, as an app reads its catalogue."""
    assert view.ctx is not None
    name = await view.ctx.db.scalar(select(literal("Water")))
    return [Choice(str(name), "water"), Choice("Juice", "juice")]


async def not_on_sunday(value: Any, view: FlowView) -> None:
    if datetime.fromisoformat(value).weekday() == 6:
        raise Invalid(N_("We do not deliver on Sundays."))


ORDER = Flow(
    "order",
    steps=[
        Select("product", "Which product?", choices=products, label="Product"),
        Integer("quantity", "How many? 1-50.", min=1, max=50, label="Quantity"),
        Select(
            "delivery",
            "Delivery or pick-up?",
            choices=[Choice("Delivery", "d"), Choice("Pick-up", "p")],
            label="Delivery",
        ),
        Text(
            "address",
            "Where to?",
            max_length=300,
            when=lambda v: v.data.get("delivery") == "d",
            label="Address",
        ),
        Date("day", "Which day?", not_past=True, check=not_on_sunday, label="Day"),
        Time("time", "At what time?", min=time(9), max=time(20), label="Time"),
        Phone("phone", "Your phone", regions=("KG",), label="Phone"),
        Text(
            "note",
            "Anything for the courier?",
            optional=True,
            help="For example: the entrance code, or a landmark.",
            label="Note",
        ),
    ],
    on_complete=saved,
    help="This is an order of water. Answer each question, or type cancel.",
)

PHOTOS = Flow(
    "photos",
    steps=[
        Photo("face", "A photo of the front door, please.", label="Door"),
        Album("album", "Photos of the entrance (up to 10), then press Done.", label="Entrance"),
        Location("where", "Share the location.", optional=True, label="Location"),
    ],
    on_complete=saved,
    confirm=False,
)


def _big_tip(value: Any, view: FlowView) -> None:
    if float(value) > 50 and "large" not in view.data.get("toppings", ()):
        raise Invalid(N_("A tip above 50 is only for large orders."))


EXTRAS = Flow(
    "extras",
    steps=[
        MultiSelect(
            "toppings",
            "Pick up to two extras, then press Done.",
            choices=[Choice("Ice", "ice"), Choice("Lemon", "lemon"), Choice("Large", "large")],
            max=2,
            label="Extras",
        ),
        Decimal("tip", "Tip, 0-100?", min=0, max=100, places=2, check=_big_tip, label="Tip"),
    ],
    on_complete=saved,
)

JUMP = Flow(
    "jump",
    steps=[
        Select(
            "kind",
            "A complaint or a question?",
            choices=[Choice("Complaint", "complaint"), Choice("Question", "question")],
            next=lambda v: "question" if v.data["kind"] == "question" else "complaint",
            label="Kind",
        ),
        Text("complaint", "What went wrong?", label="Complaint", next=lambda v: "contact"),
        Text("question", "What is your question?", label="Question"),
        Step("contact", "How do we reach you?", label="Contact"),
    ],
    on_complete=saved,
)

FLOWS = {flow.name: flow for flow in (ORDER, PHOTOS, EXTRAS, JUMP)}


class StepsApp(App):
    name = "steps"
    title = "Steps"

    def __init__(self, bot: BotConfig, settings: Settings) -> None:
        super().__init__(bot, settings)
        self.flow = FLOWS[str(bot.options["flow"])]

    async def handle(self, ctx: Context) -> None:
        text = ctx.update.text
        if text == "/leave":
            await self.flow.abandon(ctx, "left")
            ctx.reply("You left the order.")
        elif text.startswith("/seed "):
            await self.flow.start(ctx, **json.loads(text[len("/seed ") :]))
        else:
            await self.flow.handle(ctx)


def in_days(days: int) -> datetime:
    return datetime.now(UTC) + timedelta(days=days)
