"""Commands in a message's text: "/find@shop_bot red shoes" is command "find", args "red shoes".

Channel-neutral: the `@bot` suffix some messengers add in groups is dropped whatever it names.
"""

from __future__ import annotations

import re

_COMMAND = re.compile(r"/([A-Za-z0-9_]{1,32})(?:@\S*)?(?:\s+(.*))?", re.DOTALL)


def parse_command(text: str) -> tuple[str, str] | None:
    """The lower-cased command name and the stripped text after it, or None for plain text."""
    found = _COMMAND.fullmatch(text.strip())
    if found is None:
        return None
    return found.group(1).lower(), (found.group(2) or "").strip()
