"""Who hears what when a request changes: one place for the chat and the REST API.

Each function tells the other participants (never the person who acted) through a
`Notifier`, in their own language, and keeps each notice as an event of their live stream.
"""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from relaybot import N_

from . import demands
from .chat.notify import Notifier
from .chat.render import member_label, portable_media, preview, switch_button, take_button
from .models import Demand, DemandMessage, HelpdeskUser
from .queue import former_providers, providers_for
from .roles import Label


async def moderators(
    db: AsyncSession, *, exclude: frozenset[int] = frozenset()
) -> list[HelpdeskUser]:
    """Everyone who may moderate (moderators and admins)."""
    query = (
        select(HelpdeskUser)
        .where(or_(HelpdeskUser.is_moderator.is_(True), HelpdeskUser.is_admin.is_(True)))
        .order_by(HelpdeskUser.id)
    )
    if exclude:
        query = query.where(HelpdeskUser.id.not_in(sorted(exclude)))
    return list(await db.scalars(query))


async def created(
    n: Notifier, db: AsyncSession, demand: Demand, message: DemandMessage, author: HelpdeskUser
) -> bool:
    """Every helper of the category hears of a new request (moderators linked to it are
    helpers too); when nobody is linked, every moderator hears of it at once. True when a
    helper was told."""
    helpers = await providers_for(db, demand.scenario_id, exclude=frozenset({author.id}))
    for helper in helpers:
        n.tell(
            helper,
            N_("New request #{number} in {category}: {preview}"),
            buttons=lambda t: [[take_button(t)]],
            event=("created", demand.id),
            number=demand.id,
            category=demand.scenario.title,
            preview=preview(message.text, 200),
        )
    if not helpers:
        for moderator in await moderators(db, exclude=frozenset({author.id})):
            n.tell(
                moderator,
                N_(
                    "New request #{number} in {category} has no helper linked to its "
                    "category: {preview}"
                ),
                event=("created", demand.id),
                number=demand.id,
                category=demand.scenario.title,
                preview=preview(message.text, 200),
            )
    return bool(helpers)


async def taken(n: Notifier, db: AsyncSession, demand: Demand, taker: HelpdeskUser) -> None:
    for member in await demands.members(db, demand.id):
        if member.user.id == taker.id:
            continue
        if member.role == "requester":
            switch = member.user.current_demand_id != demand.id
            n.tell(
                member.user,
                N_(
                    "Good news: a helper has taken your request #{number}. Write here to "
                    "talk to them."
                ),
                buttons=(lambda t: [[switch_button(t, demand.id)]]) if switch else None,
                event=("taken", demand.id),
                number=demand.id,
            )
        else:
            n.tell(
                member.user,
                N_("A helper has taken request #{number}."),
                event=("taken", demand.id),
                number=demand.id,
            )


async def declined(n: Notifier, db: AsyncSession, demand: Demand) -> None:
    """The participants left, and the other helpers of the category, hear it is back."""
    number = demand.id
    members = await demands.members(db, number)
    for member in members:
        if member.role == "requester":
            n.tell(
                member.user,
                N_(
                    "The helper had to step back from your request #{number}. It is first "
                    "in line for the next helper; you can keep writing here."
                ),
                event=("declined", number),
                number=number,
            )
        else:
            n.tell(
                member.user,
                N_("The helper declined request #{number}; it is back in the queue."),
                event=("declined", number),
                number=number,
            )
    exclude = await former_providers(db, number) | {m.user.id for m in members}
    for helper in await providers_for(db, demand.scenario_id, exclude=exclude):
        n.tell(
            helper,
            N_("Request #{number} in {category} is waiting for a helper again."),
            buttons=lambda t: [[take_button(t)]],
            event=("declined", number),
            number=number,
            category=demand.scenario.title,
        )


def closed(
    n: Notifier, before: list[demands.Member], demand: Demand, actor: HelpdeskUser, who: Label
) -> None:
    """`before`: the participants as they were before the request was closed."""
    for member in before:
        if member.user.id != actor.id:
            n.tell(
                member.user,
                N_("Request #{number} ({category}) was closed by {who}."),
                event=("closed", demand.id),
                number=demand.id,
                category=demand.scenario.title,
                who=who,
            )


def cancelled(
    n: Notifier, before: list[demands.Member], demand: Demand, actor: HelpdeskUser
) -> None:
    for member in before:
        if member.user.id != actor.id:
            n.tell(
                member.user,
                N_("Request #{number} ({category}) was cancelled by the requester."),
                event=("closed", demand.id),
                number=demand.id,
                category=demand.scenario.title,
            )


async def joined(n: Notifier, db: AsyncSession, demand: Demand, moderator: HelpdeskUser) -> None:
    for member in await demands.members(db, demand.id):
        if member.user.id != moderator.id:
            n.tell(
                member.user,
                N_("A moderator has joined request #{number}."),
                event=("joined", demand.id),
                number=demand.id,
            )


async def relay(
    n: Notifier,
    db: AsyncSession,
    demand: Demand,
    message: DemandMessage,
    role: str,
    author: HelpdeskUser,
) -> int:
    """Send a participant's message to the other active participants; how many got it."""
    count = 0
    for member in await demands.members(db, demand.id):
        if member.user.id == author.id:
            continue
        t = n.t_for(member.user)
        media, hidden = portable_media([(message, author)], member.user)
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
        n.event(member.user, "message", demand.id, body, message_id=message.id)
        if not n.can_reach(member.user):
            continue
        buttons = None
        if member.user.current_demand_id != demand.id:
            buttons = [[switch_button(t, demand.id)]]
        n.send(member.user, body, buttons=buttons, media=media)
        count += 1
    return count


async def escalated(n: Notifier, db: AsyncSession, demand: Demand, minutes: int) -> int:
    """Every moderator hears that a request has waited longer than `minutes`."""
    told = 0
    for moderator in await moderators(db, exclude=frozenset({demand.requester_id})):
        n.tell(
            moderator,
            N_(
                "Request #{number} in {category} has waited for a helper for more than "
                "{minutes} minutes."
            ),
            event=("escalated", demand.id),
            number=demand.id,
            category=demand.scenario.title,
            minutes=minutes,
        )
        told += 1
    return told
