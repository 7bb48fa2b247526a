"""What moderators do in the chat: see requests by status, join, follow and leave them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from relaybot import N_, Button

from .. import demands
from ..models import OPEN_STATUSES
from ..roles import Refused, require_moderator
from . import conversation
from .commands import Command, payload
from .render import demand_line

if TYPE_CHECKING:
    from .desk import Turn


async def queue(turn: Turn, command: Command) -> None:
    require_moderator(turn.actor)
    status = command.arg.strip().lower().replace("-", "_").replace(" ", "_")
    if status:
        await _status_list(turn, status)
    else:
        await _status_overview(turn)


async def _status_overview(turn: Turn) -> None:
    t = turn.t
    counts = await demands.status_counts(turn.db)
    rows = [
        [
            Button(
                t(N_("{status}: {count}"), status=t(demands.status_label(s)), count=n),
                payload("queue", s),
            )
        ]
        for s, n in counts.items()
    ]
    rows.append([Button(t(N_("Menu")), payload("menu"))])
    turn.reply(N_("Requests by status. Choose one to see them."), buttons=rows)


async def _status_list(turn: Turn, status: str) -> None:
    t = turn.t
    found, total = await demands.by_status(
        turn.db, turn.actor, status, limit=turn.options.list_limit
    )
    label = t(demands.status_label(status))
    if not found:
        turn.reply(N_("No requests are {status}."), buttons=turn.menu_buttons(), status=label)
        return
    lines = [t(N_("Requests {status}: {total}"), status=label, total=total)]
    lines += [demand_line(t, d) for d in found]
    rows: list[list[Button]] = []
    for demand in found:
        if demand.status in OPEN_STATUSES:
            label = t(N_("Join #{number}"), number=demand.id)
            rows.append([Button(label, payload("join", demand.id))])
        else:
            label = t(N_("History of #{number}"), number=demand.id)
            rows.append([Button(label, payload("history", demand.id))])
    rows.extend(turn.menu_buttons())
    turn.ctx.reply("\n".join(lines), buttons=rows)


async def join(turn: Turn, command: Command) -> None:
    number = command.number()
    if number is None:
        require_moderator(turn.actor)
        raise Refused(N_("Which request? Give its number, for example /join 12."))
    already = await demands.role_in(turn.db, number, turn.user.id)
    demand = await demands.join(turn.db, turn.actor, number, now=turn.ctx.now)
    role = already or "moderator"
    if already is None:
        await turn.audit("join", f"demand:{number}")
        for member in await demands.members(turn.db, number):
            if member.user.id != turn.user.id:
                turn.notifier.tell(
                    member.user, N_("A moderator has joined request #{number}."), number=number
                )
    await conversation.enter(turn, demand, role, N_("You are in this request as a moderator."))


async def leave(turn: Turn, command: Command) -> None:
    number = turn.target_of(command)
    await demands.leave(turn.db, turn.actor, number, now=turn.ctx.now)
    await turn.audit("leave", f"demand:{number}")
    turn.menu(N_("You no longer follow request #{number}."), number=number)
