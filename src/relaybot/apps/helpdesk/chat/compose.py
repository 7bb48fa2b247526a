"""The new-request dialog: place -> kind of help -> description, with the catalogue's menus.

The description may come with photos or files, sent with the words or before them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import msgspec
from sqlalchemy import select

from relaybot import (
    N_,
    Answer,
    Choice,
    Context,
    Flow,
    FlowView,
    Invalid,
    Progress,
    Refused,
    Select,
    Step,
)

from .. import catalog, demands
from ..models import Place, Scenario
from . import lifecycle
from .desk import MAX_ATTACHMENTS, Desk, desk
from .render import HELP

DESCRIPTION_MIN = 3


async def _places(desk: Desk) -> list[Place]:
    """Places that have at least one active kind of help."""
    return list(
        await desk.db.scalars(
            select(Place)
            .where(Place.id.in_(select(Scenario.place_id).where(Scenario.active.is_(True))))
            .order_by(Place.name)
        )
    )


async def begin(desk: Desk) -> None:
    """Open the dialog, unless there is nothing to ask for or too much is open already."""
    if not await _places(desk):
        raise Refused(N_("No categories of help are set up yet. Please try again later."))
    count = await demands.open_count(desk.db, desk.actor.id)
    if count >= desk.options.requester_max_open:
        raise Refused(
            N_(
                "You already have {count} open requests. Please close one of them before "
                "asking for something new."
            ),
            count=count,
        )
    await REQUEST.start(desk.ctx)


def _id(view: FlowView, name: str) -> int:
    value = view.data.get(name)
    return int(value) if isinstance(value, str) and value.isdigit() else 0


async def place_choices(view: FlowView) -> list[Choice]:
    return [Choice(p.name, str(p.id)) for p in await _places(desk(view.ctx))]


async def scenario_choices(view: FlowView) -> list[Choice]:
    found = await catalog.list_scenarios(
        desk(view.ctx).db, active_only=True, place_id=_id(view, "place")
    )
    return [Choice(s.resource.name, str(s.id)) for s in found]


async def ask_scenario(view: FlowView) -> str:
    place = await desk(view.ctx).db.get(Place, _id(view, "place"))
    name = place.name if place is not None else ""
    return view.t(N_("What kind of help do you need in {place}?"), place=name)


async def ask_description(view: FlowView) -> str:
    t = view.t
    scenario = await desk(view.ctx).db.get(Scenario, _id(view, "scenario"))
    lines = []
    if scenario is not None:
        lines.append(t(N_("{category}."), category=scenario.title))
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
    return "\n\n".join(lines)


@dataclass(frozen=True, kw_only=True)
class Description(Step):
    """Words of at least `min_length` characters, with the attachments sent along or before
    (those wait in the draft): `{"text": ..., "attachments": [...]}`."""

    min_length: int = DESCRIPTION_MIN

    fits_form: ClassVar[bool] = False

    async def take(self, answer: Answer, view: FlowView, draft: Any) -> Any:
        stashed: list[Any] = list(draft or [])
        stashed += [msgspec.to_builtins(a) for a in answer.attachments]
        stashed = stashed[:MAX_ATTACHMENTS]
        if len(answer.text) >= self.min_length:
            return {"text": answer.text, "attachments": stashed}
        if answer.attachments:
            notice = N_("Got it. Now please describe in words what you need.")
            return Progress(draft=stashed, notice=notice, prompt=False)
        raise Invalid(N_("Please describe what you need in a few words."))


async def create(ctx: Context, data: dict[str, Any]) -> None:
    """Save the request and tell the requester and the category's helpers."""
    here = desk(ctx)
    described = data["text"]
    demand, message = await demands.create(
        here.db,
        here.actor,
        scenario_id=int(data["scenario"]),
        text=described["text"],
        attachments=described["attachments"],
        now=ctx.now,
        max_open=here.options.requester_max_open,
    )
    await lifecycle.created(here, demand, message)


REQUEST = Flow(
    "helpdesk.request",
    steps=[
        Select("place", N_("Where do you need help? Choose a place."), choices=place_choices),
        Select("scenario", ask_scenario, choices=scenario_choices),
        Description("text", ask_description),
    ],
    on_complete=create,
    confirm=False,
    help=HELP,
)
