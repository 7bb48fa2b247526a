"""Notification routing: who is told of an event, and broadcasts paced to the channel's limit."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from relaybot import Matrix, Recipient, Route, broadcast, room, route
from relaybot.config import BotConfig
from relaybot.core.types import Address, OutgoingMessage
from relaybot.store import migrate
from relaybot.store.db import create_engine, session_maker
from relaybot.store.models import OutboxMessage

MATRIX = Matrix(
    [
        Route("ticket_closed", "agent", "customer", "Your ticket was closed."),
        Route("ticket_closed", "agent", "agent", "A ticket was closed."),
        Route("ticket_closed", "customer", "agent", "The customer closed the ticket."),
    ]
)


def person(key: str, role: str, reachable: bool = True) -> Recipient:
    address = Address("desk", key) if reachable else None
    return Recipient(key=key, role=role, address=address, channel="webchat", locale="en")


def test_the_initiator_is_never_told_of_their_own_act_and_the_unreachable_are_skipped():
    people = [
        person("c1", "customer"),
        person("a1", "agent"),
        person("a2", "agent"),
        person("a3", "agent", reachable=False),
        person("a2", "agent"),  # listed twice: told once
        person("s1", "supervisor"),  # no route for this role
    ]
    notices = route(
        MATRIX, "ticket_closed", initiator_role="agent", initiator_key="a1", people=people
    )
    assert [(n.recipient.key, n.text) for n in notices] == [
        ("c1", "Your ticket was closed."),
        ("a2", "A ticket was closed."),
    ]
    by_customer = route(
        MATRIX, "ticket_closed", initiator_role="customer", initiator_key="c1", people=people
    )
    assert [n.recipient.key for n in by_customer] == ["a1", "a2"]
    assert (
        route(MATRIX, "ticket_opened", initiator_role="agent", initiator_key=None, people=people)
        == []
    )


def test_a_matrix_naming_a_recipient_twice_is_refused():
    with pytest.raises(
        ValueError, match="ticket_closed by agent names recipient role 'agent' twice"
    ):
        Matrix(
            [
                Route("ticket_closed", "agent", "agent", "a"),
                Route("ticket_closed", "agent", "agent", "b"),
            ]
        )


@pytest.fixture
async def sessions(database_url):
    engine = create_engine(database_url)
    await migrate.upgrade(engine)
    yield session_maker(engine)
    await engine.dispose()


async def test_two_overlapping_broadcasts_together_keep_to_30_messages_a_second(sessions):
    bots = {"desk": BotConfig(name="desk", app="orders", channel="webchat")}
    now = 2_000_000_000.0

    def messages(prefix: str, count: int) -> list[tuple[Address, OutgoingMessage]]:
        return [
            (Address("desk", f"{prefix}{n}"), OutgoingMessage(text="News")) for n in range(count)
        ]

    async with sessions() as session, session.begin():
        first = await broadcast(session, messages("a", 90), bots=bots, rate=30, now=now)
    async with sessions() as session, session.begin():
        second = await broadcast(session, messages("b", 60), bots=bots, rate=30, now=now + 1)
    assert first[0] == now and first[-1] < now + 3
    assert second[0] >= now + 3  # queued behind the first, not beside it
    async with sessions() as session:
        due = sorted(await session.scalars(select(OutboxMessage.next_attempt_at)))
    assert len(due) == 150
    for start in due:  # in any one-second window at most 30 messages are due
        assert sum(1 for t in due if start <= t < start + 1) <= 30
    assert due[-1] - due[0] == pytest.approx(150 / 30 - 0.1)


async def test_a_long_broadcast_is_fed_a_few_seconds_at_a_time(sessions):
    bots = {"desk": BotConfig(name="desk", app="orders", channel="webchat")}
    now = 2_000_000_000.0
    earlier = [(Address("desk", "old"), OutgoingMessage(text="x"))]
    async with sessions() as session, session.begin():
        await broadcast(session, earlier, bots=bots, rate=30, now=now - 100, key="news")
    async with sessions() as session, session.begin():
        assert await room(session, "news", rate=30, now=now, horizon=5) == 150  # ran dry
        await broadcast(
            session,
            [(Address("desk", str(n)), OutgoingMessage(text="x")) for n in range(150)],
            bots=bots,
            rate=30,
            now=now,
            key="news",
        )
        assert await room(session, "news", rate=30, now=now, horizon=5) == 0
        assert await room(session, "news", rate=30, now=now + 2, horizon=5) == 60
        assert await room(session, "other", rate=30, now=now, horizon=5) == 150
