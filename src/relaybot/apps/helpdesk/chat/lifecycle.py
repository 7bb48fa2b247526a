"""A request's life in the chat: created, taken, declined, closed or cancelled, and who is told."""

from __future__ import annotations

from typing import TYPE_CHECKING

from relaybot import N_

from .. import demands, tidings
from ..models import Demand, DemandMessage
from ..queue import take_next
from ..roles import Label
from . import conversation
from .render import role_buttons

if TYPE_CHECKING:
    from .desk import Desk


async def created(desk: Desk, demand: Demand, message: DemandMessage) -> None:
    """Tell the requester; every helper of the category (or the moderators) hears of it."""
    helped = await tidings.created(desk.notifier, desk.db, demand, message, desk.user)
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
    if not helped:
        parts.append(
            desk.t(
                N_(
                    "No helper is linked to this category yet, so it may take longer; "
                    "moderators can see your request."
                )
            )
        )
    desk.ctx.reply("\n\n".join(parts), buttons=role_buttons(desk.t, demand, "requester"))


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
    tidings.closed(desk.notifier, before, demand, desk.user, who)


async def cancel(desk: Desk, number: int) -> None:
    before = await demands.members(desk.db, number)
    demand = await demands.cancel(desk.db, desk.actor, number, now=desk.ctx.now)
    desk.menu(N_("Request #{number} is cancelled."), number=number)
    tidings.cancelled(desk.notifier, before, demand, desk.user)


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
    await tidings.taken(desk.notifier, desk.db, demand, desk.user)


async def decline(desk: Desk, number: int) -> None:
    demand = await demands.decline(desk.db, desk.actor, number, now=desk.ctx.now)
    desk.menu(
        N_(
            "You declined request #{number}. It is back in the queue, first in line for "
            "the next helper."
        ),
        number=number,
    )
    await tidings.declined(desk.notifier, desk.db, demand)
