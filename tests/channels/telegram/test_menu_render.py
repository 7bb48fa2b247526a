"""The persistent menu as Bot API calls: a reply keyboard on the message that changes it, in
a short message of its own when that message already holds inline buttons."""

from __future__ import annotations

from aiogram.methods import SendMessage
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, ReplyKeyboardRemove

from relaybot.channels.telegram.render import EMPTY_TEXT, menu_markup, plan
from relaybot.core.types import Button, OutgoingMessage

MENU = ((Button("Help", "flow:help"), Button("Cancel", "flow:cancel")),)


def test_a_message_without_inline_buttons_carries_the_menu_itself():
    (method,) = plan(42, OutgoingMessage("Hello!", menu=MENU), None, menu_markup(MENU))
    assert isinstance(method, SendMessage) and method.text == "Hello!"
    keyboard = method.reply_markup
    assert keyboard is not None and keyboard.model_dump(exclude_none=True) == {
        "keyboard": [[{"text": "Help"}, {"text": "Cancel"}]],
        "is_persistent": True,
        "resize_keyboard": True,
    }


def test_a_message_with_inline_buttons_keeps_them_and_the_menu_follows():
    inline = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Yes", callback_data="flow:yes")]]
    )
    message = OutgoingMessage("Order 3 bottles?", buttons=((Button("Yes", "flow:yes"),),))
    question, menu = plan(42, message, inline, menu_markup(MENU))
    assert isinstance(question, SendMessage) and question.reply_markup is inline
    assert isinstance(menu, SendMessage) and menu.text == EMPTY_TEXT
    assert menu.reply_markup == menu_markup(MENU)


def test_an_empty_menu_takes_the_keyboard_away():
    assert menu_markup(()) == ReplyKeyboardRemove(remove_keyboard=True)
