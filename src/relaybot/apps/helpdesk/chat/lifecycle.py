"""A request's life in the chat: created, taken, declined, closed or cancelled, and who is told."""

from __future__ import annotations

from typing import TYPE_CHECKING

from relaybot import N_

from .. import demands
from ..models import Demand, DemandMessage
from ..queue import former_providers, providers_for, take_next
from ..roles import Label
from . import conversation
from .render import preview, role_buttons, switch_button, take_button

if TYPE_CHECKING:
    from .desk import Desk


async def created(desk: Desk, demand: Demand, message: DemandMessage) -> None:
    """Tell the requester and every helper of the category about a new request."""
    helpers = await providers_for(desk.db, demand.scenario_id, exclude=frozenset({desk.user.id}))
    parts = [
        desk.t(
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
            desk.t(
                N_(
                    "No helper is linked to this category yet, so it may take longer; "
                    "moderators can see your request."
                )
            )
        )
    desk.ctx.reply("\n\n".join(parts), buttons=role_buttons(desk.t, demand, "requester"))
    for helper in helpers:
        desk.notifier.tell(
            helper,
            N_("New request #{number} in {category}: {preview}"),
            buttons=lambda t: [[take_button(t)]],
            number=demand.id,
            category=demand.scenario.title,
            preview=preview(message.text, 200),
        )


async def close(desk: Desk, number: int) -> None:
    before = await demands.members(desk.db, number)
    was_requester = any(m.user.id == desk.user.id and m.role == "requester" for m in before)
    was_helped = any(m.role == "provider" for m in before)
    demand = await demands.close(desk.db, desk.actor, number, now=desk.ctx.now)
    if was_requester:
        if was_helped:
            desk.menu(N_("Request #{number} is closed. We are glad you got help!"), number=number)
        else:
            desk.menu(N_("Request #{number} is closed."), number=number)
        who = Label(N_("the requester"))
    else:
        await desk.audit("close", f"demand:{number}")
        desk.menu(N_("You closed request #{number}."), number=number)
        who = Label(N_("a moderator"))
    for member in before:
        if member.user.id != desk.user.id:
            desk.notifier.tell(
                member.user,
                N_("Request #{number} ({category}) was closed by {who}."),
                number=number,
                category=demand.scenario.title,
                who=who,
            )


async def cancel(desk: Desk, number: int) -> None:
    before = await demands.members(desk.db, number)
    demand = await demands.cancel(desk.db, desk.actor, number, now=desk.ctx.now)
    desk.menu(N_("Request #{number} is cancelled."), number=number)
    for member in before:
        if member.user.id != desk.user.id:
            desk.notifier.tell(
                member.user,
                N_("Request #{number} ({category}) was cancelled by the requester."),
                number=number,
                category=demand.scenario.title,
            )


async def take_next_one(desk: Desk) -> None:
    demand = await take_next(
        desk.db, desk.actor, now=desk.ctx.now, max_active=desk.options.provider_max_active
    )
    if demand is None:
        desk.reply(
            N_(
                "No request is waiting in your categories right now. We will tell you "
                "when a new one arrives."
            ),
            buttons=desk.menu_buttons(),
        )
        return
    await conversation.enter(desk, demand, "provider", N_("You are now helping with this request."))
    for member in await demands.members(desk.db, demand.id):
        if member.user.id == desk.user.id:
            continue
        if member.role == "requester":
            switch = member.user.current_demand_id != demand.id
            desk.notifier.tell(
                member.user,
                N_(
                    "Good news: a helper has taken your request #{number}. Write here to "
                    "talk to them."
                ),
                buttons=(lambda t: [[switch_button(t, demand.id)]]) if switch else None,
                number=demand.id,
            )
        else:
            desk.notifier.tell(
                member.user, N_("A helper has taken request #{number}."), number=demand.id
            )


async def decline(desk: Desk, number: int) -> None:
    demand = await demands.decline(desk.db, desk.actor, number, now=desk.ctx.now)
    desk.menu(
        N_(
            "You declined request #{number}. It is back in the queue, first in line for "
            "the next helper."
        ),
        number=number,
    )
    members = await demands.members(desk.db, number)
    for member in members:
        if member.role == "requester":
            desk.notifier.tell(
                member.user,
                N_(
                    "The helper had to step back from your request #{number}. It is first "
                    "in line for the next helper; you can keep writing here."
                ),
                number=number,
            )
        else:
            desk.notifier.tell(
                member.user,
                N_("The helper declined request #{number}; it is back in the queue."),
                number=number,
            )
    exclude = await former_providers(desk.db, number) | {m.user.id for m in members}
    for helper in await providers_for(desk.db, demand.scenario_id, exclude=exclude):
        desk.notifier.tell(
            helper,
            N_("Request #{number} in {category} is waiting for a helper again."),
            buttons=lambda t: [[take_button(t)]],
            number=number,
            category=demand.scenario.title,
        )
