"""A visitor attaches a photo in a real (headless) Chromium: it is previewed, sent with its
caption, taken by the bot's Photo step and shown back; a file that is not a photo is refused
with the reason, and a reload shows the photos again."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from relaybot.testing import RelaybotProcess, free_port
from tests.channels.webchat.pictures import EXE, png

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
PHOTO_BACK = {"name": "photoback", "app": "tests.channels.apps:PhotoBackApp", "channel": "webchat"}
LOADED = "(img) => img.complete && img.naturalWidth > 0"


async def test_a_photo_goes_to_the_bot_and_comes_back_in_the_browser(tmp_path, browser):
    from playwright.async_api import expect

    server = RelaybotProcess.embedded(
        tmp_path, free_port(), RELAYBOT_BOTS=json.dumps([PHOTO_BACK]), PYTHONPATH=str(ROOT)
    )
    await server.start()
    try:
        page = await browser.new_page(viewport={"width": 1100, "height": 760}, locale="en-US")
        await page.goto(f"{server.url}/?bot=photoback")
        await page.get_by_role("button", name="EN", exact=True).click()
        messages = page.locator("#messages")
        box = page.get_by_label("Message")
        await box.fill("hello")
        await box.press("Enter")
        await expect(messages).to_contain_text("Send me a photo", timeout=10_000)

        chosen = page.locator("#attachments li")
        await page.set_input_files(
            "#file-input",
            files=[{"name": "virus.png", "mimeType": "image/png", "buffer": EXE}],
        )
        await expect(chosen).to_contain_text("not one the chat accepts", timeout=10_000)
        await page.get_by_role("button", name="Remove: virus.png").click()
        await expect(chosen).to_have_count(0)

        await page.get_by_role("button", name="Attach a photo or file").is_visible()
        await page.set_input_files(
            "#file-input",
            files=[{"name": "bottle.png", "mimeType": "image/png", "buffer": png(16, 16)}],
        )
        await expect(chosen.locator("img")).to_have_count(1, timeout=10_000)
        await box.fill("my bottle")
        await box.press("Enter")
        await expect(chosen).to_have_count(0)
        answer = messages.locator(".msg.out", has_text="Here is your photo back.")
        await expect(answer.locator("img")).to_have_count(1, timeout=10_000)
        assert await answer.locator("img").evaluate(LOADED), "the bot's photo is shown"
        sent = messages.locator(".msg.in", has_text="my bottle")
        assert await sent.locator("img").evaluate(LOADED), "and so is the visitor's"

        await page.reload()
        await expect(answer.locator("img")).to_have_count(1, timeout=10_000)
        assert await answer.locator("img").evaluate(LOADED)
    finally:
        await server.stop()
    kept = [p for p in (tmp_path / "data" / "webchat-files").rglob("*") if p.is_file()]
    assert len(kept) == 1, "the refused file was never kept"


async def test_the_russian_page_says_why_a_file_was_refused_in_russian(tmp_path, browser):
    from playwright.async_api import expect

    server = RelaybotProcess.embedded(
        tmp_path, free_port(), RELAYBOT_BOTS=json.dumps([PHOTO_BACK]), PYTHONPATH=str(ROOT)
    )
    await server.start()
    try:
        page = await browser.new_page(viewport={"width": 1100, "height": 760}, locale="ru-RU")
        await page.goto(f"{server.url}/?bot=photoback")
        await page.get_by_role("button", name="RU", exact=True).click()
        await page.set_input_files(
            "#file-input",
            files=[{"name": "virus.png", "mimeType": "image/png", "buffer": EXE}],
        )
        chosen = page.locator("#attachments li")
        await expect(chosen).to_contain_text("принимаются только фото", timeout=10_000)
        assert "accepts" not in (await chosen.inner_text())
    finally:
        await server.stop()
