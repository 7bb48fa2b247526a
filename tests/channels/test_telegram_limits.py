"""Telegram's sending limits, checked on a clock the test moves instead of waiting."""

from __future__ import annotations

import itertools
import time

from sqlalchemy import select

from relaybot.core.clock import ManualClock
from relaybot.core.types import Address, OutgoingMessage
from relaybot.runtime.outbox import enqueue
from relaybot.store.models import OutboxMessage
from relaybot.system import System, build_system
from tests.channels.helpers import telegram_bot


async def deliver_everything(system: System, clock: ManualClock, count: int) -> list[float]:
    """Run the sender tick by tick, moving the clock by what it asks to wait; sent_at times."""
    sender = system.sender()
    for _ in range(100_000):
        wait = await sender.tick()
        async with system.sessions() as session:
            sent = list(
                await session.scalars(
                    select(OutboxMessage.sent_at).where(OutboxMessage.status == "sent")
                )
            )
        if len(sent) == count:
            return sorted(t for t in sent if t is not None)
        clock.advance(max(wait, 0.001))
    raise AssertionError("the sender never finished")


async def queued_system(
    make_settings, sqlite_url, telegram, messages
) -> tuple[System, ManualClock]:
    clock = ManualClock(time.time())
    settings = make_settings(sqlite_url, bots=[telegram_bot(telegram, options={})])
    system = await build_system(settings, clock=clock)
    async with system.sessions() as session, session.begin():
        await enqueue(session, messages, bots=system.bots)
    return system, clock


async def test_ten_messages_to_one_private_chat_are_spread_over_at_least_nine_seconds(
    make_settings, sqlite_url, telegram
):
    messages = [(Address("water", "5000001"), OutgoingMessage(f"part {n}")) for n in range(10)]
    system, clock = await queued_system(make_settings, sqlite_url, telegram, messages)
    try:
        sent = await deliver_everything(system, clock, 10)
    finally:
        await system.close()
    assert sent[-1] - sent[0] >= 9.0
    assert all(b - a >= 0.999 for a, b in itertools.pairwise(sent)), "one per second"
    assert [m.text for m in telegram.sent_to(5000001)] == [f"part {n}" for n in range(10)]


async def test_forty_messages_to_forty_chats_take_at_least_a_second_at_thirty_per_second(
    make_settings, sqlite_url, telegram
):
    messages = [(Address("water", str(6000000 + n)), OutgoingMessage("news")) for n in range(40)]
    system, clock = await queued_system(make_settings, sqlite_url, telegram, messages)
    try:
        sent = await deliver_everything(system, clock, 40)
    finally:
        await system.close()
    assert sent[-1] - sent[0] >= 1.0
    assert max(sum(1 for t in sent if start <= t < start + 1.0) for start in sent) <= 30
    assert len(telegram.calls_to("sendMessage")) == 40


async def test_a_group_gets_at_most_twenty_messages_in_any_minute(
    make_settings, sqlite_url, telegram
):
    messages = [(Address("water", "-100200300"), OutgoingMessage(f"n{n}")) for n in range(25)]
    system, clock = await queued_system(make_settings, sqlite_url, telegram, messages)
    try:
        sent = await deliver_everything(system, clock, 25)
    finally:
        await system.close()
    assert max(sum(1 for t in sent if start <= t < start + 60.0) for start in sent) <= 20
    assert all(b - a >= 0.999 for a, b in itertools.pairwise(sent))
