"""The order bot's buttons: typed payloads, so a forged or stale press never reaches a handler."""

from __future__ import annotations

from relaybot import Payload


class Accept(Payload, prefix="ord.accept"):
    """An operator accepts a new order."""

    order_id: int


class Deliver(Payload, prefix="ord.deliver"):
    """An operator marks an accepted order delivered."""

    order_id: int


class Cancel(Payload, prefix="ord.cancel"):
    """An operator cancels an order; the reason is asked next."""

    order_id: int


class MyOrders(Payload, prefix="ord.mine"):
    """A client's own orders."""


class ClientCancel(Payload, prefix="ord.drop"):
    """A client cancels their own order while it is still new."""

    order_id: int
