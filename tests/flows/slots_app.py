"""A small appointment bot written only with `from relaybot import ...`, for the stories of what
an app adds to a flow: a long list in pages, its own summary and cancel, an async prompt, a
completion that sends the person back to a step, and a handler that finds a payload stale."""

from __future__ import annotations

from typing import Any

from sqlalchemy import literal, select

from relaybot import (
    N_,
    App,
    Choice,
    Context,
    Flow,
    FlowView,
    Payload,
    Reopen,
    Router,
    Select,
    StalePayload,
)
from relaybot.config import BotConfig, Settings

TAKEN = {"10:00"}  # times someone else books while the person reads the summary


class Room(Payload, prefix="slots.room"):
    number: int


async def _ask_time(view: FlowView) -> str:
    assert view.ctx is not None
    place = await view.ctx.db.scalar(select(literal("Room 1")))
    return f"Which time in {place}?"


async def _summary(view: FlowView) -> str:
    return f"{view.data['topic']} at {view.data['time']}, all right?"


async def _book(ctx: Context, data: dict[str, Any]) -> None:
    if data["time"] in TAKEN:
        raise Reopen("time", N_("Sorry, {time} was just taken."), time=data["time"])
    ctx.reply(f"Booked: {data['topic']} at {data['time']}.")


async def _cancelled(ctx: Context, data: dict[str, Any]) -> None:
    ctx.reply(f"Nothing was booked for {data['topic']}.")


VISIT = Flow(
    "visit",
    steps=[
        Select(
            "topic",
            "What about?",
            choices=[Choice(f"Topic {n}", f"t{n}") for n in range(1, 13)],
            page_size=5,
            more_label="Later topics",
            unknown="Please press one of the topics.",
        ),
        Select("time", _ask_time, choices=[Choice(t, t) for t in ("09:00", "10:00", "11:00")]),
    ],
    on_complete=_book,
    summary=_summary,
    confirm_label="Book it",
    on_cancel=_cancelled,
)

router = Router()


@router.command("start")
async def start(ctx: Context) -> None:
    await VISIT.start(ctx)


@router.button(Room)
async def room(ctx: Context, shown: Room) -> None:
    if shown.number > 3:
        raise StalePayload(f"there is no room {shown.number}")
    ctx.reply(f"Room {shown.number} is free.")


router.flow(VISIT)


class SlotsApp(App):
    name = "slots"
    title = "Slots"

    def __init__(self, bot: BotConfig, settings: Settings) -> None:
        super().__init__(bot, settings)
        self.router = router
