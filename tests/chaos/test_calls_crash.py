"""`relaybot run` killed with SIGKILL around an app's call: repeated with its key, told once."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

from relaybot.testing import (
    RelaybotProcess,
    ServiceStandin,
    WebchatClient,
    free_port,
    relaybot_env,
)

ROOT = Path(__file__).resolve().parents[2]


async def test_a_call_cut_short_by_a_kill_is_made_again_with_its_key_and_answered_once(
    tmp_path: Path,
) -> None:
    async with ServiceStandin() as crm:
        bot = {
            "name": "shop",
            "app": "tests.runtime.calling_app:CallingApp",
            "options": {"crm_url": crm.url},
        }
        env = relaybot_env(
            {
                "RELAYBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'relaybot.db'}",
                "RELAYBOT_POLL_INTERVAL": "0.2",
                "RELAYBOT_BOTS": json.dumps([bot]),
                "RELAYBOT_WEBCHAT_FOR_BUNDLED_APPS": "false",
                "RELAYBOT_CALL_TIMEOUT": "1",
                "RELAYBOT_CALL_BACKOFF_BASE": "0.2",
                # A reply the killed sender had claimed goes out again after this.
                "RELAYBOT_SEND_TIMEOUT": "2",
                "RELAYBOT_SENDER_CLAIM_SECONDS": "4",
                "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
            }
        )
        relaybot = RelaybotProcess(
            ["run"], env=env, workdir=tmp_path, name="relaybot", port=free_port()
        )
        await relaybot.start()
        try:
            async with WebchatClient(relaybot.url, "shop") as chat:
                # Killed after the CRM made the order but before its answer came back.
                crm.answer_delay = 30.0
                start = len(chat.received)
                await chat.post("/order socks")
                await crm.wait_until(lambda: len(crm.calls) == 1, timeout=10)
                await relaybot.kill()
                crm.answer_delay = 0.0
                await relaybot.start()
                await chat.replies(start, expect=2, timeout=30)

                # Killed as soon as the order's update committed, before or during its call.
                start = len(chat.received)
                await chat.post("/order hat")
                await chat.replies(start, expect=1, quiet=0.0)
                await relaybot.kill()
                await relaybot.start()
                await crm.wait_until(lambda: len(crm.orders) == 2, timeout=20)
                await chat.replies(start, expect=2, timeout=30)
                history = await chat.history()
        finally:
            await relaybot.stop()

    said = Counter(m["text"] for m in history if m["direction"] == "out")
    assert said["Order CRM-1001 is placed (attempt 2)."] == 1
    placed = [text for text in said if text.startswith("Order CRM-1002 is placed")]
    assert [said[text] for text in placed] == [1]
    assert len(crm.orders) == 2  # each call may have been made twice, but with one key
    keys = Counter(crm.keys)
    assert len(keys) == 2
    assert keys[next(iter(crm.orders))] == 2
