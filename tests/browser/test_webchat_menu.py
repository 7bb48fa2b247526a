"""The chat's persistent menu in a real (headless) Chromium: a bar under the message box that
a double click presses once and a reload finds again."""

from __future__ import annotations

import pytest

from relaybot.testing import RelaybotProcess, free_port

pytestmark = pytest.mark.browser


async def test_the_menu_bar_presses_once_and_stays_after_a_reload(tmp_path, browser):
    from playwright.async_api import expect

    server = RelaybotProcess.embedded(tmp_path, free_port())
    await server.start()
    try:
        page = await browser.new_page(viewport={"width": 1100, "height": 760}, locale="en-US")
        await page.goto(f"{server.url}/?bot=orders")
        await page.get_by_role("button", name="EN", exact=True).click()
        messages = page.locator("#messages")
        box = page.get_by_label("Message")
        await box.fill("Hello")
        await box.press("Enter")
        await expect(messages).to_contain_text("Where should we deliver?", timeout=10_000)

        menu = page.get_by_role("group", name="Menu")
        await expect(menu.get_by_role("button")).to_have_text(["Help", "Start again", "Cancel"])
        await menu.get_by_role("button", name="Cancel").dblclick()
        await expect(messages).to_contain_text("Cancelled.", timeout=10_000)
        await page.wait_for_timeout(1500)  # a second press would have been answered by now
        await expect(messages.locator(".msg.out", has_text="nothing to cancel")).to_have_count(0)
        await expect(messages.locator(".msg.in", has_text="Cancel")).to_have_count(1)

        await page.reload()
        await expect(menu.get_by_role("button")).to_have_text(
            ["Help", "Start again", "Cancel"], timeout=10_000
        )
        await expect(menu.get_by_role("button", name="Cancel")).to_be_enabled()
    finally:
        await server.stop()
