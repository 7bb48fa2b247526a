"""Talk to the bots of a `System` in-process: real queue, worker and outbox, no HTTP, no sender.

Each message goes into the inbound queue and through the worker like any update; whatever
the apps wrote to the outbox is then read back (and marked sent), whichever chat it is for.
That makes notifications to other people as visible to a test as the replies themselves.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update

from relaybot.core.types import Address, Attachment, OutgoingMessage, Update, decode_message
from relaybot.store.models import OutboxMessage
from relaybot.system import System


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

    def chat(
        self,
        bot: str,
        chat_id: str,
        *,
        language: str | None = "en",
        name: str | None = None,
    ) -> DrivenChat:
        return DrivenChat(self, Address(bot, chat_id), language=language, name=name)

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
        await self.system.queue.put_many([upd])
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
