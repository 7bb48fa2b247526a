"""The shop of docs/writing-a-bot.md, told by its clients and its admin through the real worker."""

from __future__ import annotations

import time
import tomllib
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from relaybot import Attachment, BotConfig, Settings
from relaybot.system import System, build_system
from relaybot.testing import ChatDriver, RelaybotServer, WebchatClient

EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples"
TEAPOT = 3  # the demo catalogue's clay teapot: 1900 som, 3 in stock
STALE = "That button is no longer active."


@pytest.fixture
def shop_settings(
    make_settings: Callable[..., Settings], sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> Settings:
    monkeypatch.syspath_prepend(str(EXAMPLES))
    # --8<-- [start:settings]
    bot = BotConfig(name="shop", app="shop.app:ShopApp", options={"admins": ["boss"]})
    settings = make_settings(sqlite_url, bots=[bot], webchat_for_bundled_apps=False)
    # --8<-- [end:settings]
    return settings


@pytest.fixture
async def shop(shop_settings: Settings) -> AsyncIterator[ChatDriver]:
    system = await build_system(shop_settings)
    try:
        yield ChatDriver(system)
    finally:
        await system.close()


async def stock_of(system: System, item: int) -> int:
    async with system.sessions() as session:
        found = await session.scalar(
            text("SELECT stock FROM shop_items WHERE id = :id"), {"id": item}
        )
        assert isinstance(found, int)
        return found


async def orders(system: System) -> list[dict[str, Any]]:
    async with system.sessions() as session:
        rows = await session.execute(text("SELECT * FROM shop_orders ORDER BY id"))
        return [dict(row._mapping) for row in rows]


def photo(ref: str) -> Attachment:
    return Attachment("photo", ref)


# --8<-- [start:story]
async def test_a_client_finds_the_teapot_and_orders_it_delivered_with_entrance_photos(
    shop: ChatDriver,
) -> None:
    ann = shop.chat("shop", "ann")
    found = await ann.say("/find clay pot")
    assert found[0].text == "Found 1:" and found[0].buttons == ["Show: Clay teapot"]
    card = await ann.press("Show: Clay teapot")
    assert card[0].text == "Clay teapot, 1900 som: 3 in stock."

    asked = await ann.press("Order this")  # the product is known: its question is skipped
    assert asked[0].text == "How many? From 1 to 50."
    too_many = await ann.say("5")
    assert [m.text for m in too_many] == [
        "Sorry, only 3 left. How many would you like?",
        "How many? From 1 to 50.",
    ]
    await ann.say("2")
    assert (await ann.press("Delivery"))[0].text == "Where should we deliver?"
    await ann.say("Chuy 120, Bishkek")
    assert "Skip" in ann.buttons()
    await ann.say(attachments=[photo("door-1")])
    await ann.say(attachments=[photo("door-2")])
    assert (await ann.press("Done"))[0].text == "Which day?"
    await ann.say("15.06.2030")
    summary = await ann.say("0555 123 456")

    assert summary[0].text.splitlines() == [
        "Please check your order:",
        "Product: Clay teapot",
        "Quantity: 2",
        "Delivery: Delivery",
        "Address: Chuy 120, Bishkek",
        "Photos: 2",
        "Day: 15 June 2030",
        "Phone: +996555123456",
    ]
    done = await ann.press("Yes")
    assert done[0].text == "Thank you! Your order No. 1 is placed."
    assert await stock_of(shop.system, TEAPOT) == 1
    # --8<-- [end:story]
    [order] = await orders(shop.system)
    assert (order["item_id"], order["quantity"], order["client_id"]) == (TEAPOT, 2, "ann")
    assert order["address"] == "Chuy 120, Bishkek" and order["phone"] == "+996555123456"
    assert order["photos"] in (["door-1", "door-2"], '["door-1", "door-2"]')
    assert str(order["day"]) == "2030-06-15"


async def test_a_client_skips_the_photos_and_shares_a_contact_for_the_phone(
    shop: ChatDriver,
) -> None:
    ben = shop.chat("shop", "ben")
    assert (await ben.say("/order"))[0].buttons[:3] == ["Green tea", "Black tea", "Clay teapot"]
    await ben.press("Green tea")
    await ben.say("3")
    await ben.press("Delivery")
    await ben.say("Manas 7")
    assert (await ben.press("Skip"))[0].text == "Which day?"
    await ben.say("tomorrow")
    contact = Attachment("contact", "996555123456", name="Ben")
    summary = await ben.say(attachments=[contact])
    assert "Photos: (skipped)" in summary[0].text.splitlines()
    done = await ben.press("Yes")
    assert done[0].text == "Thank you! Your order No. 1 is placed."
    [order] = await orders(shop.system)
    assert order["phone"] == "+996555123456" and order["photos"] in ([], "[]")
    assert await stock_of(shop.system, 1) == 37


async def test_a_pick_up_order_is_not_asked_for_an_address_or_photos(shop: ChatDriver) -> None:
    cai = shop.chat("shop", "cai")
    await cai.say("/order")
    await cai.press("Black tea")
    await cai.say("1")
    assert (await cai.press("Pick-up"))[0].text == "Which day?"
    await cai.say("today")
    summary = await cai.say("+996 555 123 456")
    assert not any(line.startswith(("Address", "Photos")) for line in summary[0].text.split("\n"))
    await cai.press("Yes")
    [order] = await orders(shop.system)
    assert order["address"] is None and not order["delivery"]
    assert str(order["day"]) == datetime.now(UTC).date().isoformat()


async def test_the_last_teapots_sold_meanwhile_are_not_ordered_twice(shop: ChatDriver) -> None:
    ann, boss = shop.chat("shop", "ann"), shop.chat("shop", "boss")
    await ann.say("", payload="order-this:3")
    await ann.say("3")
    await ann.press("Pick-up")
    await ann.say("15.06.2030")
    await ann.say("0555 123 456")
    await boss.say("/stock 3 1")  # two teapots sold in the shop while Ann was typing
    done = await ann.press("Yes")
    assert done[0].text == "Sorry, that was just sold out, so nothing was ordered. Try /start."
    assert await orders(shop.system) == []
    assert await stock_of(shop.system, TEAPOT) == 1


async def test_a_sold_out_product_shows_no_order_button_and_is_not_offered(
    shop: ChatDriver,
) -> None:
    ann = shop.chat("shop", "ann")
    menu = await ann.say("/start")
    assert menu[0].buttons == [
        "Show: Green tea",
        "Show: Black tea",
        "Show: Clay teapot",
        "Show: Tea cups, set of 6",
    ]
    card = await ann.press("Show: Tea cups, set of 6")
    assert card[0].text == "Tea cups, set of 6, 1200 som: sold out." and card[0].buttons == []
    asked = await ann.say("/order")
    assert "Tea cups, set of 6" not in asked[0].buttons


async def test_find_without_words_or_matches_says_how_to_search(shop: ChatDriver) -> None:
    ann = shop.chat("shop", "ann")
    asked = await ann.say("/find")
    assert asked[0].text == "What are you looking for? For example: /find green tea"
    assert (await ann.say("/find 100%"))[0].text == "Nothing found for “100%”."
    assert (await ann.say("/find TEA"))[0].text == "Found 4:"


async def test_a_non_admins_stock_command_is_refused_politely_and_changes_nothing(
    shop: ChatDriver,
) -> None:
    ann = shop.chat("shop", "ann")
    refused = await ann.say("/stock 3 99")
    assert [m.text for m in refused] == ["Only administrators can change stock."]
    assert await stock_of(shop.system, TEAPOT) == 3


@pytest.mark.parametrize(
    "command",
    ["/stock", "/stock 3", "/stock three 20", "/stock 3 -1", "/stock 3 20 1", "/stock 3 ²"],
)
async def test_an_admins_stock_command_with_bad_arguments_gets_the_usage(
    shop: ChatDriver, command: str
) -> None:
    boss = shop.chat("shop", "boss")
    reply = await boss.say(command)
    assert [m.text for m in reply] == [
        "Usage: /stock <product number> <count>, for example /stock 3 20"
    ]
    assert await stock_of(shop.system, TEAPOT) == 3


async def test_an_admin_sets_the_stock_of_a_product_that_exists(shop: ChatDriver) -> None:
    boss = shop.chat("shop", "boss")
    assert (await boss.say("/stock 99 5"))[0].text == "There is no product 99."
    assert (await boss.say("/stock@shop_bot 3 20"))[0].text == "Clay teapot: 20 in stock now."
    assert await stock_of(shop.system, TEAPOT) == 20


@pytest.mark.parametrize(
    "forged", ["product:abc", "product:1:2", "product", "order-this:", "order-this:-x"]
)
async def test_a_forged_product_button_is_answered_as_stale_and_changes_nothing(
    shop: ChatDriver, forged: str
) -> None:
    ann = shop.chat("shop", "ann")
    reply = await ann.say("", payload=forged)
    assert [m.text for m in reply] == [STALE]
    assert await orders(shop.system) == []
    gone = await ann.say("", payload="product:999")  # well formed, but no such product
    assert [m.text for m in gone] == ["Sorry, we no longer sell this."]


async def test_help_outside_a_dialog_is_the_shops_and_inside_it_the_steps(
    shop: ChatDriver,
) -> None:
    ann = shop.chat("shop", "ann")
    shop_help = "/start shows the shop, /find <words> searches it, /order orders."
    assert (await ann.say("/help"))[0].text == shop_help
    await ann.say("", payload="order-this:1")
    await ann.say("1")
    await ann.press("Delivery")
    await ann.say("Chuy 1")
    helped = await ann.say("/help")
    assert helped[0].text == "Photograph the door or gate from the street. You may Skip this."
    assert (await ann.say("hours"))[0].text != "We are open every day from 9 to 21."


async def test_typed_words_and_anything_else_outside_a_dialog(shop: ChatDriver) -> None:
    ann = shop.chat("shop", "ann")
    assert (await ann.say("Hours"))[0].text == "We are open every day from 9 to 21."
    assert (await ann.say("Menu"))[0].buttons[0] == "Show: Green tea"
    other = "Send /start to see the shop, or /find and a word."
    assert (await ann.say("what do you sell?"))[0].text == other
    assert (await ann.say(attachments=[photo("cat")]))[0].text == other


async def test_the_shop_answers_in_the_web_chat(shop_settings: Settings) -> None:
    # --8<-- [start:webchat]
    async with RelaybotServer(shop_settings) as server:
        async with WebchatClient(server.url, "shop") as chat:
            menu = await chat.say("/start")
            assert menu[0]["text"] == "Welcome to the tea shop! What would you like to see?"
            card = await chat.press("Show: Green tea")
            assert card[0]["text"] == "Green tea, 350 som: 40 in stock."
    # --8<-- [end:webchat]


async def test_each_morning_the_admins_hear_which_products_run_low(shop: ChatDriver) -> None:
    # --8<-- [start:job]
    scheduler = shop.system.scheduler()
    [job] = [job for job in scheduler.jobs if job.name == "shop.low-stock"]
    now = time.time()
    assert not await scheduler.run_job(job, now)  # a new cron job waits for its first 9:00
    assert await scheduler.run_job(job, job.next_due(now))
    [report] = await shop.collect()
    assert (report.to.chat_id, report.text) == (
        "boss",
        "Running low: Clay teapot (3), Tea cups, set of 6 (0).",
    )
    # --8<-- [end:job]
    boss = shop.chat("shop", "boss")
    await boss.say("/stock 3 10")
    await boss.say("/stock 4 10")
    morning = job.next_due(job.next_due(now))
    assert await scheduler.run_job(job, morning)
    assert [m.text for m in await shop.collect()] == []  # nothing runs low: nothing to say


def test_the_documented_configuration_runs_the_app_these_stories_run() -> None:
    with (EXAMPLES / "shop" / "relaybot.toml").open("rb") as config:
        [bot] = [BotConfig(**entry) for entry in tomllib.load(config)["bots"]]
    assert (bot.name, bot.app, bot.options) == ("shop", "shop.app:ShopApp", {"admins": ["boss"]})
