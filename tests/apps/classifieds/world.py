"""A classifieds bot on the web chat whose channel is "-100777", with the two sample kinds."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import select

from relaybot import Address, Attachment, receipt_of
from relaybot.apps.classifieds.demo import seed_kinds
from relaybot.apps.classifieds.models import Ad, AdPost
from relaybot.config import Settings
from relaybot.core.receipts import Receipt, receipt_update
from relaybot.testing.driver import ChatDriver, Delivered, DrivenChat

BOT = "ads"
CHANNEL = "-100777"


def ads_bot(**options: Any) -> dict[str, Any]:
    return {
        "name": BOT,
        "app": "classifieds",
        "channel": "webchat",
        "options": {"channel": CHANNEL, "locale": "en", "admins": ["admin"], **options},
    }


@asynccontextmanager
async def ads_world(settings: Settings) -> AsyncIterator[ChatDriver]:
    async with ChatDriver.running(settings) as driver:
        async with driver.sessions() as session, session.begin():
            await seed_kinds(session, bot=BOT, locale="en")
        yield driver


def photos(*names: str) -> list[Attachment]:
    return [Attachment("photo", name) for name in names]


def channel_posts(driver: ChatDriver) -> list[Delivered]:
    return driver.inbox(Address(BOT, CHANNEL))


async def confirm_delivery(driver: ChatDriver, post: Delivered, first_id: int) -> list[str]:
    """What the sender does after the channel took a post: hand its ids back as a receipt."""
    tag = post.message.meta["receipt"]
    count = max(1, len(post.message.media))
    ids = tuple(str(first_id + n) for n in range(count))
    update = receipt_update(
        channel="webchat",
        bot=BOT,
        chat_id=CHANNEL,
        delivery=f"outbox:{tag}",
        receipt=Receipt(tag=tag, chat_id=CHANNEL, message_ids=ids),
    )
    assert receipt_of(update) is not None
    await driver.deliver([update])
    return list(ids)


async def write_parts_ad(
    chat: DrivenChat, *, photo_names: tuple[str, ...] = ("p1", "p2", "p3")
) -> None:
    """A car part for sale, every stage answered right the first time."""
    await chat.say("/start")
    await chat.press("Car parts for sale")
    await chat.press("Body")
    await chat.say("Front bumper, Toyota Camry 40")
    await chat.say("Original bumper, a small scratch on the left side, fits 2006-2011.")
    await chat.say("15 000 KGS")
    await chat.press("Bishkek")
    await chat.press("Used")
    await chat.say(attachments=photos(*photo_names))
    await chat.press("Done")
    await chat.say("+996555123456")


async def ads_of(driver: ChatDriver) -> list[Ad]:
    async with driver.sessions() as session:
        return list(await session.scalars(select(Ad).order_by(Ad.id)))


async def posts_of(driver: ChatDriver, ad_id: int) -> list[AdPost]:
    async with driver.sessions() as session:
        return list(
            await session.scalars(select(AdPost).where(AdPost.ad_id == ad_id).order_by(AdPost.id))
        )
