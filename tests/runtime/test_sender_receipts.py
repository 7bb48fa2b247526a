"""Delivery receipts: a message that asks for one has its channel ids handed back, once."""

from __future__ import annotations

import time
from collections.abc import Sequence

from relaybot.config import BotConfig
from relaybot.core.channel import Limit
from relaybot.core.clock import ManualClock
from relaybot.core.receipts import receipt_meta, receipt_of
from relaybot.core.types import Address, OutgoingMessage, Update
from relaybot.runtime.outbox import enqueue
from relaybot.runtime.sender import Sender
from relaybot.system import open_store

BOTS = {"ads": BotConfig(name="ads", app="classifieds", channel="numbered")}


class NumberingAdapter:
    """A channel that numbers what it sends; a message with media takes one id per item,
    and one whose text is "quiet" reports no ids at all."""

    channel = "numbered"
    bot = BOTS["ads"]

    def __init__(self) -> None:
        self.next_id = 100

    async def send(self, chat_id: str, message: OutgoingMessage) -> Sequence[str] | None:
        if message.text == "quiet":
            return None
        ids = []
        for _ in message.media or (None,):
            self.next_id += 1
            ids.append(str(self.next_id))
        return ids

    def limits(self, chat_id: str) -> list[Limit]:
        return []

    async def handle_webhook(self, request: object, subpath: str) -> object:
        raise NotImplementedError

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None


async def test_only_messages_that_ask_get_a_receipt_with_every_id(make_settings, sqlite_url):
    from relaybot.core.types import Attachment

    handed_back: list[Update] = []

    async def store(updates: Sequence[Update]) -> list[bool]:
        handed_back.extend(updates)
        return [True] * len(updates)

    async with open_store(make_settings(sqlite_url)) as sessions:
        album = tuple(Attachment("photo", f"p{n}") for n in range(3))
        async with sessions() as session, session.begin():
            await enqueue(
                session,
                [
                    (Address("ads", "-100777"), OutgoingMessage(text="plain")),
                    (
                        Address("ads", "-100777"),
                        OutgoingMessage(text="album", media=album, meta=receipt_meta("post:7")),
                    ),
                    (
                        Address("ads", "-100777"),
                        OutgoingMessage(text="quiet", meta=receipt_meta("post:8")),
                    ),
                ],
                bots=BOTS,
            )
        clock = ManualClock(start=time.time() + 1)
        sender = Sender(
            settings=make_settings(sqlite_url),
            sessions=sessions,
            adapters={"ads": NumberingAdapter()},
            clock=clock,
            receipts=store,
        )
        await sender.tick()
    [update] = handed_back
    receipt = receipt_of(update)
    assert receipt is not None
    assert (receipt.tag, receipt.chat_id, receipt.message_ids) == (
        "post:7",
        "-100777",
        ("102", "103", "104"),
    )
    assert (update.bot, update.chat_id, update.kind) == ("ads", "-100777", "event")
    assert update.update_id.startswith("receipt:outbox:")


def test_a_receipt_tag_is_bounded_and_a_stray_event_is_no_receipt():
    import pytest

    with pytest.raises(ValueError, match="1 to 200"):
        receipt_meta("")
    forged = Update(
        channel="webchat",
        bot="ads",
        chat_id="x",
        user_id="x",
        update_id="1",
        kind="event",
        payload="__receipt__:post:1",
        raw={"receipt": {"tag": 5}},
    )
    assert receipt_of(forged) is None
