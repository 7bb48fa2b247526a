"""The hostile suite's closing tally of cases tried and 5xx answers, also under pytest-xdist.

Each xdist worker counts in its own process; it hands its counters to the controller when it
finishes, and the controller, which collects no tests itself, adds them up and prints them.
Registered from tests/conftest.py so that the controller loads it too.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from tests.hostile.hostile_support import HEALTH_503, SERVER_ERRORS, TALLY

COUNTERS: dict[str, Counter[str]] = {
    "tally": TALLY,
    "server_errors": SERVER_ERRORS,
    "health_503": HEALTH_503,
}


def pytest_sessionfinish(session: pytest.Session) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["hostile"] = {name: dict(counter) for name, counter in COUNTERS.items()}


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    counted = getattr(node, "workeroutput", {}).get("hostile", {})
    for name, counter in COUNTERS.items():
        counter.update(counted.get(name, {}))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not TALLY:
        return
    cases = ", ".join(f"{kind}: {count}" for kind, count in sorted(TALLY.items()))
    terminalreporter.write_sep("-", "hostile cases tried")
    terminalreporter.write_line(f"{cases}; total {sum(TALLY.values())}")
    terminalreporter.write_line(f"responses with status 5xx: {sum(SERVER_ERRORS.values())}")
    for where, count in sorted(SERVER_ERRORS.items()):
        terminalreporter.write_line(f"  {count} x {where}")
    if HEALTH_503:
        unhealthy = sum(HEALTH_503.values())
        terminalreporter.write_line(f"/health answered 503 (store too slow) {unhealthy} time(s)")
