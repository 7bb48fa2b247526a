"""Field types for REST bodies that accept exactly what their JSON Schema says, no more.

Pydantic's lax mode turns `"7"` into 7 and `0` into False, which the OpenAPI document does
not promise; its strict mode refuses 7.0, which JSON Schema calls an integer. These types sit
between: the schema's own meaning, checked the same way by the server and by any validator
that reads the document (JSON Schema patterns are ECMA-262 regexes, so the blank characters
are spelled out rather than left to each engine's idea of `\\s`).
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BeforeValidator, ConfigDict, Field, StrictBool

# The largest integer a JSON reader using doubles (JavaScript, JSON Schema validators) holds
# exactly; ids, counts and offsets stop there, well inside a BIGINT column.
MAX_JSON_INT = 2**53 - 1
"""The bound of ids, counts and offsets in REST schemas: 2**53 - 1."""

# Spaces for Python's str.split() and for ECMA-262's \s, together.
_BLANKS = (
    "\t\n\v\f\r \x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
)
NOT_BLANK = f"[^{_BLANKS}]"
"""A `pattern=` for text that must hold something besides spaces (JSON Schema, ECMA-262)."""
_ALL_BLANK = re.compile(f"[{_BLANKS}]*")

STRICT_BODY = ConfigDict(strict=True, extra="forbid")
"""The `model_config` of a request body: exact JSON types, no unknown fields."""


def is_blank(text: str) -> bool:
    """True when `text` has no character outside the blanks NOT_BLANK excludes."""
    return _ALL_BLANK.fullmatch(text) is not None


def _whole_number(value: Any) -> Any:
    # JSON Schema's "integer" includes 7.0; strict validation then refuses the rest.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


JsonInt = Annotated[int, BeforeValidator(_whole_number)]
"""An integer as JSON Schema means it (7 and 7.0, not "7" or true), in a strict body."""
PositiveId = Annotated[int, Field(gt=0, le=MAX_JSON_INT), BeforeValidator(_whole_number)]
"""A JsonInt id from 1 to MAX_JSON_INT, its bounds in the schema."""

__all__ = [
    "MAX_JSON_INT",
    "NOT_BLANK",
    "STRICT_BODY",
    "JsonInt",
    "PositiveId",
    "StrictBool",
    "is_blank",
]
