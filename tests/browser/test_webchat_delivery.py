"""Nothing a visitor types or taps in the web chat is lost or counted twice: not when the
server is down for a while, not on a double click, not when the page is reloaded mid-send."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from relaybot.testing import RelaybotProcess, free_port

GREETING_QUESTION = "Where should we deliver?"


async def open_chat(browser: Any, url: str) -> Any:
    """The orders bot in English, its live connection up."""
    from playwright.async_api import expect

    page = await browser.new_page(viewport={"width": 1100, "height": 760}, locale="en-US")
    await page.goto(f"{url}/?bot=orders")
    await page.get_by_role("button", name="EN", exact=True).click()
    await expect(page.locator("#status")).to_have_text("online", timeout=10_000)
    return page


async def type_message(page: Any, text: str) -> None:
    box = page.get_by_label("Message")
    await box.fill(text)
    await box.press("Enter")


async def outbox(page: Any) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = json.loads(
        await page.evaluate("localStorage.getItem('relaybot.outbox') || '[]'")
    )
    return entries


async def test_a_message_typed_while_the_server_is_down_arrives_once_when_it_is_back(
    tmp_path, browser, record_property
):
    from playwright.async_api import expect

    server = RelaybotProcess.embedded(tmp_path, free_port())
    await server.start()
    try:
        page = await open_chat(browser, server.url)
        messages = page.locator("#messages")
        await server.stop()
        down_at = time.monotonic()
        await expect(page.locator("#status")).to_have_text("reconnecting…", timeout=10_000)

        await type_message(page, "Hello")
        sent = messages.locator(".msg.in", has_text="Hello")
        await expect(sent).to_have_count(1)
        await expect(sent).to_contain_text("Sending…")
        await expect(page.get_by_label("Message")).to_have_value("")
        await expect(sent).to_contain_text("Not sent.", timeout=15_000)
        await expect(sent.get_by_role("button", name="Retry")).to_be_visible()
        assert [e["text"] for e in await outbox(page)] == ["Hello"], "kept in the browser"

        await asyncio.sleep(max(0.0, 15.0 - (time.monotonic() - down_at)))
        await server.start()
        outage = time.monotonic() - down_at
        await expect(messages).to_contain_text(GREETING_QUESTION, timeout=20_000)
        arrived = time.monotonic() - down_at - outage
        await expect(sent.locator(".delivery")).to_have_count(0)

        await asyncio.sleep(3)  # any retry still on its way would land by now
        assert await outbox(page) == []
        await page.reload()
        await expect(messages).to_contain_text(GREETING_QUESTION, timeout=10_000)
        await expect(messages.locator(".msg.in > div")).to_have_text(["Hello"])
        await expect(messages.locator(".msg.out", has_text=GREETING_QUESTION)).to_have_count(1)
    finally:
        await server.stop()
    record_property(
        "figures",
        f"web chat outage: server down {outage:.1f} s, the waiting message answered "
        f"{arrived:.1f} s after it came back",
    )


async def test_a_double_click_on_yes_places_one_order(tmp_path, browser):
    from playwright.async_api import expect

    server = RelaybotProcess.embedded(tmp_path, free_port())
    await server.start()
    try:
        page = await open_chat(browser, server.url)
        messages = page.locator("#messages")
        for text, reply in [
            ("Hello", GREETING_QUESTION),
            ("Bishkek, Chui avenue 120, apt 5", "Your phone number"),
            ("0555 123 456", "How many 19 l bottles?"),
            ("3", "Please check your order"),
        ]:
            await type_message(page, text)
            await expect(messages).to_contain_text(reply, timeout=10_000)

        yes = page.get_by_role("button", name="Yes", exact=True).last
        await yes.dblclick()
        await expect(yes).to_be_disabled()
        await expect(messages).to_contain_text("order No. 1 is accepted", timeout=10_000)
        await asyncio.sleep(2)  # a second "Yes" would have been answered by now

        await expect(messages.locator(".msg.in", has_text="Yes")).to_have_count(1)
        await expect(messages.locator(".msg.out", has_text="is accepted")).to_have_count(1)
        await expect(messages.locator(".msg.out", has_text=GREETING_QUESTION)).to_have_count(1)
        listed = json.loads(server.cli("orders", "list", "--json"))
    finally:
        await server.stop()
    assert [(o["bottles"], o["phone"]) for o in listed] == [(3, "+996555123456")]


async def test_a_message_whose_answer_was_lost_is_sent_again_after_a_reload_and_counts_once(
    tmp_path, browser
):
    from playwright.async_api import expect

    server = RelaybotProcess.embedded(tmp_path, free_port())
    await server.start()
    try:
        page = await open_chat(browser, server.url)
        messages = page.locator("#messages")
        reloaded = False
        reached_server = 0

        async def lose_the_answer(route: Any) -> None:
            # Until the reload the POST reaches the server, but the page never hears back.
            nonlocal reached_server
            if reloaded:
                await route.continue_()
                return
            await route.fetch()
            reached_server += 1
            await route.abort()

        await page.route("**/chat/api/*/messages", lose_the_answer)
        await type_message(page, "Hello")
        await expect(messages).to_contain_text(GREETING_QUESTION, timeout=10_000)
        assert [e["text"] for e in await outbox(page)] == ["Hello"], "still waiting for an ack"
        assert reached_server >= 1

        reloaded = True
        async with page.expect_response(
            lambda r: r.url.endswith("/messages") and r.request.method == "POST"
        ) as resent:
            await page.reload()
        answer = await (await resent.value).json()
        await expect(messages).to_contain_text(GREETING_QUESTION, timeout=10_000)
        await asyncio.sleep(2)

        assert answer == {"accepted": False, "duplicate": True}, "the server already had it"
        assert await outbox(page) == []
        await expect(messages.locator(".msg.in > div")).to_have_text(["Hello"])
        await expect(messages.locator(".msg.out", has_text=GREETING_QUESTION)).to_have_count(1)
    finally:
        await server.stop()


async def test_a_message_the_server_refuses_says_why_and_is_not_retried(tmp_path, browser):
    from playwright.async_api import expect

    server = RelaybotProcess.embedded(tmp_path, free_port())
    await server.start()
    try:
        page = await open_chat(browser, server.url)
        attempts = 0

        async def refuse(route: Any) -> None:
            nonlocal attempts
            attempts += 1
            await route.fulfill(
                status=422,
                content_type="application/json",
                body=json.dumps({"detail": "the message is too long: 9 characters, at most 5"}),
            )

        await page.route("**/chat/api/*/messages", refuse)
        await type_message(page, "Too long!")
        sent = page.locator("#messages .msg.in", has_text="Too long!")
        await expect(sent).to_contain_text(
            "Not sent: the message is too long: 9 characters, at most 5"
        )
        await asyncio.sleep(3)  # a retry would have gone out by now
        assert attempts == 1, "a refusal is final: sending the same again cannot help"
        assert await outbox(page) == []
    finally:
        await server.stop()
