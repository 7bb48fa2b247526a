"""The shared vocabulary: what comes in from a channel and what goes out to one.

This module imports nothing of relaybot so every layer may depend on it. The types are
msgspec structs because they are encoded on every hop of the pipeline (queue, outbox).
"""

from __future__ import annotations

import time
from typing import Any, Literal

import msgspec

UpdateKind = Literal["message", "button", "command", "event"]
AttachmentKind = Literal["photo", "document", "audio", "video", "location", "contact", "other"]


class Attachment(msgspec.Struct, frozen=True, omit_defaults=True):
    """A file, location or contact attached to a message.

    `ref` is the channel's own id or a URL; a location's is "latitude,longitude", a shared
    contact's is its phone number (with the person's name in `name`).
    """

    kind: AttachmentKind
    ref: str
    caption: str | None = None
    mime_type: str | None = None
    name: str | None = None


class Button(msgspec.Struct, frozen=True, omit_defaults=True):
    """A choice offered to the user. `payload` comes back verbatim when it is pressed."""

    text: str
    payload: str


class Update(msgspec.Struct, frozen=True, omit_defaults=True):
    """One thing a user did, normalised from any channel.

    `update_id` is the channel's own id and, with `bot`, the idempotency key: a channel that
    delivers the same update twice is answered but the repeat is never processed.
    """

    channel: str
    bot: str
    chat_id: str
    user_id: str
    update_id: str
    kind: UpdateKind = "message"
    text: str = ""
    payload: str | None = None
    attachments: tuple[Attachment, ...] = ()
    user_name: str | None = None
    language: str | None = None
    chat_type: str = "private"
    received_at: float = msgspec.field(default_factory=time.time)
    trace_id: str = ""
    raw: dict[str, Any] = msgspec.field(default_factory=dict)

    @property
    def chat_key(self) -> str:
        """ "bot:chat_id": updates with the same key are handled one at a time, in order."""
        return f"{self.bot}:{self.chat_id}"


class OutgoingMessage(msgspec.Struct, frozen=True, omit_defaults=True):
    """What a bot says. Rows of `buttons` are laid out as the channel allows.

    `menu` sets the chat's persistent menu, the buttons of what is always possible there (a
    reply keyboard on Telegram, a bar under the web chat's message box): None leaves it as
    it is, an empty tuple takes it away. It stays until a later message sets another.
    """

    text: str = ""
    buttons: tuple[tuple[Button, ...], ...] = ()
    media: tuple[Attachment, ...] = ()
    reply_to_update: str | None = None
    meta: dict[str, Any] = msgspec.field(default_factory=dict)
    menu: tuple[tuple[Button, ...], ...] | None = None


class Address(msgspec.Struct, frozen=True):
    """Where a message goes: one chat of one configured bot."""

    bot: str
    chat_id: str


_update_encoder = msgspec.json.Encoder()
_update_decoder = msgspec.json.Decoder(Update)
_message_decoder = msgspec.json.Decoder(OutgoingMessage)


def encode(value: Update | OutgoingMessage) -> bytes:
    return _update_encoder.encode(value)


def decode_update(data: bytes | str) -> Update:
    return _update_decoder.decode(data)


def decode_message(data: bytes | str) -> OutgoingMessage:
    return _message_decoder.decode(data)
