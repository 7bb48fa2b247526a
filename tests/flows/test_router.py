"""The router's stories, told by the people of a small shop bot through the real worker."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any, cast

import pytest

from relaybot import Attachment, Context, Flow, Router, Step, Update
from relaybot.core.i18n import translator
from relaybot.testing import ChatDriver
from tests.flows import shop as shop_app
from tests.flows.helpers import dialog_of, outcomes
from tests.flows.shop import Note, Product, StartOrder


async def test_a_command_and_the_buttons_it_shows_reach_their_handlers(shop: ChatDriver) -> None:
    ann = shop.chat("shop", "ann")
    welcome = await ann.say("/start")
    assert welcome[0].text == "Welcome to the shop."
    shown = await ann.press("Show 12")
    assert shown[0].text == "Product 12: a water bottle."
    noted = await ann.press("Leave a note")
    assert noted[0].text == "Noted (warm): thanks:a lot"


async def test_a_command_gets_the_words_after_it_also_when_addressed_to_the_bot(
    shop: ChatDriver,
) -> None:
    ann = shop.chat("shop", "ann")
    assert (await ann.say("/find red shoes"))[0].text == "Searching for: red shoes"
    assert (await ann.say("/find@shop_bot  blue  hat "))[0].text == "Searching for: blue  hat"
    assert (await ann.say("/FIND"))[0].text == "What should I find? /find <words>"


@pytest.mark.parametrize(
    "forged",
    [
        "shop.product:abc",  # not a number
        "shop.product:12:13",  # a field too many
        "shop.product",  # a field too few
        "shop.order:12:m:1",  # no such size
        "shop.order:12:l:yes",  # not a flag
        "shop.note:far too long a note:warm",
        "shop.note:hi:cold",  # no such tone
    ],
)
async def test_a_forged_or_stale_button_is_refused_politely_and_the_dialog_stays(
    shop: ChatDriver, forged: str
) -> None:
    ann = shop.chat("shop", "ann")
    await ann.say("/order")
    await ann.say("Ann")
    before = await dialog_of(shop.system, "ann")

    reply = await ann.say("", payload=forged)

    assert [m.text for m in reply] == ["That button is no longer active."]
    assert await dialog_of(shop.system, "ann") == before
    assert await outcomes(shop.system) == []
    await ann.say("Osh")
    done = await ann.press("Yes")
    assert done[0].text == "Ordered product of your choice for Ann in Osh."


async def test_a_button_nobody_declared_is_refused_politely_outside_a_dialog(
    shop: ChatDriver,
) -> None:
    ann = shop.chat("shop", "ann")
    for payload in ("shop.elsewhere:1", "flow:yes", "anything at all"):
        reply = await ann.say("", payload=payload)
        assert [m.text for m in reply] == ["That button is no longer active."]
    assert await dialog_of(shop.system, "ann") is None


async def test_inside_a_dialog_a_button_nobody_declared_is_the_dialogs_to_answer(
    shop: ChatDriver,
) -> None:
    ann = shop.chat("shop", "ann")
    await ann.say("/order")
    reply = await ann.say("", payload="shop.elsewhere:1")
    assert reply[-1].text == "Your name?"
    assert await dialog_of(shop.system, "ann") == ("shop-order", "name", {})
    assert await outcomes(shop.system) == []


async def test_an_admin_only_command_is_refused_to_others_and_runs_for_admins(
    shop: ChatDriver,
) -> None:
    ann, boss = shop.chat("shop", "ann"), shop.chat("shop", "boss")
    refused = await ann.say("/stock 12 5")
    assert [m.text for m in refused] == ["Only administrators can change stock."]
    allowed = await boss.say("/stock 12 5")
    assert allowed[0].text == "Stock of product 12 is now 5."


async def test_a_routers_guard_covers_its_text_handlers_too(shop: ChatDriver) -> None:
    ann, boss = shop.chat("shop", "ann"), shop.chat("shop", "boss")
    assert [m.text for m in await ann.say("stock report")] == [
        "Only administrators can change stock."
    ]
    assert (await boss.say("stock report"))[0].text == "Stock: 12 bottles."


async def test_a_commands_typed_words_run_it_only_outside_a_dialog(shop: ChatDriver) -> None:
    ann = shop.chat("shop", "ann")
    assert (await ann.say("Menu"))[0].text == "Welcome to the shop."
    await ann.say("/order")
    assert (await ann.say("menu"))[0].text == "Which city?"
    assert await dialog_of(shop.system, "ann") == ("shop-order", "city", {"name": "menu"})


async def test_a_handler_guard_adds_to_its_routers_guard_and_roles_are_looked_up_once(
    shop: ChatDriver,
) -> None:
    boss, chief = shop.chat("shop", "boss"), shop.chat("shop", "chief")
    shop_app.LOOKUPS.clear()
    refused = await boss.say("/audit")
    assert [m.text for m in refused] == ["Only auditors read the audit."]
    assert (await chief.say("/audit"))[0].text == "The audit is clean."
    assert len(shop_app.LOOKUPS) == len(set(shop_app.LOOKUPS)) == 2


async def test_a_refused_command_leaves_the_dialog_in_progress_as_it_was(
    shop: ChatDriver,
) -> None:
    ann = shop.chat("shop", "ann")
    await ann.say("/order")
    before = await dialog_of(shop.system, "ann")
    refused = await ann.say("/stock 12 0")
    assert [m.text for m in refused] == ["Only administrators can change stock."]
    assert await dialog_of(shop.system, "ann") == before
    assert await outcomes(shop.system) == []


async def test_nested_routers_are_tried_in_declaration_order(shop: ChatDriver) -> None:
    boss, ann = shop.chat("shop", "boss"), shop.chat("shop", "ann")
    # the shop's /help is declared before the admin router is included, so it wins
    assert (await boss.say("/help"))[0].text == "Shop help: /start, /find <words>, /order"
    # the greetings router is included before the shop's catch-all text handler
    assert (await ann.say("Hello"))[0].text == "Hello from the shop!"
    assert (await ann.say("hello there"))[0].text == "You said: hello there"


async def test_a_flow_entered_by_its_command_completes_and_records_its_outcome(
    shop: ChatDriver,
) -> None:
    ann = shop.chat("shop", "ann")
    assert (await ann.say("/order"))[0].text == "Your name?"
    await ann.say("hours")  # typed words of the router do not interrupt a dialog
    assert await dialog_of(shop.system, "ann") == ("shop-order", "city", {"name": "hours"})
    await ann.say("Bishkek")
    done = await ann.press("Yes")
    assert done[0].text == "Ordered product of your choice for hours in Bishkek."
    assert await outcomes(shop.system) == [("completed", None)]


async def test_a_flow_entered_by_a_button_starts_with_the_payload_as_its_data(
    shop: ChatDriver,
) -> None:
    ann = shop.chat("shop", "ann")
    await ann.say("/start")
    asked = await ann.press("Order 12")
    assert asked[0].text == "Your name?"
    flow, step, data = await dialog_of(shop.system, "ann") or ("", "", {})
    assert (flow, step) == ("shop-order", "name")
    assert data == {"product": 12, "size": "l", "gift": True}
    await ann.say("Ann")
    await ann.say("Osh")
    done = await ann.press("Yes")
    assert done[0].text == "Ordered product 12 as a gift for Ann in Osh."


async def test_a_router_command_or_button_leaves_the_dialog_and_records_left(
    shop: ChatDriver,
) -> None:
    ann = shop.chat("shop", "ann")
    await ann.say("/order")
    found = await ann.say("/find tea")
    assert [m.text for m in found] == ["Searching for: tea"]
    assert await dialog_of(shop.system, "ann") is None

    await ann.say("/order")
    await ann.say("Ann")
    shown = await ann.say("", payload=Product(id=7).pack())
    assert [m.text for m in shown] == ["Product 7: a water bottle."]
    assert await dialog_of(shop.system, "ann") is None
    assert await outcomes(shop.system) == [("left", "name"), ("left", "city")]


async def test_the_flows_own_command_starts_it_over(shop: ChatDriver) -> None:
    ann = shop.chat("shop", "ann")
    await ann.say("/order")
    await ann.say("Ann")
    again = await ann.say("/order")
    assert [m.text for m in again] == ["Your name?"]
    assert await outcomes(shop.system) == [("restarted", "city")]


async def test_while_a_dialog_is_in_progress_its_own_buttons_and_words_go_to_it(
    shop: ChatDriver,
) -> None:
    ann = shop.chat("shop", "ann")
    await ann.say("/order")
    await ann.say("Ann")
    back = await ann.press("Back")
    assert back[0].text == "Your name?"
    cancelled = await ann.say("cancel")
    assert "Cancelled" in cancelled[0].text
    assert await outcomes(shop.system) == [("cancelled", "name")]


async def test_an_expired_dialog_is_recorded_once_and_the_person_is_told_once(
    shop: ChatDriver,
) -> None:
    ann = shop.chat("shop", "ann")
    await ann.say("/order")
    await ann.say("Ann")
    await asyncio.sleep(1.1)
    reply = await ann.say("/order")
    assert [m.text for m in reply] == [
        "Your previous conversation expired, so we are starting over.",
        "Your name?",
    ]
    assert await outcomes(shop.system) == [("expired", "city")]
    assert (await ann.say("Ann"))[0].text == "Which city?"


async def test_an_expired_dialog_then_any_message_reaches_the_router(shop: ChatDriver) -> None:
    ann = shop.chat("shop", "ann")
    await ann.say("/order")
    await asyncio.sleep(1.1)
    reply = await ann.say("opening hours?")
    assert [m.text for m in reply] == [
        "Your previous conversation expired, so we are starting over.",
        "You said: opening hours?",
    ]
    assert await outcomes(shop.system) == [("expired", "name")]


async def test_text_words_patterns_attachments_and_the_fallback(shop: ChatDriver) -> None:
    ann = shop.chat("shop", "ann")
    assert (await ann.say(" Open "))[0].text == "We are open from 9 to 18."
    assert (await ann.say("123456"))[0].text == "Parcel 123456 is on its way."
    assert (await ann.say("1234567"))[0].text == "You said: 1234567"
    photo = Attachment(kind="photo", ref="https://example.org/door.jpg", caption="door")
    assert (await ann.say("door", attachments=[photo]))[0].text == "What a nice photo."
    document = Attachment(kind="document", ref="https://example.org/list.pdf")
    assert (await ann.say("", attachments=[document]))[0].text == "Thanks for the document."
    assert (await ann.say("/teleport"))[0].text == "Sorry, I did not understand. Try /start."


async def test_a_router_without_a_fallback_reports_that_nothing_matched() -> None:
    router = Router()

    @router.command("start")
    async def start(ctx: Context) -> None:
        ctx.reply("hi")

    ctx = _context_for("just text")
    assert await router.dispatch(ctx) is False
    assert ctx.outgoing == []


def test_declarations_that_cannot_work_are_refused_when_written() -> None:
    router = Router()
    with pytest.raises(ValueError, match="'/start'"):
        router.command("/start")
    with pytest.raises(ValueError, match="at least one name"):
        router.command()
    with pytest.raises(TypeError, match="Payload class"):
        router.button(cast(Any, str))
    with pytest.raises(TypeError, match="collection of role names"):
        router.command("stock", roles="admin")
    with pytest.raises(ValueError, match="include itself"):
        router.include_router(router)
    flow = Flow("f", steps=[Step("a", "A?")], on_complete=_done)
    router.flow(flow)
    with pytest.raises(ValueError, match="flow named 'f'"):
        router.flow(flow)
    other = Router()
    other.flow(flow)
    with pytest.raises(ValueError, match=r"flows named \['f'\]"):
        router.include_router(other)


def test_payloads_of_the_shop_fit_a_telegram_button() -> None:
    for payload in (
        Product(id=-(2**63)),
        StartOrder(product=2**63 - 1, size=shop_app.Size.SMALL, gift=False),
        Note(text="::::::::::::", tone="warm"),
    ):
        assert len(payload.pack().encode()) <= 64


async def _done(ctx: Context, data: dict[str, object]) -> str:
    return "done"


def _context_for(text: str) -> Context:
    class NoState:
        async def load(self, bot: str, chat_id: str) -> None:
            return None

    update = Update(channel="webchat", bot="b", chat_id="c", user_id="u", update_id="1", text=text)
    return Context(
        update=update,
        bot=cast(Any, None),
        settings=cast(Any, None),
        db=cast(Any, None),
        storage=cast(Any, NoState()),
        journal=cast(Any, None),
        t=translator("en"),
        now=datetime.now(UTC),
    )
