"""The buttons of the filter bot."""

from __future__ import annotations

from relaybot import Payload


class NewFilter(Payload, prefix="clf-new"):
    """Build a new filter."""


class MyFilters(Payload, prefix="clf-list"):
    """The person's filters."""


class Extend(Payload, prefix="clf-ext"):
    """Extend filter `id` by `days`."""

    id: int
    days: int


class DropFilter(Payload, prefix="clf-del"):
    """Delete filter `id`."""

    id: int
