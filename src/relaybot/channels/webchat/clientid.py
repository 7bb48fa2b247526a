"""The page's own id for each message and tap: what makes a retry safe.

The page makes the id before the first attempt and sends the same one on every retry, so the
server can treat a repeat as the message it already has.
"""

from __future__ import annotations

import re

MIN_LENGTH = 8
MAX_LENGTH = 64
_SHAPE = re.compile(r"[A-Za-z0-9_-]+")
RULE = f"{MIN_LENGTH} to {MAX_LENGTH} characters of A-Z a-z 0-9 _ -"


def checked_client_id(value: object) -> str:
    """`value` as a client id; a ValueError says in words for the caller what is wrong."""
    if value is None or value == "":
        raise ValueError(f"the message has no client id: send an `id` of {RULE}")
    if not isinstance(value, str):
        raise ValueError(f"the client id must be a string of {RULE}")
    if len(value) > MAX_LENGTH:
        raise ValueError(
            f"the client id is too long: {len(value)} characters, at most {MAX_LENGTH}"
        )
    if len(value) < MIN_LENGTH:
        raise ValueError(
            f"the client id is too short: {len(value)} characters, at least {MIN_LENGTH}"
        )
    if not _SHAPE.fullmatch(value):
        raise ValueError(f"the client id may hold only {RULE}")
    return value
