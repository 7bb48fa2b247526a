"""Signing in on a second browser in a real (headless) Chromium: the code arrives in the
person's first web chat, is typed in the second, and the second chat is then that person."""

from __future__ import annotations

import re
import sqlite3

import pytest

from relaybot.testing import RelaybotProcess, free_port

pytestmark = pytest.mark.browser


async def open_chat(browser, url: str):
    context = await browser.new_context(viewport={"width": 1100, "height": 760}, locale="en-US")
    page = await context.new_page()
    await page.goto(f"{url}/?bot=booking")
    await page.get_by_role("button", name="EN", exact=True).click()
    return page


async def say(page, text: str) -> None:
    box = page.get_by_label("Message")
    await box.fill(text)
    await box.press("Enter")


async def test_a_second_browser_signs_in_with_the_code_the_first_chat_received(tmp_path, browser):
    from playwright.async_api import expect

    server = RelaybotProcess.embedded(tmp_path, free_port(), RELAYBOT_DEFAULT_LOCALE="en")
    await server.start()
    try:
        first = await open_chat(browser, server.url)
        await say(first, "Hello")
        await expect(first.locator("#messages")).to_contain_text(
            "book an appointment", timeout=10_000
        )
        with sqlite3.connect(tmp_path / "relaybot.db") as db:  # an administrator's doing
            db.execute("UPDATE booking_users SET username = 'dana_k', role = 'admin'")

        second = await open_chat(browser, server.url)
        await say(second, "/signin @dana_k")
        await expect(second.locator("#messages")).to_contain_text(
            "a 6-digit code is on its way", timeout=10_000
        )
        arrived = first.locator(".msg.out", has_text="Your sign-in code:")
        await expect(arrived).to_have_count(1, timeout=10_000)
        code = re.search(r"code: (\d{6})", await arrived.inner_text())
        assert code is not None
        await expect(second.locator("#messages")).not_to_contain_text(code.group(1))

        await say(second, code.group(1))
        await expect(second.locator("#messages")).to_contain_text(
            "You are signed in as", timeout=10_000
        )
        menu = second.get_by_role("group", name="Menu")
        await expect(menu.get_by_role("button", name="Book for a client")).to_be_visible(
            timeout=10_000
        )
    finally:
        await server.stop()
