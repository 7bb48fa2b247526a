"""The ad story through the Telegram stand-in: an album posted to a channel with a discussion
group, the group told the details, an update and "sold" edit the channel post."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from relaybot.apps.classifieds.demo import seed_kinds
from relaybot.apps.classifieds.models import Ad, AdPost
from relaybot.testing import RelaybotServer
from relaybot.testing.telegram_standin import TelegramStandin
from tests.channels.helpers import FAST, TELEGRAM_TOKEN, telegram_bot

CHANNEL = -1001234
GROUP = -1005678


def ads_on_telegram(telegram: TelegramStandin, **options: object) -> dict[str, object]:
    return telegram_bot(
        telegram,
        name="ads",
        app="classifieds",
        options={
            **FAST,
            "channel": str(CHANNEL),
            "discussion_group": str(GROUP),
            "locale": "en",
            **options,
        },
    )


async def started(server: RelaybotServer, telegram: TelegramStandin) -> None:
    assert server.system is not None
    async with server.system.sessions() as session, session.begin():
        await seed_kinds(session, bot="ads", locale="en")
    state = telegram.bot(TELEGRAM_TOKEN)
    state.webhook_url = f"{server.url}/webhook/telegram/ads"
    state.webhook_secret = "telegram-secret_1"


async def stored_post(server: RelaybotServer, telegram: TelegramStandin) -> AdPost:
    assert server.system is not None
    sessions = server.system.sessions
    found: list[AdPost] = []

    async def look() -> bool:
        async with sessions() as session:
            found[:] = list(await session.scalars(select(AdPost).order_by(AdPost.id)))
        return bool(found) and found[-1].message_id is not None

    for _ in range(200):
        if await look():
            return found[-1]
        await asyncio.sleep(0.05)
    raise AssertionError("the post's message ids never came back")


async def test_an_album_ad_goes_to_the_channel_the_group_gets_details_and_sold_edits_it(
    make_settings, sqlite_url, telegram
):
    telegram.link_discussion(CHANNEL, GROUP)
    settings = make_settings(
        sqlite_url, bots=[ads_on_telegram(telegram)], webchat_for_bundled_apps=False
    )
    async with RelaybotServer(settings) as server:
        await started(server, telegram)
        seller = telegram.user(
            TELEGRAM_TOKEN, user_id=5000011, first_name="Timur", username="garage_timur"
        )
        await seller.say("/start")
        await seller.press("Car parts for sale")
        await seller.press("Body")
        await seller.say("Front bumper, Toyota Camry 40")
        await seller.say("Original bumper, a small scratch on the left side, fits 2006-2011.")
        await seller.say("15 000 сом")
        await seller.press("Bishkek")
        await seller.press("Used")
        start = len(seller.messages)
        for name in ("ph-1", "ph-2", "ph-3"):
            await seller.send_photo(name, media_group_id="album-1", expect=0, quiet=0)
        await seller.replies(start)
        await seller.press("Done")
        preview = await seller.press("Use my username @garage_timur", expect=4)
        album = [m for m in preview if m.media_group_id]
        assert [m.media[0] for m in album] == ["ph-1", "ph-2", "ph-3"]
        caption = album[0].text
        assert caption.startswith("Car parts for sale · Body\nFront bumper, Toyota Camry 40")
        assert "Price: 15 000 KGS" in caption and "@garage_timur" not in caption
        assert preview[-1].labels == ["Post", "Edit a field", "Discard"]

        await seller.press("Post")
        posted = telegram.sent_to(CHANNEL)
        assert [m.media[0] for m in posted] == ["ph-1", "ph-2", "ph-3"]
        assert len({m.media_group_id for m in posted}) == 1, "one album, not three photos"
        assert posted[0].text == caption
        assert len(telegram.calls_to("sendMediaGroup", chat_id=CHANNEL)) == 1

        await telegram.wait_until(lambda: bool(telegram.sent_to(GROUP)), timeout=10)
        post = await stored_post(server, telegram)
        assert post.message_ids == [str(m.message_id) for m in posted]
        [details] = telegram.sent_to(GROUP)
        assert "Contact: @garage_timur" in details.text
        [reply_call] = telegram.calls_to("sendMessage", chat_id=GROUP)
        forwarded_first = 1  # the group's first message is the album's first photo
        assert reply_call.params["reply_parameters"]["message_id"] == forwarded_first

        await seller.press("Add an update")
        await seller.say("Price lowered to 12 000")
        assert "Price lowered to 12 000" in posted[0].text
        await seller.press("Mark sold")
        [update_call, sold_call] = telegram.calls_to("editMessageCaption")
        assert "Price lowered" in update_call.params["caption"]
        assert str(sold_call.params["chat_id"]) == str(CHANNEL)
        assert sold_call.params["message_id"] == posted[0].message_id
        assert posted[0].text.startswith("SOLD · Car parts for sale")
        assert len(telegram.sent_to(GROUP)) == 1, "the group is told once per post"
        assert server.system is not None
        async with server.system.sessions() as session:
            [ad] = list(await session.scalars(select(Ad)))
        assert (ad.status, ad.locked) == ("sold", True)


async def test_a_text_ad_is_posted_with_send_message_and_sold_edits_its_text(
    make_settings, sqlite_url, telegram
):
    settings = make_settings(
        sqlite_url,
        bots=[ads_on_telegram(telegram, discussion_group=None)],
        webchat_for_bundled_apps=False,
    )
    async with RelaybotServer(settings) as server:
        await started(server, telegram)
        client = telegram.user(TELEGRAM_TOKEN, user_id=5000012, first_name="Aida")
        await client.say("/start")
        await client.press("Repair request")
        await client.press("Electrics")
        await client.say("Headlights do not turn on")
        await client.say("Both headlights went dark yesterday, fuses look fine.")
        await client.press("Osh")
        await client.say("0555 123 456", expect=2)
        await client.press("Post")
        [posted] = telegram.sent_to(CHANNEL)
        assert posted.kind == "text" and "Contact: +996555123456" in posted.text
        await stored_post(server, telegram)
        await client.press("Mark sold")
        await telegram.wait_until(lambda: bool(telegram.calls_to("editMessageText")), timeout=5)
        assert posted.text.startswith("SOLD · Repair request")


async def test_donate_posts_a_telegram_stars_invoice_to_the_channel(
    make_settings, sqlite_url, telegram
):
    bot = ads_on_telegram(telegram, admins=["5000013"], donate_stars=25)
    settings = make_settings(sqlite_url, bots=[bot], webchat_for_bundled_apps=False)
    async with RelaybotServer(settings) as server:
        await started(server, telegram)
        admin = telegram.user(TELEGRAM_TOKEN, user_id=5000013, first_name="Asel")
        reply = await admin.say("/donate")
        assert "The invoice for 25 stars is posted." in reply[-1].text
        await telegram.wait_until(lambda: bool(telegram.calls_to("sendInvoice")), timeout=5)
        [call] = telegram.calls_to("sendInvoice")
        assert str(call.params["chat_id"]) == str(CHANNEL)
        assert call.params["currency"] == "XTR" and "provider_token" not in call.params
        assert call.params["prices"] == [{"label": "Support the channel", "amount": 25}]
        [invoice] = telegram.sent_to(CHANNEL)
        assert invoice.raw["invoice"]["total_amount"] == 25
