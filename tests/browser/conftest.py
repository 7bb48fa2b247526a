"""Headless Chromium for the browser tests: Debian's `chromium`, driven by Playwright."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.needs import need

CHROMIUM = os.environ.get("RELAYBOT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_or_skip() -> str:
    if Path(CHROMIUM).exists():
        return CHROMIUM
    need(
        "Chromium",
        "the browser test did not run. Install Debian's `chromium` package "
        "(`.ci/run` does this in CI) or point RELAYBOT_CHROMIUM at a Chromium binary.",
    )


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    """One headless Chromium for the test, closed after it."""
    executable = chromium_or_skip()
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        launched = await pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            await launched.close()
