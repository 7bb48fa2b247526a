"""Which filters a new post matches, and the notices that tell their subscribers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import CompoundSelect, and_, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from relaybot import N_, Address, BotConfig, OutgoingMessage, broadcast, translator

from .models import ANY, Ad, AdFilter

BROADCAST_KEY = "classifieds-filter"


def _combinations(ad: Ad) -> list[tuple[str, str, str]]:
    """The (kind, category, region) keys a filter of this post may be stored under: each
    field exact or open."""
    kind = ad.kind
    category = str(ad.answers.get("category") or "")
    region = str(ad.answers.get("region") or "")
    return [
        (k, c, r)
        for k in dict.fromkeys((kind, ANY))
        for c in dict.fromkeys((category, ANY))
        for r in dict.fromkeys((region, ANY))
    ]


def _price(ad: Ad) -> tuple[float | None, str | None]:
    price = ad.answers.get("price")
    if not isinstance(price, dict) or price.get("negotiable") or "amount" not in price:
        return None, None
    try:
        return float(Decimal(str(price["amount"]))), str(price.get("currency") or "")
    except (KeyError, ArithmeticError, ValueError):
        return None, None


def _words(ad: Ad) -> str:
    a = ad.answers
    return " ".join(str(a.get(k) or "") for k in ("title", "description", "category")).lower()


@dataclass(frozen=True)
class Match:
    """A filter a post matched: who is told, in which language."""

    id: int
    bot: str
    channel: str
    chat_id: str
    language: str


def match_query(ad: Ad, *, now: datetime) -> CompoundSelect[Any]:
    """Live filters of `ad`'s bot whose kind, category and region are the post's or open,
    within their price bounds: one SELECT per combination, each an equality range of the
    match index (bot, kind, category, region, then expiry), joined by UNION ALL, so no
    database falls back to scanning every filter of the bot; only the columns a notice
    needs are read (hydrating thousands of whole rows costs more than the lookup)."""
    amount, currency = _price(ad)
    if amount is None:  # a negotiable price matches only filters without a price range
        priced = and_(AdFilter.price_min.is_(None), AdFilter.price_max.is_(None))
    else:
        priced = and_(
            or_(AdFilter.currency.is_(None), AdFilter.currency == currency),
            or_(AdFilter.price_min.is_(None), AdFilter.price_min <= amount),
            or_(AdFilter.price_max.is_(None), AdFilter.price_max >= amount),
        )
    parts = [
        select(
            AdFilter.id,
            AdFilter.bot,
            AdFilter.channel,
            AdFilter.chat_id,
            AdFilter.language,
            AdFilter.keywords,
        ).where(
            AdFilter.ads_bot == ad.bot,
            AdFilter.kind == kind,
            AdFilter.category == category,
            AdFilter.region == region,
            AdFilter.expires_at > now,
            priced,
        )
        for kind, category, region in _combinations(ad)
    ]
    return union_all(*parts)


async def matching_filters(session: AsyncSession, ad: Ad, *, now: datetime) -> list[Match]:
    """The live filters `ad` matches: one indexed query, then the keywords of those
    candidates only."""
    text = _words(ad)
    rows = await session.execute(match_query(ad, now=now))
    return [
        Match(id_, bot, channel, chat_id, language)
        for id_, bot, channel, chat_id, language, keywords in rows
        if not keywords or all(word in text for word in keywords.split(","))
    ]


def notice(ad: Ad, flt: Match, link: str | None) -> OutgoingMessage:
    t = translator(flt.language)
    lines = [
        t(N_("New ad for your filter #{id}:"), id=flt.id),
        str(ad.answers.get("title") or ad.kind_title),
    ]
    if link:
        lines.append(link)
    return OutgoingMessage(text="\n".join(lines))


async def notify_subscribers(
    session: AsyncSession, ad: Ad, *, now: datetime, link: str | None, rate: float
) -> int:
    """A paced broadcast to every subscriber whose filter `ad` matches, one notice each
    (the bot's own announcements are nobody's filter)."""
    if ad.kind == "announcement":
        return 0
    found = await matching_filters(session, ad, now=now)
    by_chat: dict[tuple[str, str], Match] = {}
    for flt in found:
        by_chat.setdefault((flt.bot, flt.chat_id), flt)  # two filters of one person: one notice
    if not by_chat:
        return 0
    bots = {
        flt.bot: BotConfig(name=flt.bot, app="classifieds-filter", channel=flt.channel)
        for flt in by_chat.values()
    }
    messages = [(Address(flt.bot, flt.chat_id), notice(ad, flt, link)) for flt in by_chat.values()]
    await broadcast(session, messages, bots=bots, rate=rate, now=now.timestamp(), key=BROADCAST_KEY)
    return len(messages)


def post_link(
    bot: BotConfig, chat_id: str, message_id: str | None, public_url: str | None
) -> str | None:
    """Where a subscriber opens the post: the Telegram channel's message, or the board."""
    username = bot.options.get("channel_username")
    if message_id is not None and username:
        return f"https://t.me/{str(username).lstrip('@')}/{message_id}"
    if message_id is not None and chat_id.startswith("-100"):
        return f"https://t.me/c/{chat_id[4:]}/{message_id}"
    if public_url:
        return f"{public_url.rstrip('/')}/board/{bot.name}"
    return None
