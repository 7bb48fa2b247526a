"""What leaves for Telegram: split texts, albums, long button payloads, and how errors land."""

from __future__ import annotations

from sqlalchemy import func, select

from relaybot.store.models import Chat, DeadLetter, OutboxMessage
from relaybot.testing import RelaybotServer, eventually
from tests.channels.apps import LONG_PAYLOAD, LONG_TEXT
from tests.channels.helpers import SHOWCASE, TELEGRAM_TOKEN, telegram_bot


def showcase(telegram, **overrides):
    return telegram_bot(telegram, name="show", app=SHOWCASE, **overrides)


def hook(telegram, server, bot="show"):
    state = telegram.bot(TELEGRAM_TOKEN)
    state.webhook_url = f"{server.url}/webhook/telegram/{bot}"
    state.webhook_secret = "telegram-secret_1"
    return state


async def test_a_long_text_arrives_in_parts_of_at_most_4096_with_the_buttons_on_the_last(
    make_settings, sqlite_url, telegram
):
    async with RelaybotServer(make_settings(sqlite_url, bots=[showcase(telegram)])) as server:
        hook(telegram, server)
        user = telegram.user(TELEGRAM_TOKEN)
        parts = await user.say("/long", expect=3)
    assert len(LONG_TEXT) > 2 * 4096
    assert len(parts) == 3 and all(len(p.text) <= 4096 for p in parts)
    assert "\n\n".join(p.text for p in parts) == LONG_TEXT, "cut between paragraphs, nothing lost"
    assert [bool(p.buttons) for p in parts] == [False, False, True]


async def test_a_button_payload_longer_than_64_bytes_comes_back_whole_when_pressed(
    make_settings, database_url, telegram
):
    settings = make_settings(database_url, bots=[showcase(telegram)])
    async with RelaybotServer(settings) as server:
        hook(telegram, server)
        user = telegram.user(TELEGRAM_TOKEN)
        await user.say("/bigbutton")
        sent = {b["text"]: b["callback_data"] for b in user.messages[-1].buttons}
        assert sent["Short"] == "s"
        assert len(sent["Long one"].encode()) <= 64 and LONG_PAYLOAD not in sent["Long one"]
        reply = await user.press("Long one")
        assert reply[-1].text == f"pressed Long one: {LONG_PAYLOAD}"
        await user.say("/bigbutton")
        again = {b["text"]: b["callback_data"] for b in user.messages[-1].buttons}
        assert again == sent, "the same payload keeps its key"


async def test_photos_come_in_as_attachments_and_go_out_as_an_album(
    make_settings, sqlite_url, telegram
):
    async with RelaybotServer(make_settings(sqlite_url, bots=[showcase(telegram)])) as server:
        hook(telegram, server)
        user = telegram.user(TELEGRAM_TOKEN)
        reply = await user.send_photo("AgACphoto42", caption="my bottle", media_group_id="mg1")
        assert reply[-1].text == "got photo AgACphoto42 (my bottle)"
        album = await user.say("/album", expect=3)
        assert [m.media for m in album] == [["photo-1"], ["photo-2"], ["photo-3"]]
        assert len({m.media_group_id for m in album}) == 1 and album[0].media_group_id
        assert album[0].text == "Three bottles, three photos"
        single = await user.say("/photo")
        assert single[-1].kind == "photo" and single[-1].labels == ["Ok"]
    assert len(telegram.calls_to("sendMediaGroup")) == 1


async def test_a_429_pauses_the_bot_for_retry_after_then_the_message_goes_once(
    make_settings, sqlite_url, telegram
):
    async with RelaybotServer(make_settings(sqlite_url, bots=[showcase(telegram)])) as server:
        hook(telegram, server)
        telegram.fail("sendMessage", status=429, retry_after=2)
        first, second = (
            telegram.user(TELEGRAM_TOKEN, user_id=1001),
            telegram.user(TELEGRAM_TOKEN, user_id=1002),
        )
        await first.send({"message": first._message(text="one")})
        await telegram.wait_until(lambda: len(telegram.calls_to("sendMessage")) == 1)
        await second.send({"message": second._message(text="two")})
        await telegram.wait_until(lambda: len(first.messages) == 1 and len(second.messages) == 1)
    calls = telegram.calls_to("sendMessage")
    refused, *later = calls
    assert refused.status == 429
    assert all(c.at - refused.at >= 2.0 for c in later), "nothing for that bot within 2 s"
    assert [c.status for c in later] == [200, 200]
    assert [m.text for m in first.messages] == ["you said: one"]
    assert [m.text for m in second.messages] == ["you said: two"]


async def test_a_user_who_blocked_the_bot_is_marked_and_never_retried(
    make_settings, database_url, telegram
):
    async with RelaybotServer(make_settings(database_url, bots=[showcase(telegram)])) as server:
        hook(telegram, server)
        user = telegram.user(TELEGRAM_TOKEN, user_id=2001)
        await user.say("hi")
        telegram.block(2001)
        await user.send({"message": user._message(text="still there?")})
        assert server.system is not None
        sessions = server.system.sessions

        async def blocked() -> object:
            async with sessions() as session:
                return await session.scalar(
                    select(Chat.blocked_at).where(Chat.bot == "show", Chat.chat_id == "2001")
                )

        await eventually(blocked)
        async with sessions() as session:
            statuses = list(await session.scalars(select(OutboxMessage.status)))
            dead = await session.scalar(select(func.count()).select_from(DeadLetter))
    assert sorted(statuses) == ["blocked", "sent"]
    assert dead == 0
    refused = [c for c in telegram.calls_to("sendMessage") if c.status == 403]
    assert len(refused) == 1, "a 403 is not retried"


async def test_a_hung_call_and_a_5xx_are_retried_until_the_message_arrives_once(
    make_settings, sqlite_url, telegram
):
    settings = make_settings(
        sqlite_url, bots=[showcase(telegram)], send_timeout=1.0, outbox_backoff_base=0.2
    )
    async with RelaybotServer(settings) as server:
        hook(telegram, server)
        telegram.hang("sendMessage", seconds=2)
        telegram.fail("sendMessage", status=502)
        user = telegram.user(TELEGRAM_TOKEN, user_id=3001)
        await user.send({"message": user._message(text="anyone?")})
        await telegram.wait_until(lambda: len(user.messages) == 1, timeout=10)
        sessions = server.system.sessions  # type: ignore[union-attr]

        async def sent() -> OutboxMessage | None:
            async with sessions() as session:
                row = (await session.scalars(select(OutboxMessage))).one()
                return row if row.status == "sent" else None

        row = await eventually(sent)
        await telegram.wait_until(lambda: telegram.calls_to("sendMessage")[0].status != 0)
    assert [m.text for m in user.messages] == ["you said: anyone?"]
    assert [c.status for c in telegram.calls_to("sendMessage")] == [499, 502, 200]
    assert row.status == "sent" and row.attempts == 2
