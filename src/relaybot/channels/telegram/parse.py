"""Telegram updates (parsed by aiogram's types) into relaybot's channel-neutral updates."""

from __future__ import annotations

import time
from typing import Any

from aiogram import types

from relaybot.core.types import Attachment, Update, UpdateKind


def to_update(update: types.Update, *, bot: str) -> Update | None:
    """The core update, or None for kinds relaybot does not handle (acknowledged, ignored)."""
    if update.message is not None:
        return _from_message(update.message, update_id=update.update_id, bot=bot)
    if update.callback_query is not None:
        return _from_callback(update.callback_query, update_id=update.update_id, bot=bot)
    return None


def _from_message(message: types.Message, *, update_id: int, bot: str) -> Update | None:
    user = message.from_user
    text = message.text or message.caption or ""
    attachments = _attachments(message)
    if message.contact is not None:
        text = text or message.contact.phone_number
    if not text and not attachments:
        return None  # service messages (members joined, pinned, ...) are not dialogue
    kind: UpdateKind = "message"
    if message.text and message.text.startswith("/"):
        kind = "command"
        command, _, rest = message.text.partition(" ")
        text = command.split("@", 1)[0] + (f" {rest}" if rest else "")
    raw: dict[str, Any] = {"message_id": message.message_id}
    if message.media_group_id:
        raw["media_group_id"] = message.media_group_id
    if user is not None and user.username:
        raw["username"] = user.username
    origin = _forwarded_from(message)
    if origin is not None:
        raw["forwarded_from"] = origin
    return Update(
        channel="telegram",
        bot=bot,
        chat_id=str(message.chat.id),
        user_id=str(user.id if user is not None else message.chat.id),
        update_id=str(update_id),
        kind=kind,
        text=text,
        attachments=attachments,
        user_name=user.full_name if user is not None else message.chat.title,
        language=user.language_code if user is not None else None,
        chat_type=message.chat.type,
        received_at=time.time(),
        raw=raw,
    )


def _forwarded_from(message: types.Message) -> dict[str, Any] | None:
    """Where a message forwarded from a channel came from: the channel's chat id, the
    message's id there, and whether Telegram forwarded it itself (a channel post copied into
    the channel's linked discussion group)."""
    origin = message.forward_origin
    if isinstance(origin, types.MessageOriginChannel):
        chat_id, message_id = origin.chat.id, origin.message_id
    elif message.forward_from_chat is not None and message.forward_from_message_id is not None:
        chat_id, message_id = message.forward_from_chat.id, message.forward_from_message_id
    else:
        return None
    return {
        "chat_id": str(chat_id),
        "message_id": str(message_id),
        "automatic": bool(message.is_automatic_forward),
    }


def _from_callback(query: types.CallbackQuery, *, update_id: int, bot: str) -> Update:
    message = query.message
    chat_id = query.from_user.id
    chat_type = "private"
    label = ""
    raw: dict[str, Any] = {"callback_query_id": query.id}
    if query.from_user.username:
        raw["username"] = query.from_user.username
    if message is not None:
        chat_id = message.chat.id
        chat_type = message.chat.type
        raw["message_id"] = message.message_id
    if isinstance(message, types.Message) and message.reply_markup is not None:
        for row in message.reply_markup.inline_keyboard:
            for button in row:
                if button.callback_data == query.data:
                    label = button.text
    return Update(
        channel="telegram",
        bot=bot,
        chat_id=str(chat_id),
        user_id=str(query.from_user.id),
        update_id=str(update_id),
        kind="button",
        text=label,
        payload=query.data,
        user_name=query.from_user.full_name,
        language=query.from_user.language_code,
        chat_type=chat_type,
        received_at=time.time(),
        raw=raw,
    )


def _attachments(message: types.Message) -> tuple[Attachment, ...]:
    found: list[Attachment] = []
    caption = message.caption
    if message.photo:
        largest = max(message.photo, key=lambda p: p.width * p.height)
        found.append(Attachment("photo", largest.file_id, caption=caption))
    if message.document is not None:
        doc = message.document
        found.append(
            Attachment(
                "document",
                doc.file_id,
                caption=caption,
                mime_type=doc.mime_type,
                name=doc.file_name,
            )
        )
    if message.video is not None:
        found.append(Attachment("video", message.video.file_id, caption=caption))
    if message.audio is not None:
        found.append(Attachment("audio", message.audio.file_id, caption=caption))
    if message.voice is not None:
        found.append(Attachment("audio", message.voice.file_id, mime_type=message.voice.mime_type))
    if message.location is not None:
        loc = message.location
        found.append(Attachment("location", f"{loc.latitude},{loc.longitude}"))
    if message.contact is not None:
        contact = message.contact
        name = " ".join(part for part in (contact.first_name, contact.last_name) if part)
        found.append(Attachment("contact", contact.phone_number, name=name or None))
    return tuple(found)
