"""The booking role matrix: every booking action x every role, in the app layer that every
channel goes through. Allowed actions work; the rest are refused with a sentence for the person
and change nothing, even though the refusing transaction commits (as an update's does)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import inspect, select

from relaybot.apps.booking.bookings import Bookings, Refused, Request
from relaybot.apps.booking.models import Booking, Specialist, User
from relaybot.apps.booking.slots import SlotCache
from relaybot.apps.booking.users import Actor
from relaybot.core.i18n import translator
from relaybot.store.base import Base
from tests.apps.booking.world import World, make_world

ACTORS = ("admin", "client", "other client", "specialist", "other specialist")
# Who may do what to a booking the client made with the specialist.
ALLOWED = {
    "book for oneself": {"admin", "client", "other client"},
    "book for the client": {"admin", "client"},
    "move": {"admin", "client"},
    "cancel": {"admin", "client", "specialist"},
    "confirm": {"admin"},
    "mark done": {"admin"},
}
RESTLESS = {"leases", "webchat_sessions"}


@pytest.fixture
async def world(make_settings, sqlite_url):
    built = await make_world(make_settings(sqlite_url))
    yield built
    await built.system.close()


def free_times(world: World) -> Iterator[datetime]:
    """Half-hour starts inside the specialists' hours, Monday to Saturday."""
    for days in range(6):
        day = world.day + timedelta(days=days)
        for hour in (9, 10, 11, 12, 14, 15, 16, 17):
            for minute in (0, 30):
                yield world.at(f"{hour:02d}:{minute:02d}", day)


async def people(world: World) -> dict[str, Actor]:
    async with world.system.sessions() as session, session.begin():
        client = User(bot="booking", chat_id="client", channel="webchat", role="client")
        other = User(bot="booking", chat_id="other", channel="webchat", role="client")
        bakyt_user = User(bot="booking", chat_id="bakyt", channel="webchat", role="specialist")
        session.add_all([client, other, bakyt_user])
        await session.flush()
        bakyt = await session.get(Specialist, world.bakyt)
        assert bakyt is not None
        bakyt.user_id = bakyt_user.id
        ids = {
            "admin": (world.admin_user, None),
            "client": (client.id, None),
            "other client": (other.id, None),
            "specialist": (world.aigul_user, world.aigul),
            "other specialist": (bakyt_user.id, world.bakyt),
        }
    actors = {}
    async with world.system.sessions() as session:
        for name, (user_id, specialist_id) in ids.items():
            user = await session.get(User, user_id)
            assert user is not None
            session.expunge(user)
            actors[name] = Actor(user, specialist_id)
    return actors


async def snapshot(world: World) -> dict[str, list[Any]]:
    state: dict[str, list[Any]] = {}
    async with world.system.sessions() as session:
        # the models of apps this system does not run (imported by other tests) have no table
        present = await session.run_sync(lambda s: set(inspect(s.connection()).get_table_names()))
        for table in Base.metadata.sorted_tables:
            if table.name not in RESTLESS and table.name in present:
                rows = (await session.execute(select(table))).all()
                state[table.name] = sorted(tuple(map(repr, row)) for row in rows)
    return state


async def test_every_booking_action_by_every_role(world: World) -> None:
    actors = await people(world)
    times = free_times(world)
    client = actors["client"]

    async def booking(status: str = "confirmed") -> Booking:
        async with world.system.sessions() as session, session.begin():
            request = Request(client.user.id, world.location, world.shave, world.aigul, next(times))
            made = await Bookings(session, SlotCache(), None, now=datetime.now(UTC)).create(
                actors["admin"], request, status=status
            )
            assert isinstance(made, Booking)
            return made

    Action = Callable[[Bookings, Actor], Awaitable[Any]]

    async def prepare(action: str) -> tuple[Action, datetime, str]:
        """The call to make, the moment it is made at, and the status it should leave."""
        now = datetime.now(UTC)
        if action == "book for oneself":
            start = next(times)
            return (
                lambda b, a: b.create(
                    a, Request(a.user.id, world.location, world.shave, world.aigul, start)
                ),
                now,
                "confirmed",
            )
        if action == "book for the client":
            start = next(times)
            request = Request(client.user.id, world.location, world.shave, world.aigul, start)
            return (lambda b, a: b.create(a, request)), now, "confirmed"
        if action == "move":
            made, start = await booking(), next(times)
            return (lambda b, a: b.reschedule(a, made.id, start)), now, "confirmed"
        if action == "cancel":
            made = await booking()
            return (lambda b, a: b.cancel(a, made.id)), now, "cancelled"
        if action == "confirm":
            made = await booking("pending")
            return (lambda b, a: b.confirm(a, made.id)), now, "confirmed"
        made = await booking()
        later = made.starts_at + timedelta(hours=1)
        return (lambda b, a: b.mark(a, made.id, "done")), later, "done"

    allowed = refused = 0
    for action, permitted in ALLOWED.items():
        for name in ACTORS:
            call, now, status = await prepare(action)
            before = await snapshot(world)
            case = f"{name} may {'' if name in permitted else 'not '}{action}"
            async with world.system.sessions() as session, session.begin():
                try:
                    result = await call(Bookings(session, SlotCache(), None, now=now), actors[name])
                except Refused as refusal:
                    outcome: Any = refusal
                else:
                    outcome = result
            if name in permitted:
                assert isinstance(outcome, Booking), f"{case}: {outcome!r}"
                assert outcome.status == status, case
                allowed += 1
            else:
                assert isinstance(outcome, Refused), f"{case}: it went through"
                said = translator("en")(outcome.message, **outcome.values)
                assert said.startswith("Sorry") and said.endswith("."), f"{case}: {said!r}"
                assert await snapshot(world) == before, f"{case}: the refusal changed the store"
                refused += 1
    print(
        f"\nbooking role matrix: {len(ALLOWED)} actions x {len(ACTORS)} roles: "
        f"{allowed} allowed and worked, {refused} refused and changed nothing"
    )
    assert allowed + refused == len(ALLOWED) * len(ACTORS)
