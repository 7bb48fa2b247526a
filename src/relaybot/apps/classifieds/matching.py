"""Which filters a new post matches, and the notices that tell their subscribers."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import and_, or_, select
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


async def matching_filters(session: AsyncSession, ad: Ad, *, now: datetime) -> list[AdFilter]:
    """The live filters `ad` matches: one indexed query over the eight key combinations
    (and the price bounds), then the keywords of those candidates only."""
    amount, currency = _price(ad)
    query = select(AdFilter).where(
        AdFilter.ads_bot == ad.bot,
        or_(
            *(
                and_(AdFilter.kind == k, AdFilter.category == c, AdFilter.region == r)
                for k, c, r in _combinations(ad)
            )
        ),
        AdFilter.expires_at > now,
    )
    if amount is None:  # a negotiable price matches only filters without a price range
        query = query.where(AdFilter.price_min.is_(None), AdFilter.price_max.is_(None))
    else:
        query = query.where(
            or_(AdFilter.currency.is_(None), AdFilter.currency == currency),
            or_(AdFilter.price_min.is_(None), AdFilter.price_min <= amount),
            or_(AdFilter.price_max.is_(None), AdFilter.price_max >= amount),
        )
    text = _words(ad)
    return [f for f in await session.scalars(query) if all(w in text for w in f.keywords)]


def notice(ad: Ad, flt: AdFilter, link: str | None) -> OutgoingMessage:
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
    """A paced broadcast to every subscriber whose filter `ad` matches, one notice each."""
    found = await matching_filters(session, ad, now=now)
    by_chat: dict[tuple[str, str], AdFilter] = {}
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
