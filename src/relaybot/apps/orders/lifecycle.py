"""What may become of an order, and who hears of it: one set of rules for the operators'
chat, the client's chat, the REST API and `relaybot orders set-status`.

new -> confirmed (an operator accepts) -> delivered; new or confirmed -> cancelled, with a
reason. A client may cancel their own order while it is still new. Each change is audited in
the transaction that makes it, and the client is told in their own chat and language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from relaybot import N_, Address, audit, normalize_locale, translator

from .models import REASON_MAX, OperatorChat, Order

NEXT: Mapping[str, frozenset[str]] = {
    "new": frozenset({"confirmed", "cancelled"}),
    "confirmed": frozenset({"delivered", "cancelled"}),
    "delivered": frozenset(),
    "cancelled": frozenset(),
}
STATUS_WORDS = {
    "new": N_("new"),
    "confirmed": N_("accepted"),
    "delivered": N_("delivered"),
    "cancelled": N_("cancelled"),
}
CLIENT_NEWS = {
    "confirmed": N_("Your order No. {number} is accepted: the courier is on the way."),
    "delivered": N_("Your order No. {number} is delivered. Thank you!"),
    "cancelled": N_("Your order No. {number} is cancelled: {reason}"),
}
CANCELLED_BY_CLIENT = N_("cancelled by the client")


class OrderRefused(Exception):
    """A change the rules do not allow; `message` (untranslated) says why."""

    def __init__(self, message: str, **values: Any) -> None:
        super().__init__(message.format(**values))
        self.message = message
        self.values = values


class OrderMissing(LookupError):
    """No order with that number (or none that this client may see)."""


@dataclass(frozen=True)
class Change:
    """A change made: the order as it is now, and what its client is to be told."""

    order: Order
    before: str
    client: Address | None
    client_text: str

    @property
    def changed(self) -> bool:
        return self.before != self.order.status


def operators_news(change: Change, t: Any) -> str:
    """What the operators' chats read of a change, in the bot's language (`t`)."""
    order = change.order
    text = str(
        t(
            N_("Order No. {number} is now {status}."),
            number=order.id,
            status=t(STATUS_WORDS[order.status]),
        )
    )
    if order.status == "cancelled" and order.cancel_reason:
        reason = order.cancel_reason
        if reason == CANCELLED_BY_CLIENT:
            reason = t(reason)
        text += "\n" + t(N_("Reason: {reason}"), reason=reason)
    return text


def client_address(order: Order) -> Address | None:
    chat = order.chat_id or order.client_id
    return Address(order.bot, chat) if chat else None


def client_news(order: Order, default_locale: str) -> str:
    t = translator(normalize_locale(order.language, default_locale))
    reason = order.cancel_reason or ""
    if order.cancel_reason == CANCELLED_BY_CLIENT:
        reason = t(CANCELLED_BY_CLIENT)
    return t(CLIENT_NEWS[order.status], number=order.id, reason=reason)


async def change_status(
    session: AsyncSession,
    order_id: int,
    to: str,
    *,
    actor: str,
    channel: str,
    now: datetime,
    default_locale: str,
    reason: str | None = None,
    client_id: str | None = None,
) -> Change:
    """Move order `order_id` to `to`, or raise; `client_id` set means the client acts, who
    may only cancel their own new order."""
    order = await session.get(Order, order_id, with_for_update=True)
    if order is None or (client_id is not None and order.client_id != client_id):
        raise OrderMissing(f"order {order_id} does not exist")
    if to not in NEXT:
        raise OrderRefused(N_("There is no status {status}."), status=to)
    if to == order.status and client_id is None:
        return Change(order, order.status, None, "")  # already so: nothing to do or tell
    if client_id is not None and (to != "cancelled" or order.status != "new"):
        raise OrderRefused(
            N_("Order No. {number} is already {status}: only a new order can be cancelled."),
            number=order.id,
            status=STATUS_WORDS[order.status],
        )
    if to not in NEXT[order.status]:
        raise OrderRefused(
            N_("Order No. {number} is {status}: it cannot become {wanted}."),
            number=order.id,
            status=STATUS_WORDS[order.status],
            wanted=STATUS_WORDS[to],
        )
    cleaned = " ".join((reason or "").split())[:REASON_MAX]
    if to == "cancelled":
        if client_id is not None:
            cleaned = CANCELLED_BY_CLIENT
        if not cleaned:
            raise OrderRefused(N_("Please give the reason for the cancellation."))
        order.cancel_reason = cleaned
    before = order.status
    order.status = to
    order.updated_at = now
    await audit(
        session,
        actor=actor,
        channel=channel,
        action="orders.set_status",
        target=str(order.id),
        bot=order.bot,
        details={"from": before, "to": to, **({"reason": cleaned} if cleaned else {})},
    )
    await session.flush()
    return Change(order, before, client_address(order), client_news(order, default_locale))


async def operator_chats(session: AsyncSession) -> list[Address]:
    """The registered operators' chats, of whichever bot."""
    rows = await session.scalars(select(OperatorChat).order_by(OperatorChat.id))
    return [Address(row.bot, row.chat_id) for row in rows]


async def is_operator_chat(session: AsyncSession, address: Address) -> bool:
    found = await session.scalar(
        select(OperatorChat.id).where(
            OperatorChat.bot == address.bot, OperatorChat.chat_id == address.chat_id
        )
    )
    return found is not None


async def add_operator_chat(session: AsyncSession, address: Address, now: datetime) -> bool:
    """Make `address` an operators' chat; False when it already is one."""
    if await is_operator_chat(session, address):
        return False
    session.add(OperatorChat(bot=address.bot, chat_id=address.chat_id, created_at=now))
    await session.flush()
    return True


async def remove_operator_chat(session: AsyncSession, address: Address) -> bool:
    row = await session.scalar(
        select(OperatorChat).where(
            OperatorChat.bot == address.bot, OperatorChat.chat_id == address.chat_id
        )
    )
    if row is None:
        return False
    await session.delete(row)
    return True
