"""An outgoing message as the Bot API calls that deliver it, built from aiogram's methods.

Long texts are split at 4096 characters and captions kept within 1024; photos and videos
in a row travel as albums of up to ten; buttons ride on the last part, since an album
cannot carry a keyboard. A new persistent menu (a reply keyboard) rides on the last part
too, unless that part has inline buttons: a message holds one keyboard, so the menu then
follows in a short message of its own. A text with `meta["reply_to"]` (a message id)
answers that message (in a discussion group: under the channel post). A message with
`meta["edit"]` (a message id) replaces the text of that message instead: its caption when
the message carries media, else its text. `meta["invoice"]` makes it an invoice
(`sendInvoice`).
"""

from __future__ import annotations

from typing import Any

from aiogram.methods import (
    EditMessageCaption,
    EditMessageText,
    SendAudio,
    SendContact,
    SendDocument,
    SendInvoice,
    SendLocation,
    SendMediaGroup,
    SendMessage,
    SendPhoto,
    SendVideo,
    TelegramMethod,
)
from aiogram.types import (
    InlineKeyboardMarkup,
    InputMediaAudio,
    InputMediaDocument,
    InputMediaLivePhoto,
    InputMediaPhoto,
    InputMediaVideo,
    KeyboardButton,
    LabeledPrice,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    ReplyParameters,
)

from relaybot.channels.text import split_text
from relaybot.core.types import Attachment, Button, OutgoingMessage

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
ALBUM_LIMIT = 10
EMPTY_TEXT = "…"  # Telegram refuses an empty text; buttons alone still need a message
_ALBUM_KINDS = {"photo", "video"}
_NO_CAPTION = {"location", "contact"}  # sent by methods that carry no caption

Method = TelegramMethod[Any]
Menu = ReplyKeyboardMarkup | ReplyKeyboardRemove
Markup = InlineKeyboardMarkup | Menu
AlbumItem = (
    InputMediaAudio | InputMediaDocument | InputMediaLivePhoto | InputMediaPhoto | InputMediaVideo
)


def menu_markup(menu: tuple[tuple[Button, ...], ...]) -> Menu:
    """The chat's persistent menu as a reply keyboard that stays up; () takes it away."""
    rows = [[KeyboardButton(text=b.text) for b in row] for row in menu if row]
    if not rows:
        return ReplyKeyboardRemove(remove_keyboard=True)
    return ReplyKeyboardMarkup(keyboard=rows, is_persistent=True, resize_keyboard=True)


def plan(
    chat_id: int | str,
    message: OutgoingMessage,
    markup: InlineKeyboardMarkup | None,
    menu: Menu | None = None,
) -> list[Method]:
    if menu is None:
        return _plan(chat_id, message, markup)
    if markup is not None:
        return [*_plan(chat_id, message, markup), *_texts(chat_id, EMPTY_TEXT, menu)]
    return _plan(chat_id, message, menu)


def _plan(chat_id: int | str, message: OutgoingMessage, markup: Markup | None) -> list[Method]:
    media = list(message.media)
    text = message.text.strip() and message.text
    inline = markup if isinstance(markup, InlineKeyboardMarkup) else None
    invoice = message.meta.get("invoice")
    if isinstance(invoice, dict):
        return [_invoice(chat_id, invoice, inline)]
    edit = message.meta.get("edit")
    if edit is not None:
        return [_edit(chat_id, str(edit), text or EMPTY_TEXT, inline, caption=bool(media))]
    if not media:
        texts = _texts(chat_id, text or EMPTY_TEXT, markup)
        reply_to = message.meta.get("reply_to")
        if isinstance(reply_to, str) and reply_to.isdigit() and isinstance(texts[0], SendMessage):
            texts[0] = texts[0].model_copy(
                update={"reply_parameters": ReplyParameters(message_id=int(reply_to))}
            )
        return texts
    if len(media) == 1 and media[0].kind not in _NO_CAPTION and len(text) <= CAPTION_LIMIT:
        return [_single(chat_id, media[0], caption=text or None, markup=markup)]
    caption: str | None = None
    if markup is None and text and len(text) <= CAPTION_LIMIT and media[0].kind not in _NO_CAPTION:
        caption, text = text, ""
    methods: list[Method] = []
    for run in _runs(media):
        first_caption, caption = caption, None
        if len(run) == 1:
            methods.append(_single(chat_id, run[0], caption=first_caption, markup=None))
        else:
            items: list[AlbumItem] = [
                _album_item(item, first_caption if position == 0 else None)
                for position, item in enumerate(run)
            ]
            methods.append(SendMediaGroup(chat_id=chat_id, media=items))
    if text or markup is not None:
        methods.extend(_texts(chat_id, text or EMPTY_TEXT, markup))
    return methods


