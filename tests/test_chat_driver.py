"""The in-process chat driver of relaybot.testing, as docs/writing-a-bot.md shows it."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from relaybot.config import BotConfig, Settings
from relaybot.testing.driver import ChatDriver

EXAMPLES = Path(__file__).resolve().parents[1] / "docs" / "examples"


async def test_the_driver_example_collects_a_rating_without_http(
    make_settings: Callable[..., Settings], sqlite_url: str
) -> None:
    sys.path.insert(0, str(EXAMPLES))
    try:
        bot = BotConfig(name="feedback", app="feedback:FeedbackApp")
        settings = make_settings(sqlite_url, bots=[bot], webchat_for_bundled_apps=False)
        async with ChatDriver(settings) as chat:
            ann = chat.person("ann", bot="feedback")
            await ann.say("hi")
            await ann.press("5")
            await ann.say("Fast and friendly")
            done = await ann.press("Yes")
            assert "rated us 5" in done[-1].text
            assert len(ann.inbox) >= 5
    finally:
        sys.path.remove(str(EXAMPLES))


async def test_people_are_separate_chats_and_a_missing_button_is_named(
    make_settings: Callable[..., Settings], sqlite_url: str
) -> None:
    async with ChatDriver(make_settings(sqlite_url)) as chat:
        ann = chat.person("ann", bot="orders")
        bob = chat.person("bob", bot="orders")
        await ann.say("hello")
        assert bob.inbox == []
        with pytest.raises(LookupError, match="no button 'Teleport'"):
            await ann.press("Teleport")
        with pytest.raises(ValueError, match="no bot named 'nope'"):
            chat.person("cid", bot="nope")
