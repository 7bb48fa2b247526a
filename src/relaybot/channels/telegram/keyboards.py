"""Stale inline keyboards edited away: when a message whose `meta["supersedes"]` is set
brings new inline buttons, the chat's previous inline keyboard is removed with
`editMessageReplyMarkup`, so old buttons disappear instead of answering "no longer active".

What was last shown is remembered in this process only. After a restart, or when another
process sent the previous keyboard, it simply stays up; pressing it is still refused safely
by the app (a stale payload), so forgetting costs nothing but tidiness.
"""

from __future__ import annotations

from collections import OrderedDict

from aiogram.methods import EditMessageReplyMarkup

from relaybot.core.types import OutgoingMessage

SUPERSEDES = "supersedes"
MAX_CHATS = 50_000


def supersedes(message: OutgoingMessage) -> bool:
    """Whether the message's buttons replace the chat's older ones."""
    return (
        bool(message.buttons)
        and bool(message.meta.get(SUPERSEDES))
        and not message.meta.get("edit")
    )


class KeyboardKeeper:
    """The message id of each chat's newest superseding inline keyboard."""

    def __init__(self, max_chats: int = MAX_CHATS) -> None:
        self.max_chats = max_chats
        self._shown: OrderedDict[str, str] = OrderedDict()

    def replaced(self, chat_id: str, new_message_id: str) -> EditMessageReplyMarkup | None:
        """Remember the new keyboard; the call that removes the old one, if there was one."""
        old = self._shown.pop(chat_id, None)
        self._shown[chat_id] = new_message_id
        if len(self._shown) > self.max_chats:
            self._shown.popitem(last=False)
        if old is None or old == new_message_id or not old.isdigit():
            return None
        target: int | str = int(chat_id) if chat_id.lstrip("-").isdigit() else chat_id
        return EditMessageReplyMarkup(chat_id=target, message_id=int(old), reply_markup=None)
