"""Putting an ad into its channel, and keeping the channel's posts in step with the ad."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from relaybot import (
    Address,
    BotConfig,
    OutgoingMessage,
    Settings,
    Translator,
    receipt_meta,
    translator,
)

from .matching import notify_subscribers, post_link
from .models import Ad, AdPost
from .render import photos_of, post_text

BOARD = "board"
"""The chat id of the posts of a bot with no channel: they are shown on its board page."""
RECEIPT_TAG = "classifieds-post:"
DEFAULT_REMIND_DAYS = 7


def channel_of(bot: BotConfig) -> str:
    """The chat the bot posts to (`options.channel`), or the board when it has none."""
    channel = bot.options.get("channel")
    return str(channel) if channel else BOARD


def channel_translator(bot: BotConfig, settings: Settings) -> Translator:
    """Posts speak the channel's language (`options.locale`), whoever wrote the ad."""
    return translator(str(bot.options.get("locale") or settings.default_locale))


def remind_after(bot: BotConfig) -> timedelta:
    days = bot.options.get("remind_after_days", DEFAULT_REMIND_DAYS)
    return timedelta(days=max(1, int(days)))


def contact_in_post(bot: BotConfig) -> bool:
    """Without a discussion group the contact goes into the post itself."""
    return not bot.options.get("discussion_group")


def render_post(ad: Ad, bot: BotConfig, settings: Settings) -> tuple[str, list[Any]]:
    t = channel_translator(bot, settings)
    return post_text(ad, t, with_contact=contact_in_post(bot)), photos_of(ad)


async def publish(
    db: AsyncSession,
    ad: Ad,
    *,
    bot: BotConfig,
    settings: Settings,
    now: datetime,
    out: list[tuple[Address, OutgoingMessage]],
) -> AdPost:
    """A new post of `ad` (a repost is one too): the row now, its message ids once the
    channel's delivery receipt comes back."""
    channel = channel_of(bot)
    text, media = render_post(ad, bot, settings)
    post = AdPost(
        ad_id=ad.id, chat_id=channel, message_ids=[], with_media=bool(media), posted_at=now
    )
    db.add(post)
    await db.flush()
    ad.status = "posted"
    if channel != BOARD:
        meta = receipt_meta(f"{RECEIPT_TAG}{post.id}")
        out.append(
            (Address(bot.name, channel), OutgoingMessage(text=text, media=tuple(media), meta=meta))
        )
    else:  # the board shows it at once: subscribers hear of it now, not at a receipt
        link = post_link(bot, channel, None, settings.public_url)
        await notify_subscribers(db, ad, now=now, link=link, rate=settings.broadcast_rate)
    ad.posted_at = now
    ad.updated_at = now
    ad.remind_at = now + remind_after(bot)
    return post


async def refresh_posts(
    db: AsyncSession,
    ad: Ad,
    *,
    bot: BotConfig,
    settings: Settings,
    out: list[tuple[Address, OutgoingMessage]],
) -> int:
    """Edit every channel post of `ad` to its current text (sold, new feedback); returns how
    many edits were queued (posts whose ids have not come back yet cannot be edited)."""
    text, media = render_post(ad, bot, settings)
    posts = await db.scalars(select(AdPost).where(AdPost.ad_id == ad.id).order_by(AdPost.id))
    queued = 0
    for post in posts:
        if post.chat_id == BOARD or post.message_id is None:
            continue
        message = OutgoingMessage(
            text=text, media=tuple(media) if post.with_media else (), meta={"edit": post.message_id}
        )
        out.append((Address(bot.name, post.chat_id), message))
        queued += 1
    return queued
