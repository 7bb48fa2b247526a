"""Buttons on channels that only carry text: shown as a list, answered by number or label."""

from __future__ import annotations

from collections.abc import Sequence

from relaybot.core.types import Button

Option = tuple[str, str]  # (label, payload)


def flatten(rows: Sequence[Sequence[Button]]) -> list[Option]:
    return [(b.text, b.payload) for row in rows for b in row]


def numbered(options: Sequence[Option]) -> bool:
    """Numbers only when no label is itself a number: "3" must mean three bottles."""
    return not any(label.strip().isdigit() for label, _ in options)


def render(text: str, options: Sequence[Option], *, hint: str) -> str:
    if not options:
        return text
    if numbered(options):
        lines = [f"{n}. {label}" for n, (label, _) in enumerate(options, start=1)]
    else:
        lines = [f"• {label}" for label, _ in options]
    body = "\n".join(lines)
    return f"{text}\n\n{body}\n{hint}" if text else f"{body}\n{hint}"


def match(typed: str, options: Sequence[Option]) -> Option | None:
    """The option a typed answer picks: its exact label first, then its number."""
    answer = typed.strip().casefold()
    if not answer:
        return None
    for label, payload in options:
        if label.strip().casefold() == answer:
            return label, payload
    if numbered(options) and answer.isdigit():
        position = int(answer)
        if 1 <= position <= len(options):
            return options[position - 1]
    return None
