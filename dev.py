#!/usr/bin/env python3
"""Set-up in one command on a machine with nothing but Python 3.11+.

    python3 dev.py run    install what is needed, then start relaybot (web chat on :8080)
    python3 dev.py test   install what is needed, then run the linters and the whole test suite

Dependencies go into ./.venv; they are installed again only when pyproject.toml changes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / "python"


def ensure_environment(extras: str) -> None:
    if sys.version_info < (3, 11):
        sys.exit(f"relaybot needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    if not PYTHON.exists():
        print("creating .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extras.encode()).hexdigest()
    stamp = VENV / f".installed-{extras or 'base'}"
    if stamp.exists() and stamp.read_text() == digest:
        return
    print(f"installing relaybot{f'[{extras}]' if extras else ''} into .venv ...", flush=True)
    pip = [str(PYTHON), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    target = f".[{extras}]" if extras else "."
    subprocess.run([*pip, "-e", target], check=True, cwd=ROOT)
    stamp.write_text(digest)


def run(args: list[str]) -> int:
    ensure_environment("")
    relaybot = str(BIN / "relaybot")
    if not (Path.cwd() / "data" / "relaybot.db").exists():
        # A first start of the embedded default: give the bundled bots something to talk about.
        for app in ("helpdesk", "booking"):
            subprocess.run([relaybot, app, "demo-data"], check=True, cwd=os.getcwd())
    return subprocess.call([relaybot, "run", *args], cwd=os.getcwd())


def test(args: list[str]) -> int:
    ensure_environment("test")
    steps = [
        [str(BIN / "ruff"), "check", "src", "tests", "bench"],
        [str(BIN / "ruff"), "format", "--check", "src", "tests", "bench"],
        [str(BIN / "mypy")],
        [str(BIN / "lint-imports")],
        [str(PYTHON), "-m", "pytest", *args],
    ]
    for step in steps:
        print("$", " ".join(Path(step[0]).name if i == 0 else s for i, s in enumerate(step)), flush=True)
        code = subprocess.call(step, cwd=ROOT)
        if code != 0:
            return code
    return 0


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in ("run", "test"):
        print(__doc__)
        return 2
    command, args = sys.argv[1], sys.argv[2:]
    return run(args) if command == "run" else test(args)


if __name__ == "__main__":
    sys.exit(main())
