"""A sender holds the messages it delivers for as long as the delivery takes, and no longer."""

from __future__ import annotations

import asyncio

import pytest
from pydantic import ValidationError

from relaybot.core.clock import SystemClock
from relaybot.runtime.sender import Sender
from tests.runtime.test_sender import ScriptedAdapter, put, statuses


class SlowAdapter(ScriptedAdapter):
    """A channel that takes `seconds` to accept each message."""

    seconds: float = 0.0

    async def send(self, chat_id, message):  # type: ignore[no-untyped-def]
        await asyncio.sleep(self.seconds)
        await super().send(chat_id, message)


def sender(settings, sessions, adapter) -> Sender:  # type: ignore[no-untyped-def]
    return Sender(
        settings=settings, sessions=sessions, adapters={"shop": adapter}, clock=SystemClock()
    )


async def test_a_delivery_slower_than_the_claim_is_not_taken_by_a_second_sender(
    make_settings, sqlite_url
) -> None:
    from relaybot.system import open_store

    settings = make_settings(sqlite_url, sender_claim_seconds=1.0, send_timeout=10)
    async with open_store(settings) as sessions:
        await put(sessions, "hello")
        slow = SlowAdapter()
        slow.seconds = 3.0  # three claims long: only renewals keep the message
        other = ScriptedAdapter()
        first = asyncio.create_task(sender(settings, sessions, slow).tick())
        await asyncio.sleep(0.3)
        for _ in range(10):  # a second sender keeps looking while the first one delivers
            await sender(settings, sessions, other).tick()
            await asyncio.sleep(0.25)
        await first
        assert slow.delivered == [("c1", "hello")]
        assert other.calls == 0
        assert await statuses(sessions) == ["sent"]


async def test_a_killed_senders_messages_go_out_within_one_claim(make_settings, sqlite_url) -> None:
    from relaybot.system import open_store

    settings = make_settings(sqlite_url, sender_claim_seconds=1.0, send_timeout=10)
    async with open_store(settings) as sessions:
        await put(sessions, "hello")
        hung = SlowAdapter()
        hung.seconds = 60.0
        doomed = asyncio.create_task(sender(settings, sessions, hung).tick())
        await asyncio.sleep(0.3)
        doomed.cancel()  # the process died mid-call: nobody renews its claim any more
        with pytest.raises(asyncio.CancelledError):
            await doomed
        heir = ScriptedAdapter()
        waited = 0.0
        while not heir.delivered and waited < 5.0:
            await sender(settings, sessions, heir).tick()
            await asyncio.sleep(0.1)
            waited += 0.1
        assert heir.delivered == [("c1", "hello")]
        assert await statuses(sessions) == ["sent"]


def test_a_claim_under_a_second_is_refused(make_settings, sqlite_url) -> None:
    with pytest.raises(ValidationError) as refused:
        make_settings(sqlite_url, sender_claim_seconds=0.5)
    assert "sender_claim_seconds" in str(refused.value)
