"""What a person asked for: a pressed button (`hd:<name>[:<arg>]`) or a typed `/command arg`.

Buttons and typed commands end in the same `Command`, so a channel without buttons loses
nothing; Telegram's `/command@botname` form is understood too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from relaybot import Update

PREFIX = "hd:"

NAMES = frozenset(
    {
        "start",
        "menu",
        "help",
        "id",
        "new",
        "place",
        "scenario",
        "stop",
        "mine",
        "next",
        "decline",
        "close",
        "cancel",
        "open",
        "exit",
        "history",
        "queue",
        "join",
        "leave",
        "try",
        "grant",
        "revoke",
        "link",
        "unlink",
        "scenarios",
    }
)
ALIASES = {
    "me": "id",
    "whoami": "id",
    "my": "mine",
    "requests": "mine",
    "take": "next",
    "switch": "open",
    "all": "queue",
}
_NUMBER = re.compile(r"^#?(\d{1,18})$")


@dataclass(frozen=True)
class Command:
    name: str
    arg: str = ""

    def number(self) -> int | None:
        """The request or user number in the argument (`12` or `#12`), if there is one."""
        match = _NUMBER.match(self.arg.split(" ", 1)[0].strip()) if self.arg else None
        return int(match.group(1)) if match else None

    def words(self) -> list[str]:
        return self.arg.split()


def parse(update: Update) -> Command | None:
    payload = update.payload or ""
    if payload.startswith(PREFIX):
        name, _, arg = payload[len(PREFIX) :].partition(":")
        return Command(name if name in NAMES else "unknown", arg)
    text = (update.text or "").strip()
    if not text.startswith("/") or len(text) < 2:
        return None
    word, _, rest = text[1:].partition(" ")
    word = word.split("@", 1)[0].lower()
    name = ALIASES.get(word, word)
    if name not in NAMES:
        return Command("unknown", word[:32])
    return Command(name, rest.strip())


def payload(name: str, arg: object = "") -> str:
    return f"{PREFIX}{name}:{arg}" if arg != "" else f"{PREFIX}{name}"
