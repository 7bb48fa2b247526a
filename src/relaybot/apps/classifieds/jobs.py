"""The reminder: an ad not marked sold after N days asks its author what to do with it."""

from __future__ import annotations

from sqlalchemy import select

from relaybot import N_, Address, Job, JobContext, translator

from .models import Ad
from .payloads import AdAct

BATCH = 500


async def remind_authors(ctx: JobContext) -> None:
    """Each due ad once: its `remind_at` is cleared as the message is queued, in one commit."""
    due = await ctx.db.scalars(
        select(Ad)
        .where(Ad.status == "posted", Ad.remind_at.is_not(None), Ad.remind_at <= ctx.now)
        .order_by(Ad.remind_at)
        .limit(BATCH)
        .with_for_update(skip_locked=True)
    )
    for ad in due:
        ad.remind_at = None
        if ad.bot not in ctx.bots:
            continue
        t = translator(ad.language)
        title = ad.answers.get("title") or ad.kind_title
        ctx.send(
            Address(ad.bot, ad.author_chat),
            t(
                N_("Your ad #{id} “{title}” has been up a while. Is it still on offer?"),
                id=ad.id,
                title=title,
            ),
            buttons=[
                [
                    AdAct(ad=ad.id, act="repost").button(t(N_("Repost"))),
                    AdAct(ad=ad.id, act="sold").button(t(N_("Mark sold"))),
                ],
                [AdAct(ad=ad.id, act="leave").button(t(N_("Leave it")))],
            ],
        )


def reminders() -> Job:
    return Job("classifieds.reminders", remind_authors, every=600)
