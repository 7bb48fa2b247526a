"""Pre-moderation (approve, reject with a reason) and the reminder N days after posting."""

from __future__ import annotations

import time

import pytest

from relaybot.core.clock import ManualClock
from relaybot.runtime.scheduler import Scheduler
from tests.apps.classifieds.world import (
    BOT,
    ads_bot,
    ads_of,
    ads_world,
    channel_posts,
    photos,
    posts_of,
    write_parts_ad,
)

DAY = 24 * 3600


@pytest.fixture
def moderated(make_settings, database_url):
    bot = ads_bot(premoderation=True, moderators=["mod"])
    return make_settings(database_url, bots=[bot], webchat_for_bundled_apps=False)


async def test_a_moderator_rejects_with_a_reason_then_approves_the_mended_ad(moderated):
    async with ads_world(moderated) as driver:
        seller = driver.chat(BOT, "seller", name="Timur")
        moderator = driver.chat(BOT, "mod", name="Aibek")
        await write_parts_ad(seller)
        await seller.press("Post")
        assert "A moderator will look at ad #1" in seller.last()
        assert channel_posts(driver) == []
        preview, question = moderator.received
        assert len(preview.message.media) == 3 and "Front bumper" in preview.text
        assert question.buttons == ["Approve", "Reject"]

        stranger = driver.chat(BOT, "stranger", name="Ulan")
        await stranger.say("Approve", payload=moderator.find("Approve"))
        assert "Only moderators decide on ads." in stranger.last()
        [ad] = await ads_of(driver)
        assert ad.status == "pending"

        await moderator.press("Reject")
        assert "Why is it rejected?" in moderator.last()
        await moderator.say("The photos are blurry")
        assert "the author is told why" in moderator.last()
        assert "not accepted: The photos are blurry" in seller.last()
        [ad] = await ads_of(driver)
        assert (ad.status, ad.reject_reason) == ("rejected", "The photos are blurry")

        await seller.press("Edit a field")
        await seller.press("Photos")
        await seller.say(attachments=photos("sharp-1", "sharp-2"))
        await seller.press("Done")
        await seller.press("Post")
        assert "A moderator will look" in seller.last()
        await moderator.press("Approve")
        assert "Approved and posted." in moderator.last()
        assert "approved and posted" in seller.last()
        [post] = channel_posts(driver)
        assert [m.ref for m in post.message.media] == ["sharp-1", "sharp-2"]
        await moderator.say("Approve", payload=moderator.find("Approve"))
        assert "not waiting for a decision" in moderator.last()
        assert len(channel_posts(driver)) == 1


def reminder_scheduler(driver, clock: ManualClock) -> Scheduler:
    system = driver.system
    jobs = [j for j in system.scheduler().jobs if j.name == "classifieds.reminders"]
    return Scheduler(
        settings=system.settings,
        sessions=system.sessions,
        jobs=jobs,
        bots=system.bots,
        clock=clock,
        holder="test",
    )


async def test_after_n_days_the_author_reposts_leaves_it_or_marks_it_sold(
    make_settings, database_url
):
    settings = make_settings(
        database_url, bots=[ads_bot(remind_after_days=3)], webchat_for_bundled_apps=False
    )
    async with ads_world(settings) as driver:
        seller = driver.chat(BOT, "seller", name="Timur")
        await write_parts_ad(seller)
        await seller.press("Post")
        clock = ManualClock(start=time.time())
        scheduler = reminder_scheduler(driver, clock)
        clock.advance(2 * DAY)
        await scheduler.tick()
        await driver.collect()
        assert "still on offer" not in seller.last(), "not before the third day"

        clock.advance(1 * DAY + 60)
        await scheduler.tick()
        await driver.collect()
        assert "has been up a while. Is it still on offer?" in seller.last()
        assert seller.buttons() == ["Repost", "Mark sold", "Leave it"]
        await scheduler.tick()
        await driver.collect()
        assert sum("still on offer" in m.text for m in seller.received) == 1, "asked once"

        await seller.press("Repost")
        assert "Posted again" in seller.last()
        [ad] = await ads_of(driver)
        assert len(await posts_of(driver, ad.id)) == 2, "a repost is a new post of the same ad"
        assert len(channel_posts(driver)) == 2

        clock.advance(4 * DAY)
        await scheduler.tick()
        await driver.collect()
        await seller.press("Leave it")
        assert "stays as it is" in seller.last()
        clock.advance(4 * DAY)
        await scheduler.tick()
        await driver.collect()
        await seller.press("Mark sold")
        [ad] = await ads_of(driver)
        assert (ad.status, ad.locked, ad.remind_at) == ("sold", True, None)
        assert len(channel_posts(driver)) == 2, "no ids came back here, so there is nothing to edit"
