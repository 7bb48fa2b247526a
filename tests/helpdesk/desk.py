"""A help desk under test: people with inboxes that remember what was read.

Built on `relaybot.testing.driver` (the real queue, worker and outbox, no HTTP), plus the two
things help desk stories need: asking "what is new for this person since I last looked?",
and delivering several people's messages as one batch to see the order they arrive in.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from types import TracebackType

from relaybot.config import Settings
from relaybot.core.types import Attachment, OutgoingMessage, Update
from relaybot.store.db import SessionMaker
from relaybot.system import System, build_system
from relaybot.testing.driver import ChatDriver, DrivenChat


class Person:
    """One chat with a help desk bot."""

    def __init__(self, chat: DrivenChat, name: str) -> None:
        self.chat = chat
        self.name = name
        self._read = 0

    @property
    def bot(self) -> str:
        return self.chat.address.bot

    @property
    def chat_id(self) -> str:
        return self.chat.address.chat_id

    @property
    def inbox(self) -> list[OutgoingMessage]:
        return [item.message for item in self.chat.received]

    @property
    def texts(self) -> list[str]:
        return [message.text for message in self.inbox]

    def unread(self) -> list[OutgoingMessage]:
        """What arrived since the last look, now marked read."""
        fresh = self.inbox[self._read :]
        self._read = len(self.inbox)
        return fresh

    def buttons(self) -> list[str]:
        return self.chat.buttons()

    async def say(
        self,
        text: str = "",
        *,
        payload: str | None = None,
        attachments: Sequence[Attachment] = (),
        chat_type: str = "private",
    ) -> list[OutgoingMessage]:
        """Send, and return what this person got in answer (everything else stays unread)."""
        self.unread()
        got = await self.chat.say(
            text, payload=payload, attachments=attachments, chat_type=chat_type
        )
        self._read = len(self.inbox)
        return [item.message for item in got]

    async def press(self, label: str) -> list[OutgoingMessage]:
        self.unread()
        got = await self.chat.press(label)
        self._read = len(self.inbox)
        return [item.message for item in got]

    def update(self, text: str) -> Update:
        """A message from this person, to deliver in a batch with `Desk.deliver`."""
        return Update(
            channel="webchat",
            bot=self.bot,
            chat_id=self.chat_id,
            user_id=self.chat_id,
            update_id=uuid.uuid4().hex,
            text=text,
            user_name=self.name,
            language=self.chat.language,
            received_at=time.time(),
        )


class Desk:
    """`async with Desk(settings) as desk:` then `desk.person("ann", bot="helpdesk")`."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._system: System | None = None
        self._driver: ChatDriver | None = None

    async def __aenter__(self) -> Desk:
        self._system = await build_system(self.settings)
        self._driver = ChatDriver(self._system)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._system is not None:
            await self._system.close()

    @property
    def system(self) -> System:
        if self._system is None:
            raise RuntimeError("use the desk inside `async with`")
        return self._system

    @property
    def driver(self) -> ChatDriver:
        if self._driver is None:
            raise RuntimeError("use the desk inside `async with`")
        return self._driver

    @property
    def sessions(self) -> SessionMaker:
        return self.system.sessions

    def person(self, name: str, *, bot: str, language: str | None = "en") -> Person:
        chat = self.driver.chat(bot, f"{name}-{uuid.uuid4().hex[:6]}", language=language, name=name)
        return Person(chat, name)

    async def deliver(self, updates: Sequence[Update]) -> None:
        """Several messages queued at once and processed as one busy moment."""
        await self.system.queue.put_many(updates)
        worker = self.system.worker()
        while await worker.run_once():
            pass
        await self.driver.collect()
