"""The in-process chat driver of relaybot.testing, as docs/writing-a-bot.md shows it."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from relaybot.config import BotConfig, Settings
from relaybot.core.types import Attachment
from relaybot.system import build_system
from relaybot.testing import ChatDriver

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


async def test_the_driver_example_collects_a_rating_without_http(
    make_settings: Callable[..., Settings], sqlite_url: str
) -> None:
    sys.path.insert(0, str(EXAMPLES))
    try:
        bot = BotConfig(name="feedback", app="feedback:FeedbackApp")
        settings = make_settings(sqlite_url, bots=[bot], webchat_for_bundled_apps=False)
        system = await build_system(settings)
        chat = ChatDriver(system)
        ann = chat.chat("feedback", "ann")
        await ann.say("hi")
        await ann.press("5")
        await ann.say("Fast and friendly")
        done = await ann.press("Yes")
        assert "rated us 5" in done[-1].text
        await system.close()
    finally:
        sys.path.remove(str(EXAMPLES))


async def test_chats_are_separate_and_photos_and_chat_types_reach_the_app(
    make_settings: Callable[..., Settings], sqlite_url: str
) -> None:
    system = await build_system(make_settings(sqlite_url))
    try:
        driver = ChatDriver(system)
        ann, bob = driver.chat("helpdesk", "ann"), driver.chat("helpdesk", "bob")
        await ann.say("hello")
        assert bob.received == []
        in_group = await bob.say("hello", chat_type="group")
        assert "private chats only" in in_group[0].text
        photo = Attachment(kind="photo", ref="https://example.org/a.jpg")
        assert await ann.say("", attachments=[photo])  # answered, not dropped
        with pytest.raises(LookupError, match="Teleport"):
            await ann.press("Teleport")
    finally:
        await system.close()
