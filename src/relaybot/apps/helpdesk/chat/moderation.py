"""What moderators do in the chat: see requests by status, join, follow and leave them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from relaybot import N_, Button

from .. import demands, tidings
from ..models import OPEN_STATUSES
from . import conversation
from .actions import ByStatus, History, Join, Menu
from .render import demand_line

if TYPE_CHECKING:
    from .desk import Desk


async def queue(desk: Desk, typed: str) -> None:
    """`/queue` shows the overview; `/queue in progress` the requests of that status."""
    status = typed.strip().lower().replace("-", "_").replace(" ", "_")
    if status:
        await by_status(desk, status)
    else:
        await overview(desk)


async def overview(desk: Desk) -> None:
    t = desk.t
    counts = await demands.status_counts(desk.db)
    rows = [
        [
            ByStatus(status=s).button(
                t(N_("{status}: {count}"), status=t(demands.status_label(s)), count=n)
            )
        ]
        for s, n in counts.items()
    ]
    rows.append([Menu().button(t(N_("Menu")))])
    desk.reply(N_("Requests by status. Choose one to see them."), buttons=rows)


async def by_status(desk: Desk, status: str) -> None:
    t = desk.t
    found, total = await demands.by_status(
        desk.db, desk.actor, status, limit=desk.options.list_limit
    )
    label = t(demands.status_label(status))
    if not found:
        desk.reply(N_("No requests are {status}."), buttons=desk.menu_buttons(), status=label)
        return
    lines = [t(N_("Requests {status}: {total}"), status=label, total=total)]
    lines += [demand_line(t, d) for d in found]
    rows: list[list[Button]] = []
    for demand in found:
        if demand.status in OPEN_STATUSES:
            label = t(N_("Join #{number}"), number=demand.id)
            rows.append([Join(number=demand.id).button(label)])
        else:
            label = t(N_("History of #{number}"), number=demand.id)
            rows.append([History(number=demand.id).button(label)])
    rows.extend(desk.menu_buttons())
    desk.ctx.reply("\n".join(lines), buttons=rows)


async def join(desk: Desk, number: int) -> None:
    already = await demands.role_in(desk.db, number, desk.user.id)
    demand = await demands.join(desk.db, desk.actor, number, now=desk.ctx.now)
    role = already or "moderator"
    if already is None:
        await desk.audit("join", f"demand:{number}")
        await tidings.joined(desk.notifier, desk.db, demand, desk.user)
    await conversation.enter(desk, demand, role, N_("You are in this request as a moderator."))


async def leave(desk: Desk, number: int) -> None:
    await demands.leave(desk.db, desk.actor, number, now=desk.ctx.now)
    await desk.audit("leave", f"demand:{number}")
    desk.menu(N_("You no longer follow request #{number}."), number=number)