def _invoice(
    chat_id: int | str, invoice: dict[str, Any], markup: InlineKeyboardMarkup | None
) -> Method:
    """`meta["invoice"]`: title, description, payload, currency and a whole `amount` (for
    Telegram Stars, currency "XTR", the number of stars; no provider token)."""
    try:
        amount = int(invoice["amount"])
        return SendInvoice(
            chat_id=chat_id,
            title=str(invoice["title"])[:32],
            description=str(invoice["description"])[:255],
            payload=str(invoice["payload"])[:128],
            currency=str(invoice["currency"]),
            prices=[
                LabeledPrice(label=str(invoice.get("label") or invoice["title"]), amount=amount)
            ],
            reply_markup=markup,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(
            f"an invoice needs title, description, payload, currency, amount: {exc}"
        ) from None


def _edit(
    chat_id: int | str,
    message_id: str,
    text: str,
    markup: InlineKeyboardMarkup | None,
    *,
    caption: bool,
) -> Method:
    if not message_id.isdigit():
        raise ValueError(f"cannot edit message {message_id!r}: not a Telegram message id")
    if caption:
        if len(text) > CAPTION_LIMIT:
            text = text[: CAPTION_LIMIT - 1] + "…"
        return EditMessageCaption(
            chat_id=chat_id, message_id=int(message_id), caption=text, reply_markup=markup
        )
    return EditMessageText(
        chat_id=chat_id, message_id=int(message_id), text=text[:TEXT_LIMIT], reply_markup=markup
    )


def _texts(chat_id: int | str, text: str, markup: Markup | None) -> list[Method]:
    parts = split_text(text, TEXT_LIMIT)
    return [
        SendMessage(
            chat_id=chat_id,
            text=part,
            reply_markup=markup if position == len(parts) - 1 else None,
        )
        for position, part in enumerate(parts)
    ]


def _runs(media: list[Attachment]) -> list[list[Attachment]]:
    """Consecutive photos/videos form albums of 2..10; everything else goes alone."""
    runs: list[list[Attachment]] = []
    for item in media:
        last = runs[-1] if runs else None
        if (
            item.kind in _ALBUM_KINDS
            and last is not None
            and last[0].kind in _ALBUM_KINDS
            and len(last) < ALBUM_LIMIT
        ):
            last.append(item)
        else:
            runs.append([item])
    return runs


def _album_item(item: Attachment, caption: str | None) -> InputMediaPhoto | InputMediaVideo:
    if item.kind == "video":
        return InputMediaVideo(media=item.ref, caption=caption)
    return InputMediaPhoto(media=item.ref, caption=caption)


def _single(
    chat_id: int | str,
    item: Attachment,
    *,
    caption: str | None,
    markup: Markup | None,
) -> Method:
    caption = caption or item.caption
    if caption is not None and len(caption) > CAPTION_LIMIT:
        caption = caption[: CAPTION_LIMIT - 1] + "…"
    if item.kind == "photo":
        return SendPhoto(chat_id=chat_id, photo=item.ref, caption=caption, reply_markup=markup)
    if item.kind == "video":
        return SendVideo(chat_id=chat_id, video=item.ref, caption=caption, reply_markup=markup)
    if item.kind == "audio":
        return SendAudio(chat_id=chat_id, audio=item.ref, caption=caption, reply_markup=markup)
    if item.kind == "contact":
        return SendContact(
            chat_id=chat_id,
            phone_number=item.ref,
            first_name=item.name or item.ref,
            reply_markup=markup,
        )
    if item.kind == "location":
        latitude, _, longitude = item.ref.partition(",")
        return SendLocation(
            chat_id=chat_id,
            latitude=float(latitude),
            longitude=float(longitude),
            reply_markup=markup,
        )
    return SendDocument(chat_id=chat_id, document=item.ref, caption=caption, reply_markup=markup)
