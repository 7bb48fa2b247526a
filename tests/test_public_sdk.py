"""An app author imports everything from `relaybot`, and that import stays light."""

from __future__ import annotations

import subprocess
import sys

import relaybot


def test_every_public_name_is_importable_and_listed_once() -> None:
    assert len(relaybot.__all__) == len(set(relaybot.__all__))
    for name in relaybot.__all__:
        assert getattr(relaybot, name) is not None, name
    assert {"App", "Context", "Router", "Payload", "Flow", "Job", "Button"} <= set(relaybot.__all__)


def test_importing_the_sdk_loads_no_channel_and_no_messenger_library() -> None:
    script = (
        "import sys, relaybot\n"
        "heavy = ('aiogram', 'relaybot.channels', 'relaybot.gateway', 'relaybot.apps',"
        " 'relaybot.cli', 'relaybot.system')\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"
