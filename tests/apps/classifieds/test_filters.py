"""The filter bot: staged filters, one notice per matching post, expiry warning and extension."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from relaybot.apps.classifieds.models import AdFilter
from relaybot.core.clock import ManualClock
from relaybot.runtime.scheduler import Scheduler
from tests.apps.classifieds.world import (
    BOT,
    ads_bot,
    ads_world,
    channel_posts,
    confirm_delivery,
    write_parts_ad,
)

ALERTS = "alerts"
DAY = 24 * 3600


@pytest.fixture
def settings(make_settings, database_url):
    alerts = {"name": ALERTS, "app": "classifieds-filter", "options": {"ads_bot": BOT}}
    return make_settings(database_url, bots=[ads_bot(), alerts], webchat_for_bundled_apps=False)


async def build_filter(chat, *, category: str, price: str, words: str | None, days: str) -> str:
    await chat.say("/start")
    await chat.press("New filter")
    await chat.press("Car parts for sale")
    await chat.press(category)
    await chat.say(price)
    await chat.press("Bishkek")
    if words is None:
        await chat.press("Skip")
    else:
        await chat.say(words)
    await chat.press(days)
    await chat.press("Yes")
    return chat.last()


async def post_ad(driver, seller, *, price: str, first_id: int) -> None:
    await write_parts_ad(seller)
    if price != "15 000 KGS":
        await seller.press("Edit a field")
        await seller.press("Price")
        await seller.say(price)
    await seller.press("Post")
    await confirm_delivery(driver, channel_posts(driver)[-1], first_id=first_id)


def notices(chat) -> list[str]:
    return [m.text for m in chat.received if m.text.startswith("New ad for your filter")]


async def test_each_matching_post_is_told_once_and_others_not_at_all(settings):
    async with ads_world(settings) as driver:
        buyer = driver.chat(ALERTS, "buyer", name="Nurlan")
        other = driver.chat(ALERTS, "other", name="Elena")
        done = await build_filter(
            buyer, category="Body", price="up to 20000", words="bumper", days="7 days"
        )
        assert "Filter #1 is on until" in done
        await build_filter(other, category="Engine", price="Any price", words=None, days="30 days")

        seller = driver.chat(BOT, "seller", name="Timur")
        await post_ad(driver, seller, price="15 000 KGS", first_id=501)
        [told] = notices(buyer)
        assert "Front bumper, Toyota Camry 40" in told and "https://t.me/c/777/501" in told
        assert notices(other) == []

        await post_ad(driver, seller, price="50 000 KGS", first_id=601)
        assert len(notices(buyer)) == 1, "above the buyer's range"
        await post_ad(driver, seller, price="$100", first_id=701)
        assert len(notices(buyer)) == 1, "another currency than the filter's"

        await buyer.say("/filters")
        assert "#1: parts, Body, Bishkek, bumper" in buyer.last()


async def test_told_two_days_before_the_end_extended_and_an_ended_one_stops_matching(settings):
    async with ads_world(settings) as driver:
        buyer = driver.chat(ALERTS, "buyer", name="Nurlan")
        late = driver.chat(ALERTS, "late", name="Aida")
        await build_filter(buyer, category="Body", price="Any price", words=None, days="7 days")
        await build_filter(late, category="Body", price="Any price", words=None, days="7 days")
        system = driver.system
        jobs = [j for j in system.scheduler().jobs if j.name == "classifieds-filter.expiry"]
        clock = ManualClock(start=time.time())
        scheduler = Scheduler(
            settings=system.settings,
            sessions=system.sessions,
            jobs=jobs,
            bots=system.bots,
            clock=clock,
            holder="test",
        )
        clock.advance(4 * DAY)
        await scheduler.tick()
        await driver.collect()
        assert "ends on" not in buyer.last(), "not yet: more than two days are left"
        clock.advance(1 * DAY + 3600)
        await scheduler.tick()
        await driver.collect()
        assert "Your filter #1 ends on" in buyer.last()
        assert buyer.buttons() == ["Extend by 7 days", "Extend by 30 days"]
        await scheduler.tick()
        await driver.collect()
        assert sum("ends on" in m.text for m in buyer.received) == 1, "told once"

        stranger_payload = buyer.find("Extend by 30 days")
        await late.say("Extend", payload=stranger_payload)
        assert "not yours" in late.last()
        await buyer.press("Extend by 30 days")
        assert "now runs until" in buyer.last()
        async with system.sessions() as session:
            mine = await session.get(AdFilter, 1)
            assert mine is not None
            left = mine.expires_at - datetime.now(UTC)
        assert timedelta(days=36) < left <= timedelta(days=37)

        async with system.sessions() as session, session.begin():  # Aida's week is over
            await session.execute(
                update(AdFilter)
                .where(AdFilter.chat_id == "late")
                .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
            )
        seller = driver.chat(BOT, "seller", name="Timur")
        await post_ad(driver, seller, price="15 000 KGS", first_id=501)
        assert len(notices(buyer)) == 1
        assert notices(late) == []
        async with system.sessions() as session:
            assert len(list(await session.scalars(select(AdFilter)))) == 2
