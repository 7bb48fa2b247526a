#!/usr/bin/env python3
"""Set-up in one command on a machine with nothing but Python 3.11+.

    python3 dev.py run    install what is needed, then start relaybot (web chat on :8080)
    python3 dev.py test          install what is needed, then run the linters and the whole
                                 test suite, in parallel (at most 8 minutes on 2 cores)
    python3 dev.py test --fast   the same without the chaos, browser and PostgreSQL tests:
                                 the inner loop, under 2 minutes

Anything after `test` other than --fast goes to pytest (`python3 dev.py test tests/flows -x`).

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


# One pytest-xdist worker a core: more make the tests that measure real-time rate limits and
# timeouts miss them on a 2-core machine, and end no sooner.
WORKERS_PER_CORE = 1
# pytest's exit code when it collected nothing (a wrong path, a -k or -m that matches no test).
NO_TESTS_COLLECTED = 5
# What --fast leaves out: the crash tests, the browser, every test that needs PostgreSQL, and
# the fuzzing (hypothesis and schemathesis) of tests/hostile, which the full suite runs.
FAST = "not chaos and not browser and not postgres and not hostile"
# The documentation's example bots are linted and type-checked like the package itself.
EXAMPLES = ["docs/examples/shop", "docs/examples/feedback.py", "docs/examples/crm.py"]
LINTED = ["src", "tests", "bench", "docs/examples"]


def workers() -> int:
    """pytest-xdist workers: RELAYBOT_TEST_WORKERS, or WORKERS_PER_CORE per core (2 at least)."""
    configured = os.environ.get("RELAYBOT_TEST_WORKERS", "")
    if configured.isdigit():
        return int(configured)  # 0: everything in pytest's own process
    return max(2, WORKERS_PER_CORE * (os.cpu_count() or 1))


def pytest_args(args: list[str]) -> list[str]:
    """The pytest command line for `test ARGS`: parallel on every core, --fast as a marker
    expression, the rest passed on as given."""
    fast = "--fast" in args
    rest = [arg for arg in args if arg != "--fast"]
    chosen = any(arg.startswith(("-n", "--numprocesses")) for arg in rest)
    parallel = [] if chosen else ["-n", str(workers())]
    # tests/hostile shares one relaybot per module, so the full suite hands out whole files;
    # without it, single tests balance the two workers better.
    spread = ["-m", FAST, "--dist=load"] if fast else []
    return [*parallel, *spread, *rest]


def test(args: list[str]) -> int:
    ensure_environment("test")
    steps = [
        [str(BIN / "ruff"), "check", *LINTED],
        [str(BIN / "ruff"), "format", "--check", *LINTED],
        [str(BIN / "mypy")],
        [str(BIN / "mypy"), *EXAMPLES],
        [str(BIN / "lint-imports")],
        [str(PYTHON), "-m", "pytest", *pytest_args(args)],
    ]
    for step in steps:
        print(
            "$",
            " ".join(Path(step[0]).name if i == 0 else s for i, s in enumerate(step)),
            flush=True,
        )
        code = subprocess.call(step, cwd=ROOT)
        if code == NO_TESTS_COLLECTED:
            print("pytest ran no test: that counts as a failure", file=sys.stderr, flush=True)
            return 1
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
