"""Being in a request: writing into it, switching between requests, reading what was said.

A person is in one conversation at a time (`current_demand_id`); what they write goes there
and is relayed to the other active participants, each in their own language.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from relaybot import N_, Button

from .. import demands
from ..models import OPEN_STATUSES, Demand, DemandMessage, HelpdeskUser
from ..roles import Refused
from .commands import Command, payload
from .render import (
    demand_head,
    demand_line,
    history_lines,
    member_label,
    portable_media,
    role_buttons,
    switch_button,
)
from .texts import GREETING

if TYPE_CHECKING:
    from .desk import Turn


async def free_text(turn: Turn) -> None:
    demand_id = turn.user.current_demand_id
    if demand_id is None:
        turn.menu(GREETING if turn.first_contact else N_("You are not in a conversation now."))
        return
    demand = await demands.find(turn.db, demand_id)
    if demand is None or demand.status not in OPEN_STATUSES:
        turn.user.current_demand_id = None
        turn.menu(
            N_("Request #{number} is finished, so your message was not delivered."),
            number=demand_id,
        )
        return
    message, role = await demands.post(
        turn.db,
        turn.actor,
        demand_id,
        text=turn.ctx.update.text,
        attachments=turn.attachments(),
        now=turn.ctx.now,
    )
    delivered = await relay(turn, demand, message, role)
    if not delivered:
        turn.reply(
            N_("Saved with request #{number}. The helper will see it when they take the request."),
            number=demand_id,
        )


async def relay(turn: Turn, demand: Demand, message: DemandMessage, role: str) -> int:
    """Send a participant's message to the other active participants; how many got it."""
    count = 0
    for member in await demands.members(turn.db, demand.id):
        if member.user.id == turn.user.id or not turn.notifier.can_reach(member.user):
            continue
        t = turn.notifier.t_for(member.user)
        media, hidden = portable_media([(message, turn.user)], member.user)
        if message.text:
            body = t(
                N_("#{number} · {role}: {text}"),
                number=demand.id,
                role=member_label(t, role),
                text=message.text,
            )
        else:
            body = t(
                N_("#{number} · {role} sent an attachment."),
                number=demand.id,
                role=member_label(t, role),
            )
        if hidden:
            body += "\n" + t(
                N_("({count} attachment(s) cannot be shown on this channel.)"), count=hidden
            )
        buttons = None
        if member.user.current_demand_id != demand.id:
            buttons = [[switch_button(t, demand.id)]]
        turn.notifier.send_raw(member.user, body, buttons=buttons, media=media)
        count += 1
    return count


async def mine(turn: Turn, _command: Command) -> None:
    t = turn.t
    limit = turn.options.list_limit
    sections: list[str] = []
    switchable: list[int] = []
    own = await demands.mine(turn.db, turn.actor, limit=limit)
    if own:
        sections.append("\n".join([t(N_("Your requests:")), *(demand_line(t, d) for d in own)]))
        switchable += [d.id for d in own if d.status in OPEN_STATUSES]
    if turn.actor.is_provider:
        held = await demands.held(turn.db, turn.actor)
        lines = [demand_line(t, d) for d in held] or [t(N_("(none)"))]
        sections.append("\n".join([t(N_("Requests you are helping with:")), *lines]))
        switchable += [d.id for d in held]
    if turn.actor.can_moderate:
        followed = await demands.following(turn.db, turn.actor)
        if followed:
            sections.append(
                "\n".join([t(N_("Requests you follow:")), *(demand_line(t, d) for d in followed)])
            )
            switchable += [d.id for d in followed]
    if not sections:
        turn.reply(
            N_("You have no requests yet."),
            buttons=[[Button(t(N_("New request")), payload("new"))], *turn.menu_buttons()[1:]],
        )
        return
    current = turn.user.current_demand_id
    rows = [
        [switch_button(t, number)] for number in dict.fromkeys(switchable) if number != current
    ][:limit]
    rows.extend(turn.menu_buttons())
    turn.ctx.reply("\n\n".join(sections), buttons=rows)


async def open_(turn: Turn, command: Command) -> None:
    number = command.number()
    if number is None:
        raise Refused(N_("Which request? Give its number, for example /open 12."))
    demand, role = await demands.switch_to(turn.db, turn.actor, number)
    await enter(turn, demand, role, N_("You are back in this request."), limit=5)


async def exit_(turn: Turn, _command: Command) -> None:
    if turn.user.current_demand_id is None:
        turn.menu(N_("You are not in a conversation now."))
        return
    turn.user.current_demand_id = None
    turn.menu(
        N_(
            "You left the conversation. Messages of your requests still reach you here; "
            "press Switch under one to answer it."
        )
    )


async def history(turn: Turn, command: Command) -> None:
    number = turn.target_of(command)
    demand = await demands.readable(turn.db, turn.actor, number)
    lines = [
        demand_head(turn.t, demand),
        "",
        *await _history(turn, demand, turn.options.history_limit),
    ]
    media = await _history_media(turn, demand, turn.options.history_limit)
    turn.ctx.reply("\n".join(lines), media=media, buttons=turn.menu_buttons())


async def _history(turn: Turn, demand: Demand, limit: int) -> list[str]:
    messages = await demands.history(turn.db, demand.id, limit=limit)
    total = await demands.count_messages(turn.db, demand.id)
    return history_lines(turn.t, messages, total=total)


async def _history_media(turn: Turn, demand: Demand, limit: int) -> list[Any]:
    messages = await demands.history(turn.db, demand.id, limit=limit)
    if not any(m.attachments for m in messages):
        return []
    authors = {
        u.id: u
        for u in await turn.db.scalars(
            select(HelpdeskUser).where(HelpdeskUser.id.in_({m.author_id for m in messages}))
        )
    }
    media, _hidden = portable_media([(m, authors[m.author_id]) for m in messages], turn.user)
    return media


async def enter(
    turn: Turn, demand: Demand, role: str, intro: str, *, limit: int | None = None
) -> None:
    """Show the person the request they are now in: what it is and what was said."""
    limit = limit or turn.options.history_limit
    t = turn.t
    lines = [
        t(intro),
        demand_head(t, demand),
        "",
        t(N_("The conversation so far:")),
        *await _history(turn, demand, limit),
        "",
        t(N_("What you write now goes to this request.")),
    ]
    turn.ctx.reply(
        "\n".join(lines),
        buttons=role_buttons(t, demand, role),
        media=await _history_media(turn, demand, limit),
    )
