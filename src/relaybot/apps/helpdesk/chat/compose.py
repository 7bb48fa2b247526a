"""The new-request dialog: place -> kind of help -> description. Menus come from the catalogue.

The dialog's state is kept in the core's dialog storage, so it survives a restart and expires
like any other dialog. Pressing a place again goes back to that step; any other command leaves
the dialog.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from relaybot import N_, Button, Context, DialogState

from .. import catalog, demands
from ..models import Place, Scenario
from ..roles import Refused
from . import lifecycle
from .commands import Command, payload

if TYPE_CHECKING:
    from .desk import Turn

FLOW = "helpdesk.request"
COMMANDS = frozenset({"place", "scenario", "stop"})
DESCRIPTION_MIN = 3


async def load(ctx: Context) -> DialogState | None:
    state = await ctx.storage.load(ctx.update.bot, ctx.update.chat_id)
    if state is None or state.flow != FLOW:
        return None
    if state.expires_at is not None and state.expires_at <= ctx.now:
        await clear(ctx)
        return None
    return state


async def clear(ctx: Context) -> None:
    await ctx.storage.clear(ctx.update.bot, ctx.update.chat_id)


async def _save(ctx: Context, state: DialogState) -> None:
    state.updated_at = ctx.now
    state.expires_at = ctx.now + timedelta(seconds=ctx.settings.dialog_ttl_seconds)
    await ctx.storage.save(ctx.update.bot, ctx.update.chat_id, state)


def _cancel(turn: Turn) -> Button:
    return Button(turn.t(N_("Cancel")), payload("stop"))


async def _places(turn: Turn) -> list[Place]:
    """Places that have at least one active kind of help."""
    return list(
        await turn.db.scalars(
            select(Place)
            .where(Place.id.in_(select(Scenario.place_id).where(Scenario.active.is_(True))))
            .order_by(Place.name)
        )
    )


async def start(turn: Turn) -> None:
    places = await _places(turn)
    if not places:
        raise Refused(N_("No categories of help are set up yet. Please try again later."))
    count = await demands.open_count(turn.db, turn.actor.id)
    if count >= turn.options.requester_max_open:
        raise Refused(
            N_(
                "You already have {count} open requests. Please close one of them before "
                "asking for something new."
            ),
            count=count,
        )
    state = DialogState(flow=FLOW, step="place", started_at=turn.ctx.now)
    await _ask_place(turn, state, places)


async def _ask_place(turn: Turn, state: DialogState, places: list[Place]) -> None:
    state.step = "place"
    state.data.pop("place_id", None)
    state.data.pop("scenario_id", None)
    await _save(turn.ctx, state)
    buttons = [[Button(p.name, payload("place", p.id))] for p in places]
    buttons.append([_cancel(turn)])
    turn.reply(N_("Where do you need help? Choose a place."), buttons=buttons)


async def _ask_scenario(turn: Turn, state: DialogState, place: Place) -> None:
    scenarios = await catalog.list_scenarios(turn.db, active_only=True, place_id=place.id)
    if not scenarios:
        await _ask_place(turn, state, await _places(turn))
        return
    state.step = "scenario"
    state.data["place_id"] = place.id
    state.data.pop("scenario_id", None)
    await _save(turn.ctx, state)
    buttons = [[Button(s.resource.name, payload("scenario", s.id))] for s in scenarios]
    buttons.append([Button(turn.t(N_("Back")), payload("new")), _cancel(turn)])
    turn.reply(N_("What kind of help do you need in {place}?"), buttons=buttons, place=place.name)


async def _ask_description(turn: Turn, state: DialogState, scenario: Scenario) -> None:
    state.step = "describe"
    state.data["place_id"] = scenario.place_id
    state.data["scenario_id"] = scenario.id
    await _save(turn.ctx, state)
    t = turn.t
    lines = [t(N_("{category}."), category=scenario.title)]
    if scenario.description:
        lines.append(scenario.description)
    lines.append(
        t(
            N_(
                "Please describe what you need: what happened, where exactly, and how to reach "
                "you if it matters. You can attach a photo."
            )
        )
    )
    back = Button(t(N_("Back")), payload("place", scenario.place_id))
    turn.ctx.reply("\n\n".join(lines), buttons=[[back, _cancel(turn)]])


async def step(turn: Turn, state: DialogState, command: Command | None) -> None:
    state.messages += 1
    if command is not None and command.name == "stop":
        await clear(turn.ctx)
        turn.menu(N_("All right, no request was made."))
        return
    if command is not None and command.name == "place":
        place = await _place_by_id(turn, command.number())
        if place is None:
            await _ask_place(turn, state, await _places(turn))
        else:
            await _ask_scenario(turn, state, place)
        return
    if command is not None and command.name == "scenario":
        scenario = await _scenario_by_id(turn, command.number())
        if scenario is None:
            turn.reply(N_("This category is no longer available. Please choose another one."))
            await _ask_place(turn, state, await _places(turn))
        else:
            await _ask_description(turn, state, scenario)
        return
    if state.step == "place":
        await _typed_place(turn, state)
    elif state.step == "scenario":
        await _typed_scenario(turn, state)
    else:
        await _describe(turn, state)


async def _place_by_id(turn: Turn, place_id: int | None) -> Place | None:
    if place_id is None:
        return None
    return next((p for p in await _places(turn) if p.id == place_id), None)


async def _scenario_by_id(turn: Turn, scenario_id: int | None) -> Scenario | None:
    if scenario_id is None:
        return None
    scenario = await turn.db.get(Scenario, scenario_id)
    return scenario if scenario is not None and scenario.active else None


async def _typed_place(turn: Turn, state: DialogState) -> None:
    typed = turn.ctx.update.text.strip().lower()
    places = await _places(turn)
    place = next((p for p in places if p.name.lower() == typed), None)
    if place is None:
        turn.reply(N_("Please choose a place with the buttons."))
        await _ask_place(turn, state, places)
        return
    await _ask_scenario(turn, state, place)


async def _typed_scenario(turn: Turn, state: DialogState) -> None:
    typed = turn.ctx.update.text.strip().lower()
    place_id = state.data.get("place_id")
    scenarios = await catalog.list_scenarios(
        turn.db, active_only=True, place_id=place_id if isinstance(place_id, int) else None
    )
    scenario = next((s for s in scenarios if s.resource.name.lower() == typed), None)
    if scenario is None:
        place = await _place_by_id(turn, place_id if isinstance(place_id, int) else None)
        turn.reply(N_("Please choose the kind of help with the buttons."))
        if place is None:
            await _ask_place(turn, state, await _places(turn))
        else:
            await _ask_scenario(turn, state, place)
        return
    await _ask_description(turn, state, scenario)


async def _describe(turn: Turn, state: DialogState) -> None:
    words = turn.ctx.update.text.strip()
    stashed: list[dict[str, Any]] = list(state.data.get("attachments") or [])
    stashed.extend(turn.attachments())
    stashed = stashed[:10]
    if len(words) < DESCRIPTION_MIN:
        state.data["attachments"] = stashed
        await _save(turn.ctx, state)
        if turn.ctx.update.attachments:
            turn.reply(N_("Got it. Now please describe in words what you need."))
        else:
            turn.reply(N_("Please describe what you need in a few words."))
        return
    scenario_id = state.data.get("scenario_id")
    if not isinstance(scenario_id, int):
        await _ask_place(turn, state, await _places(turn))
        return
    demand, message = await demands.create(
        turn.db,
        turn.actor,
        scenario_id=scenario_id,
        text=words,
        attachments=stashed,
        now=turn.ctx.now,
        max_open=turn.options.requester_max_open,
    )
    await clear(turn.ctx)
    await lifecycle.created(turn, demand, message)
