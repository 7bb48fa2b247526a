"""Notification routing: an event -> who is told, by role.

An app declares a `Matrix` of routes (event, initiator's role -> recipient's role -> text)
and hands over the people concerned; `route` picks who hears what and always leaves out
the person who caused the event. The notices go out through any `Outlet` (a `Context` or a
job's context), so they leave with the transaction that made the change.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from relaybot.core.app import ButtonsSpec
from relaybot.core.types import Address, Attachment


@dataclass(frozen=True)
class Recipient:
    """A person who may be told: `key` is their identity, to recognise the initiator by."""

    key: str
    role: str
    address: Address | None
    channel: str
    locale: str


@dataclass(frozen=True)
class Route:
    """When `initiator` (a role) causes `event`, people of role `recipient` get `text`."""

    event: str
    initiator: str
    recipient: str
    text: str


class Matrix:
    """The recipient matrix of an app, checked when it is declared."""

    def __init__(self, routes: Iterable[Route]) -> None:
        self._routes: dict[tuple[str, str], dict[str, str]] = {}
        for route in routes:
            table = self._routes.setdefault((route.event, route.initiator), {})
            if route.recipient in table:
                raise ValueError(
                    f"notification matrix: {route.event} by {route.initiator} names "
                    f"recipient role {route.recipient!r} twice"
                )
            table[route.recipient] = route.text

    def texts(self, event: str, initiator_role: str) -> dict[str, str]:
        """Recipient role -> text for this event and initiator; empty when nobody is told."""
        return dict(self._routes.get((event, initiator_role), {}))

    @property
    def events(self) -> list[str]:
        """Events in the order they were declared."""
        return list(dict.fromkeys(event for event, _ in self._routes))

    def roles_told(self, event: str) -> list[str]:
        """Roles that may hear of `event`, in the order they were declared."""
        roles = (r for (e, _), table in self._routes.items() if e == event for r in table)
        return list(dict.fromkeys(roles))


@dataclass(frozen=True)
class Notice:
    """One person to tell, and the text they are told (see `route`)."""

    recipient: Recipient
    text: str


def route(
    matrix: Matrix,
    event: str,
    *,
    initiator_role: str,
    initiator_key: str | None,
    people: Iterable[Recipient],
) -> list[Notice]:
    """Who of `people` hears of `event`: once each, never the initiator, never the unreachable."""
    texts = matrix.texts(event, initiator_role)
    notices: list[Notice] = []
    seen: set[str] = set()
    for person in people:
        text = texts.get(person.role)
        if text is None or person.key == initiator_key or person.key in seen:
            continue
        if person.address is None:
            continue
        seen.add(person.key)
        notices.append(Notice(person, text))
    return notices


class Outlet(Protocol):
    """Anything that queues a message into the current transaction's outbox (`Context`, jobs)."""

    def send(
        self,
        to: Address,
        text: str,
        *,
        buttons: ButtonsSpec = None,
        media: Sequence[Attachment] = (),
    ) -> None:
        """Queue `text` for `to`; it leaves only when the transaction commits."""
        ...
