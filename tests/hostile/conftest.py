"""Fixtures of the hostile suite and the closing tally of cases tried and 5xx answers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.hostile.hostile_support import (
    HEALTH_503,
    SERVER_ERRORS,
    TALLY,
    ThreadedRelaybot,
    hostile_settings,
)


@pytest.fixture(scope="module")
def relaybot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ThreadedRelaybot]:
    with ThreadedRelaybot(hostile_settings(tmp_path_factory.mktemp("hostile"))) as running:
        yield running


@pytest.fixture(scope="module")
def http(relaybot: ThreadedRelaybot) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=relaybot.url, timeout=30) as client:
        yield client


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
