"""A `relaybot run` process killed with SIGKILL loses nothing and sends nothing twice."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from relaybot.testing import RelaybotProcess, WebchatClient, free_port

pytestmark = pytest.mark.slow


async def test_a_killed_process_continues_the_dialog_where_it_was(tmp_path: Path):
    bot = RelaybotProcess.embedded(tmp_path, free_port())
    await bot.start()
    try:
        async with WebchatClient(bot.url, "orders") as chat:
            await chat.say("hi", expect=2)
            await chat.say("Bishkek, Manas 12")

            # Killed between two steps: the dialog waits at the phone question.
            await bot.kill()
            await bot.start()
            reply = await chat.say("0555 123 456")
            assert "How many" in reply[-1]["text"]

            # Killed right after the gateway acknowledged a message: it was stored, so the
            # restarted process handles it and answers exactly once.
            start = len(chat.received)
            response = await chat.post("3")
            assert response.status_code == 202
            await bot.kill()
            await bot.start()
            summary = await chat.replies(start, expect=1)
            assert "+996555123456" in summary[-1]["text"]

            await bot.kill()
            await bot.start()
            done = await chat.press("Yes")
            assert "order No. 1 is accepted" in done[-1]["text"]
            history = await chat.history()
    finally:
        await bot.stop()

    said = Counter(m["text"] for m in history if m["direction"] == "out")
    repeated = {text: n for text, n in said.items() if n > 1}
    assert repeated == {}, f"sent twice: {repeated}"
    prompts = [m["text"] for m in history if m["direction"] == "out"]
    assert sum("How many" in p for p in prompts) == 1
    assert sum("Please check your order" in p for p in prompts) == 1

    orders = bot.cli("orders", "list", "--json")
    assert '"phone": "+996555123456"' in orders
    assert orders.count('"id"') == 1
