"""Helpers shared by tests that run relaybot as a real child process."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx


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

    def cli(self, *args: str) -> str:
        """Run a `relaybot` command against this process's database; return its output."""
        done = subprocess.run(
            [sys.executable, "-m", "relaybot.cli", *args],
            cwd=self.workdir,
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout
