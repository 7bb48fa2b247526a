"""Drive a relaybot's apps as several people at once, without HTTP, in milliseconds per step.

Updates go through the real inbound queue and the real worker, and what each person is sent is
read back from the real outbox, so the app runs exactly as in production; only the channel and
the sender are left out. Use `RelaybotServer` + `WebchatClient` when the channel matters.

    async with ChatDriver(settings) as chat:
        ann = chat.person("ann", bot="helpdesk")
        replies = await ann.say("/start")
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Sequence
from types import TracebackType

from sqlalchemy import select

from relaybot.config import Settings
from relaybot.core.types import Attachment, OutgoingMessage, Update, decode_message
from relaybot.runtime.clock import Clock
from relaybot.store.db import SessionMaker
from relaybot.store.models import OutboxMessage
from relaybot.system import System, build_system


class Person:
    """One chat of one bot. `inbox` holds everything this chat was sent, in outbox order."""

    def __init__(
        self,
        driver: ChatDriver,
        name: str,
        *,
        bot: str,
        channel: str,
        chat_id: str,
        language: str | None,
    ) -> None:
        self.driver = driver
        self.name = name
        self.bot = bot
        self.channel = channel
        self.chat_id = chat_id
        self.language = language
        self.inbox: list[OutgoingMessage] = []
        self._read = 0

    def update(
        self,
        text: str = "",
        *,
        payload: str | None = None,
        attachments: Sequence[Attachment] = (),
        chat_type: str = "private",
    ) -> Update:
        """An update from this person, to deliver later (several at once with `deliver`)."""
        return Update(
            channel=self.channel,
            bot=self.bot,
            chat_id=self.chat_id,
            user_id=self.chat_id,
            update_id=f"{self.chat_id}:{next(self.driver.ids)}",
            kind="button" if payload else "message",
            text=text,
            payload=payload,
            attachments=tuple(attachments),
            user_name=self.name,
            language=self.language,
            chat_type=chat_type,
            received_at=time.time(),
        )

    async def say(
        self,
        text: str = "",
        *,
        payload: str | None = None,
        attachments: Sequence[Attachment] = (),
        chat_type: str = "private",
    ) -> list[OutgoingMessage]:
        """Send, let the worker process it, and return what this chat was sent meanwhile."""
        self.unread()
        update = self.update(text, payload=payload, attachments=attachments, chat_type=chat_type)
        await self.driver.deliver([update])
        return self.unread()

    async def press(self, label: str) -> list[OutgoingMessage]:
        """Press the button `label` on the latest message that has buttons."""
        for message in reversed(self.inbox):
            if not message.buttons:
                continue
            for row in message.buttons:
                for button in row:
                    if button.text == label:
                        return await self.say(button.text, payload=button.payload)
            break
        raise LookupError(f"{self.name}: no button {label!r} on the latest message with buttons")

    def unread(self) -> list[OutgoingMessage]:
        """Messages that arrived since the last look, marked as read."""
        fresh = self.inbox[self._read :]
        self._read = len(self.inbox)
        return fresh

    def buttons(self) -> list[str]:
        for message in reversed(self.inbox):
            if message.buttons:
                return [b.text for row in message.buttons for b in row]
        return []

    @property
    def texts(self) -> list[str]:
        return [m.text for m in self.inbox]


class ChatDriver:
    """A relaybot built from `settings` whose worker runs only when a person says something."""

    def __init__(self, settings: Settings, *, clock: Clock | None = None) -> None:
        self.settings = settings
        self.clock = clock
        self.system: System | None = None
        self.people: dict[tuple[str, str], Person] = {}
        self.ids = itertools.count(1)
        self._cursor = 0

    async def __aenter__(self) -> ChatDriver:
        self.system = await build_system(self.settings, clock=self.clock)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.system is not None:
            await self.system.close()

    @property
    def sessions(self) -> SessionMaker:
        if self.system is None:
            raise RuntimeError("use the driver inside `async with`")
        return self.system.sessions

    def person(
        self,
        name: str,
        *,
        bot: str,
        chat_id: str | None = None,
        language: str | None = "en",
    ) -> Person:
        if self.system is None:
            raise RuntimeError("use the driver inside `async with`")
        config = self.system.bots.get(bot)
        if config is None:
            raise ValueError(f"no bot named {bot!r}; configured: {', '.join(self.system.bots)}")
        chat = chat_id or f"{name}-{len(self.people) + 1}"
        person = Person(
            self, name, bot=bot, channel=config.channel, chat_id=chat, language=language
        )
        self.people[(bot, chat)] = person
        return person

    async def deliver(self, updates: Sequence[Update]) -> None:
        """Queue the updates, run the worker until the queue is empty, collect the outbox."""
        if self.system is None:
            raise RuntimeError("use the driver inside `async with`")
        await self.system.queue.put_many(updates)
        worker = self.system.worker()
        while await worker.run_once():
            pass
        await self.collect()

    async def collect(self) -> None:
        if self.system is None:
            raise RuntimeError("use the driver inside `async with`")
        async with self.system.sessions() as session:
            rows = await session.execute(
                select(
                    OutboxMessage.id,
                    OutboxMessage.bot,
                    OutboxMessage.chat_id,
                    OutboxMessage.payload,
                )
                .where(OutboxMessage.id > self._cursor)
                .order_by(OutboxMessage.id)
            )
            for row in rows:
                self._cursor = row.id
                person = self.people.get((row.bot, row.chat_id))
                if person is not None:
                    person.inbox.append(decode_message(row.payload))
