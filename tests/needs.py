"""What a test needs from the machine: missing, it skips on a laptop and fails in CI."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"


def need(what: str, reason: str) -> NoReturn:
    """Stop the test because `what` is missing (style guide, habit 8: CI never skips)."""
    message = f"{what} is not available: {reason}"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)
