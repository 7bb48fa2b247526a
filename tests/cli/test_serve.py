"""`relaybot run` on a port that is taken: a clear message and a failing exit, nothing started."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from relaybot.testing.processes import relaybot_env


def relaybot(*args: str, workdir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "relaybot.cli", *args],
        env=relaybot_env({}),
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def taken_port():
    """A port something else is listening on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        yield other.getsockname()[1]


@pytest.mark.parametrize("role", ["run", "gateway"])
def test_a_taken_port_is_named_and_nothing_starts(role: str, taken_port: int, tmp_path: Path):
    done = relaybot(role, "--host", "127.0.0.1", "--port", str(taken_port), workdir=tmp_path)
    output = done.stdout + done.stderr
    assert done.returncode != 0
    assert f"port {taken_port} on 127.0.0.1 is already in use" in output
    assert "choose another port with --port" in output
    assert "listening on" not in output
    assert "started" not in output, "no role was started"
    assert "Traceback" not in output
    assert not (tmp_path / "data").exists(), "not even the database was opened"


def test_an_address_that_does_not_exist_is_named(tmp_path: Path):
    done = relaybot("run", "--host", "no-such-host.invalid", "--port", "8080", workdir=tmp_path)
    assert done.returncode != 0
    assert "cannot listen on no-such-host.invalid:8080" in done.stderr
    assert "Traceback" not in done.stderr
