"""Refusals every door (REST, chat, CLI) shows the same way: which field, and why."""

from __future__ import annotations


class Refused(ValueError):
    """A request breaks a rule of the data; `field` names the part that is wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class Missing(LookupError):
    """No such bot or job for this person (someone else's is missing too, not forbidden)."""


class Conflict(ValueError):
    """The change conflicts with what exists (a login taken)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
