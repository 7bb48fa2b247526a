"""The water order story over Telegram, with the Bot API played by the stand-in over HTTP."""

from __future__ import annotations

import asyncio

from relaybot.testing import RelaybotServer
from relaybot.testing.telegram_standin import TelegramStandin
from tests.channels.helpers import TELEGRAM_TOKEN, orders_in, telegram_bot


def texts(messages: list) -> str:
    return "\n".join(m.text for m in messages)


async def order_three_bottles(telegram: TelegramStandin) -> None:
    user = telegram.user(TELEGRAM_TOKEN, user_id=5000001, first_name="Aida")
    greeting = await user.say("/start", expect=2)
    assert "19-litre bottles" in greeting[0].text
    assert "deliver" in greeting[-1].text
    assert "Cancel" in user.buttons()

    reply = await user.say("Bishkek, Chui avenue 120, apt 5")
    assert "phone" in texts(reply)
    reply = await user.share_contact("+996555123456")
    assert "How many" in texts(reply)
    assert {"1", "2", "3", "5", "10"} <= set(user.buttons())

    summary = await user.press("3")
    body = texts(summary)
    assert "Bishkek, Chui avenue 120, apt 5" in body and "+996555123456" in body
    assert "3 × 19 l" in body
    done = await user.press("Yes")
    assert "order No. 1 is accepted" in texts(done)


async def test_client_orders_three_bottles_over_a_telegram_webhook(
    make_settings, database_url, telegram
):
    settings = make_settings(database_url, bots=[telegram_bot(telegram)])
    async with RelaybotServer(settings) as server:
        state = telegram.bot(TELEGRAM_TOKEN)
        state.webhook_url = f"{server.url}/webhook/telegram/water"
        state.webhook_secret = "telegram-secret_1"
        await order_three_bottles(telegram)
        orders = await orders_in(server)
    assert [(o.client_phone, o.bottles_count, o.source, o.client_id) for o in orders] == [
        ("+996555123456", 3, "telegram", "5000001")
    ]
    presses = telegram.calls_to("answerCallbackQuery")
    assert len(presses) == 2, "every button press is answered so the button stops spinning"
    assert all(d == 200 for d in state.deliveries)


async def test_client_orders_three_bottles_over_telegram_long_polling(
    make_settings, sqlite_url, telegram
):
    settings = make_settings(sqlite_url, bots=[telegram_bot(telegram, mode="polling")])
    async with RelaybotServer(settings) as server:
        await order_three_bottles(telegram)
        orders = await orders_in(server)
        await asyncio.sleep(0)
    assert [(o.bottles_count, o.source) for o in orders] == [(3, "telegram")]
    assert len(telegram.calls_to("answerCallbackQuery")) == 2
    assert telegram.bot(TELEGRAM_TOKEN).pending == [] or all(
        u["update_id"] >= 0 for u in telegram.bot(TELEGRAM_TOKEN).pending
    )


async def test_two_telegram_bots_in_one_process_each_run_their_own_app(
    make_settings, sqlite_url, telegram
):
    from tests.channels.helpers import SHOWCASE

    second_token = "7000002:AAtest-token-of-the-showcase-bot"
    bots = [
        telegram_bot(telegram),
        telegram_bot(telegram, name="show", app=SHOWCASE, token=second_token, mode="polling"),
    ]
    async with RelaybotServer(make_settings(sqlite_url, bots=bots)) as server:
        state = telegram.bot(TELEGRAM_TOKEN)
        state.webhook_url = f"{server.url}/webhook/telegram/water"
        state.webhook_secret = "telegram-secret_1"
        water = telegram.user(TELEGRAM_TOKEN, user_id=4001)
        show = telegram.user(second_token, user_id=4001)
        greeting = await water.say("/start", expect=2)
        echo = await show.say("ping")
    assert "19-litre bottles" in greeting[0].text
    assert [m.text for m in echo] == ["you said: ping"]
    assert len(water.messages) == 2 and len(show.messages) == 1, "each bot its own messages"
    senders = {c.path.split("/")[1] for c in telegram.calls_to("sendMessage")}
    assert senders == {f"bot{TELEGRAM_TOKEN}", f"bot{second_token}"}
