"""The Telegram client's JSON session: same messages, same answers, same errors as aiogram's."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramForbiddenError, TelegramRetryAfter
from aiogram.methods import SendMessage
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup, Message

from relaybot.channels.telegram.session import JsonAiohttpSession
from relaybot.testing.telegram_standin import TelegramStandin

TOKEN = "4242:json-session-token"


@pytest.fixture
async def bot(telegram_api: TelegramStandin) -> AsyncIterator[Bot]:
    session = JsonAiohttpSession(api=TelegramAPIServer.from_base(telegram_api.url), timeout=5)
    client = Bot(TOKEN, session=session)
    yield client
    await session.close()


@pytest.fixture
async def telegram_api() -> AsyncIterator[TelegramStandin]:
    async with TelegramStandin() as standin:
        yield standin


async def test_a_reply_with_buttons_travels_as_json_and_comes_back_as_a_message(
    bot: Bot, telegram_api: TelegramStandin
) -> None:
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Yes", callback_data="flow:yes")]]
    )
    sent = await bot.send_message(77, "Your order No. 5 is accepted.", reply_markup=markup)

    assert isinstance(sent, Message)
    assert sent.chat.id == 77 and sent.text == "Your order No. 5 is accepted."
    assert sent.reply_markup is not None
    assert sent.reply_markup.inline_keyboard[0][0].callback_data == "flow:yes"
    call = telegram_api.calls_to("sendMessage")[0]
    assert call.headers["content-type"] == "application/json"
    assert call.params["reply_markup"] == {
        "inline_keyboard": [[{"text": "Yes", "callback_data": "flow:yes"}]]
    }
    assert [m.labels for m in telegram_api.sent_to(77)] == [["Yes"]]


async def test_telegram_asking_to_wait_or_refusing_raises_aiograms_own_errors(
    bot: Bot, telegram_api: TelegramStandin
) -> None:
    telegram_api.fail("sendMessage", status=429, retry_after=7)
    with pytest.raises(TelegramRetryAfter) as waited:
        await bot.send_message(77, "hello")
    assert waited.value.retry_after == 7

    telegram_api.block(78)
    with pytest.raises(TelegramForbiddenError):
        await bot.send_message(78, "hello")
    assert telegram_api.sent_to(77) == [] and telegram_api.sent_to(78) == []


async def test_an_upload_still_goes_as_multipart_form(
    bot: Bot, telegram_api: TelegramStandin
) -> None:
    photo = BufferedInputFile(b"\x89PNG not really", filename="receipt.png")
    sent = await bot.send_photo(77, photo, caption="Your receipt")

    assert sent.caption == "Your receipt"
    call = telegram_api.calls_to("sendPhoto")[0]
    assert call.headers["content-type"].startswith("multipart/form-data")
    attached = call.params["photo"].removeprefix("attach://")
    assert call.params[attached]["filename"] == "receipt.png"


SEND_MESSAGE_VARIANTS = [
    SendMessage(chat_id=77, text="Your order No. 5 is accepted."),
    SendMessage(chat_id=88, text="Open today until 18:00", protect_content=True),
    SendMessage(chat_id=-1001234, text="x" * 4096, disable_notification=True),
    SendMessage(
        chat_id=77,
        text="Please check your order:",
        reply_markup=InlineKeyboardMarkup(
            inline_keyboard=[
                [
                    InlineKeyboardButton(text="Yes", callback_data="flow:yes"),
                    InlineKeyboardButton(text="No", callback_data="flow:no"),
                ],
                [InlineKeyboardButton(text="Site", url="https://example.org/order")],
            ]
        ),
    ),
    SendMessage(chat_id=77, text="<b>bold</b>", parse_mode="HTML", message_thread_id=3),
]


@pytest.mark.parametrize("method", SEND_MESSAGE_VARIANTS, ids=range(len(SEND_MESSAGE_VARIANTS)))
async def test_a_delivered_reply_has_the_body_aiogram_itself_would_send(
    bot: Bot, telegram_api: TelegramStandin, method: SendMessage
) -> None:
    session = bot.session
    assert isinstance(session, JsonAiohttpSession)
    await session.deliver(bot, method)
    await bot(method)

    delivered, called = telegram_api.calls_to("sendMessage")
    assert delivered.params == called.params
    assert delivered.headers["content-type"] == "application/json"


async def test_a_delivery_refused_by_telegram_raises_aiograms_error(
    bot: Bot, telegram_api: TelegramStandin
) -> None:
    session = bot.session
    assert isinstance(session, JsonAiohttpSession)
    telegram_api.fail("sendMessage", status=429, retry_after=3)
    with pytest.raises(TelegramRetryAfter) as waited:
        await session.deliver(bot, SendMessage(chat_id=77, text="hello"))
    assert waited.value.retry_after == 3

    telegram_api.block(78)
    with pytest.raises(TelegramForbiddenError):
        await session.deliver(bot, SendMessage(chat_id=78, text="hello"))
    assert telegram_api.sent_to(77) == [] and telegram_api.sent_to(78) == []
