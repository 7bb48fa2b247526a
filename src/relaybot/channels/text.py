"""Splitting texts that are longer than a channel allows, at the most readable place."""

from __future__ import annotations

_BREAKS = ("\n\n", "\n", ". ", " ")


def split_text(text: str, limit: int) -> list[str]:
    """Parts of at most `limit` characters, cut at a paragraph, line, sentence or word."""
    if limit <= 0:
        raise ValueError("limit must be positive")
    parts: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = 0
        for mark in _BREAKS:
            found = window.rfind(mark)
            if found >= limit // 2:
                cut = found + len(mark)
                break
        if cut == 0:
            cut = limit
        head = rest[:cut].rstrip()
        parts.append(head or rest[:cut])
        rest = rest[cut:].lstrip("\n ")
    if rest or not parts:
        parts.append(rest)
    return parts
