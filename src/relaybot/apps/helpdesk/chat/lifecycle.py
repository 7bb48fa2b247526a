"""A request's life in the chat: created, taken, declined, closed or cancelled, and who is told."""

from __future__ import annotations

from typing import TYPE_CHECKING

from relaybot import N_

from .. import demands
from ..models import Demand, DemandMessage
from ..queue import former_providers, providers_for, take_next
from ..roles import Label
from . import conversation
from .commands import Command
from .render import (
    preview,
    role_buttons,
    switch_button,
    take_button,
)

if TYPE_CHECKING:
    from .desk import Turn


async def created(turn: Turn, demand: Demand, message: DemandMessage) -> None:
    """Tell the requester and every helper of the category about a new request."""
    helpers = await providers_for(turn.db, demand.scenario_id, exclude=frozenset({turn.user.id}))
    parts = [
        turn.t(
            N_(
                "Your request #{number} is created ({category}). We will tell you here "
                "when a helper takes it. Anything you write now is added to the request."
            ),
            number=demand.id,
            category=demand.scenario.title,
        )
    ]
    if not helpers:
        parts.append(
            turn.t(
                N_(
                    "No helper is linked to this category yet, so it may take longer; "
                    "moderators can see your request."
                )
            )
        )
    turn.ctx.reply("\n\n".join(parts), buttons=role_buttons(turn.t, demand, "requester"))
    for helper in helpers:
        turn.notifier.tell(
            helper,
            N_("New request #{number} in {category}: {preview}"),
            buttons=lambda t: [[take_button(t)]],
            number=demand.id,
            category=demand.scenario.title,
            preview=preview(message.text, 200),
        )


async def close(turn: Turn, command: Command) -> None:
    number = turn.target_of(command)
    before = await demands.members(turn.db, number)
    was_requester = any(m.user.id == turn.user.id and m.role == "requester" for m in before)
    was_helped = any(m.role == "provider" for m in before)
    demand = await demands.close(turn.db, turn.actor, number, now=turn.ctx.now)
    if was_requester:
        if was_helped:
            turn.menu(N_("Request #{number} is closed. We are glad you got help!"), number=number)
        else:
            turn.menu(N_("Request #{number} is closed."), number=number)
        who = Label(N_("the requester"))
    else:
        await turn.audit("close", f"demand:{number}")
        turn.menu(N_("You closed request #{number}."), number=number)
        who = Label(N_("a moderator"))
    for member in before:
        if member.user.id != turn.user.id:
            turn.notifier.tell(
                member.user,
                N_("Request #{number} ({category}) was closed by {who}."),
                number=number,
                category=demand.scenario.title,
                who=who,
            )


async def cancel(turn: Turn, command: Command) -> None:
    number = turn.target_of(command)
    before = await demands.members(turn.db, number)
    demand = await demands.cancel(turn.db, turn.actor, number, now=turn.ctx.now)
    turn.menu(N_("Request #{number} is cancelled."), number=number)
    for member in before:
        if member.user.id != turn.user.id:
            turn.notifier.tell(
                member.user,
                N_("Request #{number} ({category}) was cancelled by the requester."),
                number=number,
                category=demand.scenario.title,
            )


async def next_(turn: Turn, _command: Command) -> None:
    demand = await take_next(
        turn.db, turn.actor, now=turn.ctx.now, max_active=turn.options.provider_max_active
    )
    if demand is None:
        turn.reply(
            N_(
                "No request is waiting in your categories right now. We will tell you "
                "when a new one arrives."
            ),
            buttons=turn.menu_buttons(),
        )
        return
    await conversation.enter(turn, demand, "provider", N_("You are now helping with this request."))
    for member in await demands.members(turn.db, demand.id):
        if member.user.id == turn.user.id:
            continue
        if member.role == "requester":
            switch = member.user.current_demand_id != demand.id
            turn.notifier.tell(
                member.user,
                N_(
                    "Good news: a helper has taken your request #{number}. Write here to "
                    "talk to them."
                ),
                buttons=(lambda t: [[switch_button(t, demand.id)]]) if switch else None,
                number=demand.id,
            )
        else:
            turn.notifier.tell(
                member.user, N_("A helper has taken request #{number}."), number=demand.id
            )


async def decline(turn: Turn, command: Command) -> None:
    number = turn.target_of(command)
    demand = await demands.decline(turn.db, turn.actor, number, now=turn.ctx.now)
    turn.menu(
        N_(
            "You declined request #{number}. It is back in the queue, first in line for "
            "the next helper."
        ),
        number=number,
    )
    members = await demands.members(turn.db, number)
    for member in members:
        if member.role == "requester":
            turn.notifier.tell(
                member.user,
                N_(
                    "The helper had to step back from your request #{number}. It is first "
                    "in line for the next helper; you can keep writing here."
                ),
                number=number,
            )
        else:
            turn.notifier.tell(
                member.user,
                N_("The helper declined request #{number}; it is back in the queue."),
                number=number,
            )
    exclude = await former_providers(turn.db, number) | {m.user.id for m in members}
    for helper in await providers_for(turn.db, demand.scenario_id, exclude=exclude):
        turn.notifier.tell(
            helper,
            N_("Request #{number} in {category} is waiting for a helper again."),
            buttons=lambda t: [[take_button(t)]],
            number=number,
            category=demand.scenario.title,
        )
