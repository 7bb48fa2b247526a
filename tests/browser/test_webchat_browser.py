"""A person places an order in the web chat with a real (headless) Chromium."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from relaybot.testing import RelaybotProcess, free_port

pytestmark = pytest.mark.browser

DOCS = Path(__file__).resolve().parents[2] / "docs"


async def test_a_visitor_orders_water_in_the_browser_and_it_shows_in_orders_list(tmp_path, browser):
    """The README's promise: `relaybot run`, order in a browser, see it in `orders list`."""
    server = RelaybotProcess.embedded(tmp_path, free_port())
    await server.start()
    try:
        await _order_in_browser(browser, server.url, tmp_path)
        listed = json.loads(server.cli("orders", "list", "--json"))
    finally:
        await server.stop()
    assert [(o["bottles"], o["phone"], o["source"]) for o in listed] == [
        (3, "+996555123456", "webchat")
    ]


async def _order_in_browser(browser: Any, url: str, tmp_path: Path) -> None:
    from playwright.async_api import expect

    page = await browser.new_page(viewport={"width": 1100, "height": 760}, locale="en-US")
    await page.goto(f"{url}/?bot=orders")
    await page.get_by_role("button", name="EN", exact=True).click()
    messages = page.locator("#messages")
    box = page.get_by_label("Message")

    async def say(text: str, expect_text: str) -> None:
        await box.fill(text)
        await box.press("Enter")
        await expect(messages).to_contain_text(expect_text, timeout=10_000)

    await say("Hello", "Where should we deliver?")
    await say("Bishkek, Chui avenue 120, apt 5", "Your phone number")
    await say("0555 123 456", "How many 19 l bottles?")
    await page.get_by_role("button", name="3", exact=True).last.click()
    await expect(messages).to_contain_text("Please check your order", timeout=10_000)
    await page.mouse.move(0, 0)
    # RELAYBOT_UPDATE_SCREENSHOT=1 refreshes the README's picture from this very run.
    target = DOCS if os.environ.get("RELAYBOT_UPDATE_SCREENSHOT") == "1" else tmp_path
    await page.screenshot(path=str(target / "webchat.png"))
    assert (target / "webchat.png").stat().st_size > 10_000
    await page.get_by_role("button", name="Yes", exact=True).last.click()
    await expect(messages).to_contain_text("order No. 1 is accepted", timeout=10_000)

    await page.reload()
    await expect(messages).to_contain_text("order No. 1 is accepted", timeout=10_000)
