"""Test bots for the flows stories (a shop on the router, one bot per step flow), talked to
through the real queue, worker and outbox."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from relaybot.config import BotConfig, Settings
from relaybot.core.types import Attachment, Update
from relaybot.system import System, build_system
from relaybot.testing import ChatDriver
from relaybot.testing.driver import Delivered, DrivenChat
from tests.flows.apps import FLOWS, SAVED

APP = "tests.flows.apps:StepsApp"


@dataclass
class Person:
    """One chat with one of the test bots, able to send what a channel would deliver."""

    system: System
    driver: ChatDriver
    chat: DrivenChat

    async def say(self, text: str = "", **kwargs: Any) -> list[Delivered]:
        return await self.chat.say(text, **kwargs)

    async def press(self, label: str) -> list[Delivered]:
        return await self.chat.press(label)

    async def send(
        self,
        text: str = "",
        *,
        payload: str | None = None,
        attachments: tuple[Attachment, ...] = (),
        raw: dict[str, Any] | None = None,
        kind: str = "message",
    ) -> list[Delivered]:
        """An update with channel extras (a media group id, a submitted form)."""
        return await self.send_together(
            [self.update(text, payload=payload, attachments=attachments, raw=raw, kind=kind)]
        )

    def update(
        self,
        text: str = "",
        *,
        payload: str | None = None,
        attachments: tuple[Attachment, ...] = (),
        raw: dict[str, Any] | None = None,
        kind: str = "message",
    ) -> Update:
        bot = self.system.bots[self.chat.address.bot]
        return Update(
            channel=bot.channel,
            bot=bot.name,
            chat_id=self.chat.address.chat_id,
            user_id=self.chat.address.chat_id,
            update_id=uuid.uuid4().hex,
            kind=kind,  # type: ignore[arg-type]
            text=text,
            payload=payload,
            attachments=attachments,
            language=self.chat.language,
            raw=raw or {},
        )

    async def send_together(self, updates: list[Update]) -> list[Delivered]:
        """Updates that arrive at once, as the parts of a Telegram album do: one worker batch."""
        before = len(self.chat.received)
        await self.system.queue.put_many(updates)
        worker = self.system.worker()
        while await worker.run_once():
            pass
        await self.driver.collect()
        return self.chat.received[before:]

    def buttons(self) -> list[str]:
        return self.chat.buttons()

    def last(self) -> str:
        return self.chat.last()

    def payloads(self) -> list[str]:
        for item in reversed(self.chat.received):
            if item.message.buttons:
                return [b.payload for row in item.message.buttons for b in row]
        return []

    def saved(self) -> dict[str, Any]:
        """The data the flow completed with, from its last answer."""
        last = self.last()
        assert last.startswith(SAVED), last
        data: dict[str, Any] = json.loads(last[len(SAVED) :])
        return data


@pytest.fixture
async def system(make_settings: Callable[..., Settings], sqlite_url: str) -> AsyncIterator[System]:
    bots = [BotConfig(name=name, app=APP, options={"flow": name}) for name in FLOWS]
    settings = make_settings(sqlite_url, bots=bots, webchat_for_bundled_apps=False)
    built = await build_system(settings)
    yield built
    await built.close()


@pytest.fixture
def person(system: System) -> Callable[..., Person]:
    driver = ChatDriver(system)

    def talk(flow: str, *, chat_id: str = "ann", language: str = "en") -> Person:
        return Person(system, driver, driver.chat(flow, chat_id, language=language))

    return talk


@pytest.fixture
async def shop(
    make_settings: Callable[..., Settings], sqlite_url: str
) -> AsyncIterator[ChatDriver]:
    bot = BotConfig(
        name="shop",
        app="tests.flows.shop:ShopApp",
        options={"admins": ["boss", "chief"], "auditors": ["chief"]},
    )
    system = await build_system(
        make_settings(sqlite_url, bots=[bot], webchat_for_bundled_apps=False)
    )
    try:
        yield ChatDriver(system)
    finally:
        await system.close()
