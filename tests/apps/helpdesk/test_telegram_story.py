"""The help desk story on Telegram: three private chats with one bot, photos included.

The Bot API is played by the stand-in server over HTTP; relaybot's real adapter talks to it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from click.testing import CliRunner
from sqlalchemy import select

from relaybot.apps.helpdesk.models import DemandMessage
from relaybot.cli import main
from relaybot.config import Settings
from relaybot.testing import RelaybotServer
from relaybot.testing.telegram_standin import BotMessage, TelegramStandin, TelegramUser

TOKEN = "7000042:AAtest-token-of-the-help-desk-bot"
SECRET = "helpdesk-secret_1"
QUIET = 0.15


def texts(messages: list[BotMessage]) -> str:
    return "\n".join(m.text for m in messages)


class Chat:
    """A Telegram user and how far they have read what the bot sent them."""

    def __init__(self, user: TelegramUser) -> None:
        self.user = user
        self.read = 0

    async def say(self, text: str, *, expect: int = 1) -> str:
        await self.heard(0)
        replies = await self.user.say(text, expect=expect, quiet=QUIET)
        self.read = len(self.user.messages)
        return texts(replies)

    async def press(self, label: str, *, expect: int = 1) -> str:
        await self.heard(0)
        replies = await self.user.press(label, expect=expect, quiet=QUIET)
        self.read = len(self.user.messages)
        return texts(replies)

    async def photo(
        self, file_id: str, caption: str | None = None, *, expect: int = 1
    ) -> list[BotMessage]:
        await self.heard(0)
        replies = await self.user.send_photo(file_id, caption=caption, expect=expect, quiet=QUIET)
        self.read = len(self.user.messages)
        return replies

    async def heard(self, count: int) -> list[BotMessage]:
        start = self.read
        if count:
            await self.user.replies(start, expect=count, quiet=QUIET)
        self.read = len(self.user.messages)
        return self.user.messages[start:]


def demo_data(settings: Settings) -> None:
    result = CliRunner().invoke(
        main,
        ["helpdesk", "demo-data", "--locale", "en"],
        env={"RELAYBOT_DATABASE_URL": settings.database_url},
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output


def helpdesk_bot(standin: TelegramStandin) -> dict[str, Any]:
    return {
        "name": "helpdesk_tg",
        "app": "helpdesk",
        "channel": "telegram",
        "token": TOKEN,
        "webhook_secret": SECRET,
        "api_base": standin.url,
        # Telegram allows about 1 message/s per chat; the story answers at once.
        "options": {"per_chat_per_second": 100.0, "per_chat_burst": 100},
    }


async def test_requester_helper_and_moderator_meet_on_telegram(
    make_settings: Callable[..., Settings], sqlite_url: str
) -> None:
    async with TelegramStandin() as telegram:
        settings = make_settings(sqlite_url, bots=[helpdesk_bot(telegram)])
        await asyncio.to_thread(demo_data, settings)
        async with RelaybotServer(settings) as server:
            state = telegram.bot(TOKEN)
            state.webhook_url = f"{server.url}/webhook/telegram/helpdesk_tg"
            state.webhook_secret = SECRET
            requester = Chat(telegram.user(TOKEN, user_id=5100001, first_name="Aida"))
            helper = Chat(telegram.user(TOKEN, user_id=5100002, first_name="Bakyt"))
            moderator = Chat(telegram.user(TOKEN, user_id=5100003, first_name="Chinara"))

            await helper.say("/start")
            await helper.press("Try a role")
            assert "Your roles: requester, helper" in await helper.press("Helper in every category")
            await moderator.say("/start")
            await moderator.press("Try a role")
            assert "Your roles: requester, moderator" in await moderator.press("Moderator")

            assert "help desk" in await requester.say("/start")
            await requester.press("New request")
            await requester.press("Osh")
            assert "describe what you need" in await requester.press("Medicine")
            asked = await requester.photo("rx-photo-1", caption="This ointment, please: 2 tubes.")
            assert "Your request #1 is created (Osh / Medicine)" in texts(asked)
            notice = await helper.heard(1)
            assert "New request #1 in Osh / Medicine: This ointment, please" in notice[0].text
            assert "Take next" in notice[0].labels

            taken = await helper.press("Take next")
            assert "You are now helping with this request." in taken
            photos = [m for m in helper.user.messages if m.kind == "photo"]
            assert photos and photos[-1].media == ["rx-photo-1"]  # the request's photo, resent
            assert "a helper has taken your request #1" in (await requester.heard(1))[0].text

            await requester.say("I live near the bazaar.", expect=0)
            assert [m.text for m in await helper.heard(1)] == [
                "#1 · Requester: I live near the bazaar."
            ]
            await helper.say("I will call you in ten minutes.", expect=0)
            assert [m.text for m in await requester.heard(1)] == [
                "#1 · Helper: I will call you in ten minutes."
            ]
            assert await helper.photo("shelf-photo-2", caption="Is it this one?", expect=0) == []
            relayed = await requester.heard(1)
            assert relayed[0].media == ["shelf-photo-2"]
            assert "#1 · Helper: Is it this one?" in relayed[0].text

            await moderator.press("All requests")
            await moderator.press("in progress: 1")
            joined = await moderator.press("Join #1")
            assert "near the bazaar" in joined and "ten minutes" in joined
            await requester.heard(1)
            await helper.heard(1)
            await moderator.say("Thank you both, I am following this one.", expect=0)
            assert "#1 · Moderator: Thank you both" in texts(await requester.heard(1))
            assert "#1 · Moderator: Thank you both" in texts(await helper.heard(1))

            assert "You declined request #1" in await helper.press("Decline")
            assert "had to step back" in texts(await requester.heard(1))
            assert "declined request #1" in texts(await moderator.heard(1))
            await requester.say("Still need it.", expect=0)
            assert "#1 · Requester: Still need it." in texts(await moderator.heard(1))
            assert await helper.heard(0) == []

            assert "Request #1 is closed" in await requester.say("/close")
            assert "was closed by the requester" in texts(await moderator.heard(1))
            assert await helper.heard(0) == []

            assert server.system is not None
            async with server.system.sessions() as session:
                stored = list(
                    await session.scalars(select(DemandMessage).order_by(DemandMessage.id))
                )
        presses = telegram.calls_to("answerCallbackQuery")
    assert stored[0].text == "This ointment, please: 2 tubes."
    assert stored[0].attachments[0]["ref"] == "rx-photo-1"
    assert [m.author_role for m in stored] == [
        "requester",
        "requester",
        "provider",
        "provider",
        "moderator",
        "requester",
    ]
    assert presses, "every button press is answered so the button stops spinning"
