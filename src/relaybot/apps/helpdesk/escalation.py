"""A request that waits too long for a helper is escalated: every moderator is told, once.

A scheduler job (`helpdesk.escalate`, every minute). Each request is claimed by a conditional
UPDATE (`escalated_at IS NULL`), so two schedulers running at the same moment tell once.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from relaybot import JobContext, Settings

from . import tidings
from .chat.notify import Notifier
from .models import Demand
from .options import DeskOptions
from .outside import bots_of

CHECK_SECONDS = 60.0
BATCH = 100


def waiting_limit(settings: Settings) -> int:
    """Minutes: the shortest `escalate_after_minutes` of the help desk bots."""
    minutes = [
        DeskOptions.from_bot(bot.name, bot.options).escalate_after_minutes
        for bot in bots_of(settings).values()
        if bot.app == "helpdesk"
    ]
    return min(minutes, default=DeskOptions.escalate_after_minutes)


async def escalate(ctx: JobContext) -> None:
    minutes = waiting_limit(ctx.settings)
    waited_since = ctx.now - timedelta(minutes=minutes)
    overdue = list(
        await ctx.db.scalars(
            select(Demand)
            .where(
                Demand.status == "new",
                Demand.escalated_at.is_(None),
                Demand.created_at <= waited_since,
            )
            .order_by(Demand.id)
            .limit(BATCH)
        )
    )
    notifier = Notifier(
        ctx, ctx.db, ctx.bots, default_locale=ctx.settings.default_locale, now=ctx.now
    )
    for demand in overdue:
        claimed = await ctx.db.execute(
            update(Demand)
            .where(Demand.id == demand.id, Demand.escalated_at.is_(None), Demand.status == "new")
            .values(escalated_at=ctx.now)
            .execution_options(synchronize_session=False)
        )
        if getattr(claimed, "rowcount", 0) == 1:
            await tidings.escalated(notifier, ctx.db, demand, minutes)
