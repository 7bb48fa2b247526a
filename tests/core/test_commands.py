"""Commands are read from the text alone, the same way on every channel."""

from __future__ import annotations

import pytest

from relaybot.core.commands import parse_command


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("/find red shoes", ("find", "red shoes")),
        ("/find@shop_bot red shoes", ("find", "red shoes")),
        ("  /Start  ", ("start", "")),
        ("/stock 12\n5", ("stock", "12\n5")),
        ("/start@", ("start", "")),
        ("hello /start", None),
        ("/", None),
        ("/path/to/file", None),
        ("/привет", None),
        ("", None),
    ],
)
def test_a_command_is_its_name_and_the_words_after_it(
    text: str, parsed: tuple[str, str] | None
) -> None:
    assert parse_command(text) == parsed
