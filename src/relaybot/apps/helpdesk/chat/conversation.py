"""Being in a request: writing into it, switching between requests, reading what was said.

A person is in one conversation at a time (`current_demand_id`); what they write goes there
and is relayed to the other active participants, each in their own language.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from relaybot import N_, Attachment

from .. import demands, tidings
from ..models import OPEN_STATUSES, Demand, DemandMessage, HelpdeskUser
from .actions import NewRequest
from .render import (
    GREETING,
    demand_head,
    demand_line,
    history_lines,
    portable_media,
    role_buttons,
    switch_button,
)

if TYPE_CHECKING:
    from .desk import Desk


async def free_text(desk: Desk) -> None:
    demand_id = desk.user.current_demand_id
    if demand_id is None:
        desk.menu(GREETING if desk.first_contact else N_("You are not in a conversation now."))
        return
    demand = await demands.find(desk.db, demand_id)
    if demand is None or demand.status not in OPEN_STATUSES:
        desk.user.current_demand_id = None
        desk.menu(
            N_("Request #{number} is finished, so your message was not delivered."),
            number=demand_id,
        )
        return
    text, attachments = desk.ctx.update.text, desk.attachments()
    message, role = await demands.post(
        desk.db, desk.actor, demand_id, text=text, attachments=attachments, now=desk.ctx.now
    )
    if not await relay(desk, demand, message, role):
        desk.reply(
            N_("Saved with request #{number}. The helper will see it when they take the request."),
            number=demand_id,
        )


async def relay(desk: Desk, demand: Demand, message: DemandMessage, role: str) -> int:
    """Send a participant's message to the other active participants; how many got it."""
    return await tidings.relay(desk.notifier, desk.db, demand, message, role, desk.user)


async def mine(desk: Desk) -> None:
    t = desk.t
    limit = desk.options.list_limit
    sections: list[str] = []
    switchable: list[int] = []
    own = await demands.mine(desk.db, desk.actor, limit=limit)
    if own:
        sections.append("\n".join([t(N_("Your requests:")), *(demand_line(t, d) for d in own)]))
        switchable += [d.id for d in own if d.status in OPEN_STATUSES]
    if desk.actor.is_provider:
        held = await demands.held(desk.db, desk.actor)
        lines = [demand_line(t, d) for d in held] or [t(N_("(none)"))]
        sections.append("\n".join([t(N_("Requests you are helping with:")), *lines]))
        switchable += [d.id for d in held]
    if desk.actor.can_moderate:
        followed = await demands.following(desk.db, desk.actor)
        if followed:
            sections.append(
                "\n".join([t(N_("Requests you follow:")), *(demand_line(t, d) for d in followed)])
            )
            switchable += [d.id for d in followed]
    if not sections:
        desk.reply(
            N_("You have no requests yet."),
            buttons=[[NewRequest().button(t(N_("New request")))], *desk.menu_buttons()[1:]],
        )
        return
    current = desk.user.current_demand_id
    rows = [
        [switch_button(t, number)] for number in dict.fromkeys(switchable) if number != current
    ][:limit]
    rows.extend(desk.menu_buttons())
    desk.ctx.reply("\n\n".join(sections), buttons=rows)


async def switch_to(desk: Desk, number: int) -> None:
    demand, role = await demands.switch_to(desk.db, desk.actor, number)
    await enter(desk, demand, role, N_("You are back in this request."), limit=5)


async def leave_conversation(desk: Desk) -> None:
    if desk.user.current_demand_id is None:
        desk.menu(N_("You are not in a conversation now."))
        return
    desk.user.current_demand_id = None
    desk.menu(
        N_(
            "You left the conversation. Messages of your requests still reach you here; "
            "press Switch under one to answer it."
        )
    )


async def history(desk: Desk, number: int) -> None:
    demand = await demands.readable(desk.db, desk.actor, number)
    lines, media = await _history(desk, demand, desk.options.history_limit)
    desk.ctx.reply(
        "\n".join([demand_head(desk.t, demand), "", *lines]),
        media=media,
        buttons=desk.menu_buttons(),
    )


async def _history(desk: Desk, demand: Demand, limit: int) -> tuple[list[str], list[Attachment]]:
    """The latest messages as lines, and the attachments among them this reader can see."""
    messages = await demands.history(desk.db, demand.id, limit=limit)
    total = await demands.count_messages(desk.db, demand.id)
    lines = history_lines(desk.t, messages, total=total)
    if not any(m.attachments for m in messages):
        return lines, []
    authors = {
        u.id: u
        for u in await desk.db.scalars(
            select(HelpdeskUser).where(HelpdeskUser.id.in_({m.author_id for m in messages}))
        )
    }
    media, _hidden = portable_media([(m, authors[m.author_id]) for m in messages], desk.user)
    return lines, media


async def enter(
    desk: Desk, demand: Demand, role: str, intro: str, *, limit: int | None = None
) -> None:
    """Show the person the request they are now in: what it is and what was said."""
    t = desk.t
    lines, media = await _history(desk, demand, limit or desk.options.history_limit)
    text = [
        t(intro),
        demand_head(t, demand),
        "",
        t(N_("The conversation so far:")),
        *lines,
        "",
        t(N_("What you write now goes to this request.")),
    ]
    desk.ctx.reply("\n".join(text), buttons=role_buttons(t, demand, role), media=media)
