"""relaybot commands as real child processes, to be killed and restarted by crash tests."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO

import httpx


def relaybot_env(settings: Mapping[str, str]) -> dict[str, str]:
    """This process's environment without its own RELAYBOT_* settings, plus `settings`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RELAYBOT_")}
    env.update(settings)
    return env


class RelaybotProcess:
    """`relaybot <args>` with its output in `<workdir>/<name>.log`.

    Give `port` for commands that serve HTTP (`run`, `gateway`): `start` then waits until
    `ready_path` answers 200. Headless ones (`worker`, `sender`) count as started once spawned.
    `module` runs another entry point the same way, e.g. `relaybot.testing.telegram_standin`.
    """

    def __init__(
        self,
        args: Sequence[str],
        *,
        env: Mapping[str, str],
        workdir: Path,
        name: str,
        port: int | None = None,
        module: str = "relaybot.cli",
        ready_path: str = "/health",
    ) -> None:
        self.module = module
        self.ready_path = ready_path
        self.args = [*args, *(["--port", str(port)] if port is not None else [])]
        self.env = dict(env)
        self.workdir = workdir
        self.name = name
        self.port = port
        self.url = f"http://127.0.0.1:{port}" if port is not None else ""
        self.log_path = workdir / f"{name}.log"
        self.process: asyncio.subprocess.Process | None = None
        self._log: IO[bytes] | None = None

    @classmethod
    def embedded(cls, workdir: Path, port: int, **settings: str) -> RelaybotProcess:
        """`relaybot run` on its own SQLite file in `workdir`, as a first install starts it;
        `settings` adds RELAYBOT_* variables."""
        env = relaybot_env(
            {
                "RELAYBOT_DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'relaybot.db'}",
                "RELAYBOT_POLL_INTERVAL": "0.2",
                **settings,
            }
        )
        return cls(["run"], env=env, workdir=workdir, name="relaybot", port=port)

    def cli(self, *args: str) -> str:
        """Run another `relaybot` command with this process's settings; return its output."""
        done = subprocess.run(
            [sys.executable, "-m", "relaybot.cli", *args],
            cwd=self.workdir,
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.returncode is None

    async def start(self, *, timeout: float = 30.0) -> None:
        self._log = self._open_log()
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            self.module,
            *self.args,
            cwd=self.workdir,
            env=self.env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=self._log,
            stderr=asyncio.subprocess.STDOUT,
        )
        if self.port is None:
            return
        async with httpx.AsyncClient(timeout=2.0) as client, asyncio.timeout(timeout):
            while True:
                with contextlib.suppress(httpx.TransportError):
                    if (await client.get(f"{self.url}{self.ready_path}")).status_code == 200:
                        return
                if self.process.returncode is not None:
                    raise RuntimeError(f"{self.name} exited: {self.tail()}")
                await asyncio.sleep(0.05)

    def _open_log(self) -> IO[bytes]:
        return self.log_path.open("ab")

    async def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as when a machine or the OOM killer stops it."""
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGKILL)
            await self.process.wait()
        self._close_log()

    async def stop(self, *, timeout: float = 15.0) -> None:
        """SIGTERM, then SIGKILL when it does not exit in time."""
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            try:
                async with asyncio.timeout(timeout):
                    await self.process.wait()
            except TimeoutError:
                await self.kill()
        self._close_log()

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None

    def tail(self, lines: int = 30) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
