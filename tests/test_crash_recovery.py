"""A `relaybot run` process killed with SIGKILL loses nothing and sends nothing twice."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import httpx
import pytest

from relaybot.testing import WebchatClient, free_port

pytestmark = pytest.mark.slow


class RelaybotProcess:
    """`relaybot run` as a real child process with its own SQLite file."""

    def __init__(self, workdir: Path, port: int) -> None:
        self.workdir = workdir
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("RELAYBOT_")},
            "RELAYBOT_DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'relaybot.db'}",
            "RELAYBOT_POLL_INTERVAL": "0.2",
        }

    async def start(self) -> None:
        log = open(self.workdir / "relaybot.log", "ab")  # noqa: SIM115 - kept open by the child
        self.process = subprocess.Popen(
            [sys.executable, "-m", "relaybot.cli", "run", "--port", str(self.port)],
            cwd=self.workdir,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        async with httpx.AsyncClient() as client:
            for _ in range(300):
                try:
                    if (await client.get(f"{self.url}/health")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                if self.process.poll() is not None:
                    raise RuntimeError((self.workdir / "relaybot.log").read_text())
                await asyncio.sleep(0.05)
        raise RuntimeError("relaybot did not become healthy in 15 s")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


async def test_a_killed_process_continues_the_dialog_where_it_was(tmp_path: Path):
    bot = RelaybotProcess(tmp_path, free_port())
    await bot.start()
    try:
        async with WebchatClient(bot.url, "orders") as chat:
            await chat.say("hi", expect=2)
            await chat.say("Bishkek, Manas 12")

            # Killed between two steps: the dialog waits at the phone question.
            bot.kill()
            await bot.start()
            reply = await chat.say("0555 123 456")
            assert "How many" in reply[-1]["text"]

            # Killed right after the gateway acknowledged a message: it was stored, so the
            # restarted process handles it and answers exactly once.
            start = len(chat.received)
            response = await chat.post("3")
            assert response.status_code == 202
            bot.kill()
            await bot.start()
            summary = await chat.replies(start, expect=1)
            assert "+996555123456" in summary[-1]["text"]

            bot.kill()
            await bot.start()
            done = await chat.press("Yes")
            assert "order No. 1 is accepted" in done[-1]["text"]
            history = await chat.history()
    finally:
        bot.stop()

    said = Counter(m["text"] for m in history if m["direction"] == "out")
    repeated = {text: n for text, n in said.items() if n > 1}
    assert repeated == {}, f"sent twice: {repeated}"
    prompts = [m["text"] for m in history if m["direction"] == "out"]
    assert sum("How many" in p for p in prompts) == 1
    assert sum("Please check your order" in p for p in prompts) == 1

    listed = subprocess.run(
        [sys.executable, "-m", "relaybot.cli", "orders", "list", "--json"],
        cwd=tmp_path,
        env=bot.env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert '"phone": "+996555123456"' in listed.stdout
    assert listed.stdout.count('"id"') == 1
