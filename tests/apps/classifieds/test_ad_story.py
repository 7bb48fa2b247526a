"""A seller places a car part: every stage, the preview, the post, an update, sold."""

from __future__ import annotations

import pytest

from tests.apps.classifieds.world import (
    BOT,
    ads_bot,
    ads_of,
    ads_world,
    channel_posts,
    confirm_delivery,
    photos,
    posts_of,
    write_parts_ad,
)


@pytest.fixture
def settings(make_settings, database_url):
    return make_settings(database_url, bots=[ads_bot()], webchat_for_bundled_apps=False)


async def test_the_preview_is_the_post_and_sold_edits_it(settings):
    async with ads_world(settings) as driver:
        seller = driver.chat(BOT, "seller", name="Timur")
        await write_parts_ad(seller)
        preview, question = seller.received[-2:]
        assert [m.ref for m in preview.message.media] == ["p1", "p2", "p3"]
        assert "Front bumper, Toyota Camry 40" in preview.text
        assert "Price: 15 000 KGS" in preview.text and "Condition: Used" in preview.text
        assert question.buttons == ["Post", "Edit a field", "Discard"]
        assert channel_posts(driver) == [], "nothing reaches the channel before Post"

        await seller.press("Post")
        assert "is in the channel" in seller.last()
        [post] = channel_posts(driver)
        assert post.text == preview.text and post.message.media == preview.message.media
        [ad] = await ads_of(driver)
        assert (ad.status, ad.locked) == ("posted", False)

        ids = await confirm_delivery(driver, post, first_id=501)
        [stored] = await posts_of(driver, ad.id)
        assert stored.message_ids == ids and stored.message_id == "501"

        await seller.press("Add an update")
        await seller.say("Price lowered to 12 000")
        [_, edit] = channel_posts(driver)
        assert edit.message.meta["edit"] == "501"
        assert "Price lowered to 12 000" in edit.text and edit.message.media == post.message.media

        await seller.press("Mark sold")
        assert "marked sold" in seller.last()
        sold = channel_posts(driver)[-1]
        assert sold.message.meta["edit"] == "501" and sold.text.startswith("SOLD")
        [ad] = await ads_of(driver)
        assert (ad.status, ad.locked) == ("sold", True)

        await seller.press("Add an update")
        assert "is closed, so it cannot be changed" in seller.last()
        assert len(channel_posts(driver)) == 3


async def test_every_stage_refuses_bad_input_with_its_own_words_and_goes_back(settings):
    async with ads_world(settings) as driver:
        seller = driver.chat(BOT, "seller", name="Timur")
        await seller.say("/start")
        reply = seller.text(await seller.press("Car parts for sale"))
        assert "Which category?" in reply
        reply = seller.text(await seller.say("Spaceships"))
        assert "pick one of the categories" in reply
        await seller.press("Engine")
        reply = seller.text(await seller.say("abc"))
        assert "at least 5 characters" in reply
        reply = seller.text(await seller.say("back"))
        assert "Which category?" in reply
        await seller.press("Body")
        await seller.say("Front bumper")
        reply = seller.text(await seller.say("short"))
        assert "at least 10 characters" in reply
        await seller.say("A bumper in good shape, no cracks.")
        reply = seller.text(await seller.say("cheap"))
        assert "price as a number with its currency" in reply
        reply = seller.text(await seller.say("300 GBP"))
        assert "I take prices in KGS, USD, RUB, EUR, KZT only." in reply
        reply = seller.text(await seller.say("0"))
        assert "more than 0" in reply
        await seller.press("Negotiable")
        reply = seller.text(await seller.say("1"))
        assert "city or region" in reply
        await seller.say("Osh")
        reply = seller.text(await seller.say("Shiny"))
        assert "pick the condition" in reply
        await seller.press("New")
        reply = seller.text(await seller.say("here is no photo"))
        assert "send a photo" in reply
        await seller.say(attachments=photos(*(f"p{n}" for n in range(1, 12))))
        assert "more than 10 photos: I kept the first 10" in seller.text()
        await seller.press("Done")
        reply = seller.text(await seller.say("12345"))
        assert "phone" in reply.lower()
        reply = seller.text(await seller.say("@x"))
        assert "A username is @ and 5 to 32" in reply
        await seller.say("@garage_timur")
        preview = seller.received[-2]
        assert len(preview.message.media) == 10
        assert "Negotiable" in preview.text and "Osh" in preview.text
        assert "Contact: @garage_timur" in preview.text
        [ad] = await ads_of(driver)
        assert ad.answers["price"] == {"negotiable": True}


async def test_a_field_is_edited_from_the_preview_and_a_discarded_ad_is_never_posted(settings):
    async with ads_world(settings) as driver:
        seller = driver.chat(BOT, "seller", name="Timur")
        await write_parts_ad(seller)
        await seller.press("Edit a field")
        assert {"Title", "Price", "Photos", "Contact"} <= set(seller.buttons())
        await seller.press("Price")
        assert "price with its currency" in seller.last()
        await seller.say("$300")
        preview = seller.received[-2]
        assert "Price: 300 USD" in preview.text and "Front bumper" in preview.text
        [ad] = await ads_of(driver)
        assert ad.answers["price"] == {"amount": "300", "currency": "USD"}
        await seller.press("Discard")
        assert "discarded; it was never posted" in seller.last()
        [ad] = await ads_of(driver)
        assert ad.status == "discarded"
        post_payload = seller.find("Post")
        await seller.say("Post", payload=post_payload)
        assert "is closed" in seller.last()
        assert channel_posts(driver) == []


async def test_nobody_acts_on_somebody_elses_ad_and_a_forged_button_changes_nothing(settings):
    async with ads_world(settings) as driver:
        seller = driver.chat(BOT, "seller", name="Timur")
        await write_parts_ad(seller)
        post_payload = seller.find("Post")
        stranger = driver.chat(BOT, "stranger", name="Ulan")
        await stranger.say("Post", payload=post_payload)
        assert "That ad is not yours" in stranger.last()
        await stranger.say("Post", payload="cl-ad:1:steal")
        assert "no longer active" in stranger.last()
        await stranger.say("Post", payload="cl-ad:999:post")
        assert "no longer exists" in stranger.last()
        [ad] = await ads_of(driver)
        assert ad.status == "draft" and channel_posts(driver) == []


async def test_an_admin_announces_through_the_same_preview_and_others_may_not(settings):
    async with ads_world(settings) as driver:
        visitor = driver.chat(BOT, "visitor", name="Ulan")
        await visitor.say("/ad")
        assert "Only the bot's administrators can do that." in visitor.last()
        await visitor.say("/donate")
        assert "Only the bot's administrators can do that." in visitor.last()

        admin = driver.chat(BOT, "admin", name="Asel")
        await admin.say("/ad")
        await admin.say("Market day on Saturday")
        await admin.say("Bring your parts to the Dordoi market, row 12, from 9 to 14.")
        preview = admin.received[-2]
        assert preview.text.startswith("Announcement\nMarket day on Saturday")
        assert admin.buttons() == ["Post", "Edit a field", "Discard"]
        await admin.press("Post")
        [post] = channel_posts(driver)
        assert post.text == preview.text and post.message.media == ()
        await admin.say("/donate")
        assert "Set `donate_url`" in admin.last()
