"""The example in docs/writing-a-bot.md works as the page says."""

from __future__ import annotations

import sys
from pathlib import Path

from relaybot.config import BotConfig
from relaybot.testing import RelaybotServer, WebchatClient

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


async def test_the_feedback_example_collects_a_rating_and_a_comment(make_settings, sqlite_url):
    sys.path.insert(0, str(EXAMPLES))
    try:
        bot = BotConfig(name="feedback", app="feedback:FeedbackApp")
        settings = make_settings(sqlite_url, bots=[bot], webchat_for_bundled_apps=False)
        async with RelaybotServer(settings) as server:
            async with WebchatClient(server.url, "feedback") as chat:
                greeting = await chat.say("hi", expect=2)
                assert "Two questions" in greeting[0]["text"]
                reply = await chat.say("7")
                assert "from 1 to 5" in reply[0]["text"]
                await chat.press("5")
                await chat.say("Fast and friendly")
                done = await chat.press("Yes")
                assert "rated us 5 of 5" in done[-1]["text"]
    finally:
        sys.path.remove(str(EXAMPLES))
