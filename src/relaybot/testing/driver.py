"""Talk to the bots of a `System` in-process: real queue, worker and outbox, no HTTP, no sender.

Each message goes into the inbound queue and through the worker like any update; whatever
the apps wrote to the outbox is then read back (and marked sent), whichever chat it is for.
That makes notifications to other people as visible to a test as the replies themselves.
A `Person` is one chat with an inbox that remembers what was read, for stories where several
people are told things and each asks "what is new for me since I last looked?".
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update

from relaybot.config import Settings
from relaybot.core.types import Address, Attachment, OutgoingMessage, Update, decode_message
from relaybot.store.db import SessionMaker
from relaybot.store.models import OutboxMessage
from relaybot.system import System, build_system


@dataclass(frozen=True)
class Delivered:
    """One message the bots sent, and to whom."""

    to: Address
    message: OutgoingMessage

    @property
    def text(self) -> str:
        return self.message.text

    @property
    def buttons(self) -> list[str]:
        return [b.text for row in self.message.buttons for b in row]


@dataclass
class ChatDriver:
    """Every chat's inbox, filled as the bots answer."""

    system: System
    inboxes: dict[Address, list[Delivered]] = field(default_factory=dict)

    @classmethod
    @asynccontextmanager
    async def running(cls, settings: Settings) -> AsyncIterator[ChatDriver]:
        """`async with ChatDriver.running(settings) as driver:` builds the system and closes it."""
        system = await build_system(settings)
        try:
            yield cls(system)
        finally:
            await system.close()

    @property
    def sessions(self) -> SessionMaker:
        return self.system.sessions

    def chat(
        self,
        bot: str,
        chat_id: str,
        *,
        language: str | None = "en",
        name: str | None = None,
    ) -> DrivenChat:
        return DrivenChat(self, Address(bot, chat_id), language=language, name=name)

    def person(self, name: str, *, bot: str, language: str | None = "en") -> Person:
        """A new person called `name` writing to `bot` from a chat of their own."""
        chat_id = f"{name}-{uuid.uuid4().hex[:6]}"
        return Person(self.chat(bot, chat_id, language=language, name=name))

    async def send(
        self,
        chat: DrivenChat,
        text: str = "",
        *,
        payload: str | None = None,
        attachments: Sequence[Attachment] = (),
        chat_type: str = "private",
    ) -> None:
        bot = self.system.bots[chat.address.bot]
        upd = Update(
            channel=bot.channel,
            bot=bot.name,
            chat_id=chat.address.chat_id,
            user_id=chat.address.chat_id,
            update_id=uuid.uuid4().hex,
            kind="button" if payload else "message",
            text=text,
            payload=payload,
            user_name=chat.name,
            language=chat.language,
            attachments=tuple(attachments),
            chat_type=chat_type,
        )
        await self.deliver([upd])

    async def deliver(self, updates: Sequence[Update]) -> None:
        """Queue `updates` at once, process them as one busy moment, then collect the answers."""
        await self.system.queue.put_many(updates)
        worker = self.system.worker()
        while await worker.run_once():
            pass
        await self.collect()

    async def collect(self) -> list[Delivered]:
        """Read what is waiting in the outbox into the inboxes; returns the new messages."""
        async with self.system.sessions() as session, session.begin():
            rows = list(
                await session.execute(
                    select(
                        OutboxMessage.id,
                        OutboxMessage.bot,
                        OutboxMessage.chat_id,
                        OutboxMessage.payload,
                    )
                    .where(OutboxMessage.status == "pending")
                    .order_by(OutboxMessage.id)
                )
            )
            if rows:
                await session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id.in_([r.id for r in rows]))
                    .values(status="sent")
                )
        fresh = [Delivered(Address(r.bot, r.chat_id), decode_message(r.payload)) for r in rows]
        for item in fresh:
            self.inboxes.setdefault(item.to, []).append(item)
        return fresh

    def inbox(self, address: Address) -> list[Delivered]:
        return self.inboxes.get(address, [])


@dataclass
class DrivenChat:
    driver: ChatDriver
    address: Address
    language: str | None = "en"
    name: str | None = None

    @property
    def received(self) -> list[Delivered]:
        return self.driver.inbox(self.address)

    async def say(
        self,
        text: str = "",
        *,
        payload: str | None = None,
        attachments: Sequence[Attachment] = (),
        chat_type: str = "private",
    ) -> list[Delivered]:
        """Send (text, a button's payload, photos); returns the messages this chat got in answer."""
        before = len(self.received)
        await self.driver.send(
            self, text, payload=payload, attachments=attachments, chat_type=chat_type
        )
        return self.received[before:]

    async def press(self, label: str) -> list[Delivered]:
        """Press the button labelled `label` on the latest message that has buttons."""
        for item in reversed(self.received):
            for row in item.message.buttons:
                for button in row:
                    if button.text == label:
                        return await self.say(button.text, payload=button.payload)
            if item.message.buttons:
                break
        raise LookupError(f"no button {label!r} on the latest message; {self.buttons()}")

    def buttons(self) -> list[str]:
        for item in reversed(self.received):
            if item.message.buttons:
                return item.buttons
        return []

    def last(self) -> str:
        return self.received[-1].text if self.received else ""

    def text(self, messages: list[Delivered] | None = None) -> str:
        return "\n".join(m.text for m in (self.received if messages is None else messages))

    def find(self, label: str) -> Any:
        """The payload of the newest button labelled `label` in this chat."""
        for item in reversed(self.received):
            for row in item.message.buttons:
                for button in row:
                    if button.text == label:
                        return button.payload
        raise LookupError(label)


class Person:
    """One chat whose inbox remembers what was read: `say` and `press` return the answers and
    leave everything else that arrived for `unread`."""

    def __init__(self, chat: DrivenChat) -> None:
        self.chat = chat
        self._read = 0

    @property
    def name(self) -> str:
        return self.chat.name or self.chat.address.chat_id

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
        """Send, and return what this person got in answer."""
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
        """A message from this person, to deliver in a batch with `ChatDriver.deliver`."""
        return Update(
            channel=self.chat.driver.system.bots[self.bot].channel,
            bot=self.bot,
            chat_id=self.chat_id,
            user_id=self.chat_id,
            update_id=uuid.uuid4().hex,
            text=text,
            user_name=self.name,
            language=self.chat.language,
            received_at=time.time(),
        )
