"""Fixtures of the hostile suite: one whole relaybot per module (the tally is in tally.py)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.hostile.hostile_support import ThreadedRelaybot, hostile_settings


@pytest.fixture(scope="module")
def relaybot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ThreadedRelaybot]:
    with ThreadedRelaybot(hostile_settings(tmp_path_factory.mktemp("hostile"))) as running:
        yield running


@pytest.fixture(scope="module")
def http(relaybot: ThreadedRelaybot) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=relaybot.url, timeout=30) as client:
        yield client
