"""Delivery receipts: the channel's ids of a message the sender delivered, handed back to the app.

An app that must later edit or recognise what it sent (a post in a channel) asks for a
receipt by naming it in the message's meta (`receipt_meta(tag)`). Once the channel has
accepted the message, the sender hands the ids back as an update of its own to the same bot
and chat, in the chat's order; `receipt_of(update)` reads it. A channel whose adapter reports
no ids sends no receipt.
"""

from __future__ import annotations

from typing import Any

import msgspec

from relaybot.core.types import Update

RECEIPT_META = "receipt"
RECEIPT_PREFIX = "__receipt__:"


class Receipt(msgspec.Struct, frozen=True):
    """What one delivered message became: its tag and the channel's message ids, in order."""

    tag: str
    chat_id: str
    message_ids: tuple[str, ...]


def receipt_meta(tag: str) -> dict[str, Any]:
    """The `meta` that asks for a receipt tagged `tag` (at most 200 characters)."""
    if not 1 <= len(tag) <= 200:
        raise ValueError("a receipt tag has 1 to 200 characters")
    return {RECEIPT_META: tag}


def receipt_update(
    *, channel: str, bot: str, chat_id: str, delivery: str, receipt: Receipt
) -> Update:
    """The update that carries `receipt` back; its id is derived from the delivery, so a
    message delivered twice after a crash is receipted once."""
    return Update(
        channel=channel,
        bot=bot,
        chat_id=chat_id,
        user_id="",
        update_id=f"receipt:{delivery}",
        kind="event",
        payload=f"{RECEIPT_PREFIX}{receipt.tag}",
        raw={"receipt": msgspec.to_builtins(receipt)},
    )


def receipt_of(update: Update) -> Receipt | None:
    """The receipt this update brings, if it is one."""
    if update.kind != "event" or not (update.payload or "").startswith(RECEIPT_PREFIX):
        return None
    try:
        return msgspec.convert(update.raw.get("receipt"), Receipt)
    except msgspec.ValidationError:
        return None
