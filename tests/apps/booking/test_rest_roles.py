"""Every /api/booking/ operation tried by every kind of caller: the allowed one works, the
others are answered 401 or 403 and leave every row (and the audit log) as it was."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from relaybot.apps.booking.bookings import Bookings, Request
from relaybot.apps.booking.models import User
from relaybot.apps.booking.slots import SlotCache
from relaybot.apps.booking.users import Actor
from tests.apps.booking.rest import Rest, rest_of
from tests.apps.booking.world import World, make_world

EVERYONE = ("nobody", "forged", "stranger", "client", "specialist", "admin")
ANSWER_WHEN_REFUSED = {"nobody": 401, "forged": 401}


@pytest.fixture
async def rest(make_settings, sqlite_url):
    world = await make_world(make_settings(sqlite_url, default_locale="en"))
    dana, erlan = world.client("dana", name="Dana"), world.client("erlan", name="Erlan")
    await dana.say("hi")
    await erlan.say("hi")
    async with rest_of(world) as rest:
        rest.sign_in("admin", world.admin_user, "admin")
        rest.sign_in("specialist", world.aigul_user, "specialist")
        rest.sign_in("client", await world.user_id(dana), "client")
        rest.sign_in("stranger", await world.user_id(erlan), "client")
        rest.sign_in("forged", 99999, "admin")  # a well-signed token of no one the app knows
        yield rest
    await world.system.close()


@dataclass(frozen=True)
class Op:
    """`by` does `method path`; each of `refused` tries it first and is turned away."""

    method: str
    path: str | Callable[[Rest], str]
    by: str
    body: object | Callable[[Rest], object] = None
    refused: tuple[str, ...] = ()
    status: int = 200

    def resolve(self, rest: Rest) -> tuple[str, object]:
        path = self.path(rest) if callable(self.path) else self.path
        body = self.body(rest) if callable(self.body) else self.body
        return path, body


def staff_only(*extra: str) -> tuple[str, ...]:
    return ("nobody", "forged", "stranger", "client", "specialist", *extra)


def at(rest: Rest, hhmm: str) -> str:
    return rest.world.at(hhmm).isoformat()


def created(kind: str) -> Callable[[Rest], str]:
    return lambda rest: f"/{kind}/{rest.ids[kind]}"


def booking(name: str, action: str = "") -> Callable[[Rest], str]:
    return lambda rest: f"/bookings/{rest.ids[name]}{action}"


READS = [
    Op("GET", path, by=role, refused=("nobody", "forged"))
    for path in (
        "/me",
        "/locations",
        "/locations/1",
        "/services",
        "/services/1",
        "/specialists",
        "/specialists/1",
        "/hours",
        "/hours/1",
        "/exceptions",
        "/bookings",
    )
    for role in ("client", "specialist", "admin")
]
CATALOG = [
    Op(
        "POST",
        "/locations",
        "admin",
        {"name": "South", "timezone": "Asia/Bishkek"},
        staff_only(),
        201,
    ),
    Op("PATCH", created("locations"), "admin", {"address": "Toktogul 1"}, staff_only()),
    Op("POST", "/services", "admin", {"name": "Beard", "duration_min": 45}, staff_only(), 201),
    Op("PATCH", created("services"), "admin", {"price_minor": 70000}, staff_only()),
    Op("POST", "/specialists", "admin", {"name": "Cholpon", "service_ids": [1]}, staff_only(), 201),
    Op("PATCH", created("specialists"), "admin", {"name": "Cholpon A."}, staff_only()),
    Op(
        "POST",
        "/hours",
        "admin",
        {"specialist_id": 2, "location_id": 1, "weekday": 6, "start_min": 600, "end_min": 720},
        staff_only(),
        201,
    ),
    Op("PATCH", created("hours"), "admin", {"end_min": 780}, staff_only()),
    Op("DELETE", created("hours"), "admin", None, staff_only(), 204),
    Op(
        "POST",
        "/exceptions",
        "admin",
        {"specialist_id": 2, "location_id": 1, "day": "2031-03-08"},
        staff_only(),
        201,
    ),
    Op("PATCH", created("exceptions"), "admin", {"start_min": 600, "end_min": 660}, staff_only()),
    Op("DELETE", created("exceptions"), "admin", None, staff_only(), 204),
    Op("DELETE", created("specialists"), "admin", None, staff_only(), 204),
    Op("DELETE", created("services"), "admin", None, staff_only(), 204),
    Op("DELETE", created("locations"), "admin", None, staff_only(), 204),
]
BOOKINGS = [
    Op(
        "GET",
        lambda r: f"/slots?location_id=1&service_id=1&day={r.world.day}",
        role,
        refused=("nobody", "forged"),
    )
    for role in ("client", "specialist", "admin")
] + [
    Op(
        "POST",
        "/bookings",
        "client",
        lambda r: {"location_id": 1, "service_id": 1, "specialist_id": 1, "start": at(r, "10:00")},
        ("nobody", "forged", "specialist"),
        201,
    ),
    Op(
        "POST",
        "/bookings",
        "admin",
        lambda r: {
            "location_id": 1,
            "service_id": 1,
            "specialist_id": 1,
            "start": at(r, "11:00"),
            "client_id": r.ids["client"],
        },
        ("nobody", "forged", "specialist", "stranger"),
        201,
    ),
    *[
        Op("GET", booking("first"), role, refused=("nobody", "forged", "stranger"))
        for role in ("client", "specialist", "admin")
    ],
    Op(
        "POST",
        booking("first", "/reschedule"),
        "client",
        lambda r: {"start": at(r, "12:00")},
        ("nobody", "forged", "stranger", "specialist"),
    ),
    Op(
        "POST",
        booking("first", "/reschedule"),
        "admin",
        lambda r: {"start": at(r, "15:00")},
        ("nobody", "forged", "stranger", "specialist"),
    ),
    Op(
        "POST",
        booking("pending", "/confirm"),
        "admin",
        None,
        ("nobody", "forged", "stranger", "client", "specialist"),
    ),
    Op(
        "POST",
        booking("past", "/done"),
        "admin",
        None,
        ("nobody", "forged", "stranger", "client", "specialist"),
    ),
    Op(
        "POST",
        booking("missed", "/no-show"),
        "admin",
        None,
        ("nobody", "forged", "stranger", "client", "specialist"),
    ),
    Op("POST", booking("first", "/cancel"), "client", None, ("nobody", "forged", "stranger")),
    Op("POST", booking("second", "/cancel"), "specialist", None, ("nobody", "forged", "stranger")),
    Op("POST", booking("pending", "/cancel"), "admin", None, ("nobody", "forged", "stranger")),
]

PEOPLE = [
    Op("GET", "/people", "admin", None, staff_only()),
    Op(
        "POST",
        lambda r: f"/people/{r.ids['stranger']}/role",
        "admin",
        {"role": "admin"},
        staff_only(),
    ),
    Op(
        "POST",
        lambda r: f"/people/{r.ids['stranger']}/role",
        "admin",
        {"role": "client"},
        ("nobody", "forged", "client", "specialist"),
    ),
    Op("POST", "/specialists/1/revoke", "admin", None, staff_only()),
]


async def run(rest: Rest, ops: list[Op]) -> None:
    for op in ops:
        path, body = op.resolve(rest)
        for who in op.refused:
            before = await rest.snapshot()
            answer = await rest.call(who, op.method, path, body)
            expected = ANSWER_WHEN_REFUSED.get(who, 403)
            assert answer.status_code == expected, (who, op.method, path, answer.text)
            assert await rest.snapshot() == before, (who, op.method, path)
        answer = await rest.call(op.by, op.method, path, body)
        assert answer.status_code == op.status, (op.by, op.method, path, answer.text)
        if op.status == 201:
            kind = path.strip("/").split("/")[0]
            rest.ids[kind] = answer.json()["id"]
            if kind == "bookings":
                rest.ids["first" if "first" not in rest.ids else "second"] = answer.json()["id"]


async def pending_booking(world: World, client_id: int) -> int:
    from datetime import UTC, datetime

    async with world.system.sessions() as session, session.begin():
        client = await session.get(User, client_id)
        assert client is not None
        made = await Bookings(session, SlotCache(), None, now=datetime.now(UTC)).create(
            Actor(client),
            Request(client_id, world.location, world.shave, world.aigul, world.at("16:00")),
            status="pending",
        )
        return made.id  # type: ignore[union-attr]


async def test_every_operation_by_every_role(rest: Rest):
    await run(rest, READS)
    await run(rest, CATALOG)
    rest.ids["pending"] = await pending_booking(rest.world, rest.ids["client"])
    rest.ids["past"] = await rest.past_booking("client", hours_ago=3)
    rest.ids["missed"] = await rest.past_booking("stranger", hours_ago=5)
    await run(rest, BOOKINGS)
    await run(rest, PEOPLE)

    states = {b.id: b.status for b in await rest.world.bookings()}
    assert states == {
        rest.ids["first"]: "cancelled",
        rest.ids["second"]: "cancelled",
        rest.ids["pending"]: "cancelled",
        rest.ids["past"]: "done",
        rest.ids["missed"]: "no_show",
    }
    async with rest.world.system.sessions() as session:
        roles = {u.id: u.role for u in await session.scalars(select(User))}
    assert roles[rest.ids["stranger"]] == "client"
    assert roles[rest.ids["specialist"]] == "client"  # the sign-in was revoked


async def test_a_client_sees_only_their_own_bookings_and_a_specialist_only_theirs(rest: Rest):
    world = rest.world
    await world.book(rest.ids["client"], world.aigul, world.haircut, "10:00")
    await world.book(rest.ids["stranger"], world.bakyt, world.haircut, "10:00")

    def numbers(page: dict[str, object]) -> list[int]:
        return [item["id"] for item in page["items"]]  # type: ignore[attr-defined, index]

    mine = (await rest.call("client", "GET", "/bookings")).json()
    theirs = (await rest.call("stranger", "GET", "/bookings")).json()
    aigul = (await rest.call("specialist", "GET", "/bookings")).json()
    everyone = (await rest.call("admin", "GET", "/bookings")).json()
    assert (numbers(mine), numbers(theirs), numbers(aigul)) == ([1], [2], [1])
    assert numbers(everyone) == [1, 2] and everyone["total"] == 2
    # Asking for someone else's bookings by filter still finds only one's own.
    peek = await rest.call("client", "GET", f"/bookings?client_id={rest.ids['stranger']}")
    assert peek.json()["items"] == []
    assert (await rest.call("client", "GET", "/bookings/2")).status_code == 403
    assert (await rest.call("client", "POST", "/bookings/2/cancel")).status_code == 403
    # Filters narrow the admin's view.
    by_bakyt = await rest.call("admin", "GET", f"/bookings?specialist_id={world.bakyt}")
    assert numbers(by_bakyt.json()) == [2]
    cancelled = await rest.call("admin", "GET", "/bookings?status=cancelled")
    assert cancelled.json()["total"] == 0
    later = await rest.call("admin", "GET", f"/bookings?since={world.day.replace(year=2099)}")
    assert later.json()["total"] == 0


async def test_an_admin_whose_role_was_taken_back_loses_the_api_at_once(rest: Rest):
    rest.sign_in("second admin", rest.ids["stranger"], "client")
    async with rest.world.system.sessions() as session, session.begin():
        erlan = await session.get(User, rest.ids["stranger"])
        assert erlan is not None
        erlan.role = "admin"
    made = await rest.call(
        "second admin", "POST", "/services", {"name": "Massage", "duration_min": 60}
    )
    assert made.status_code == 201
    revoked = await rest.call(
        "admin", "POST", f"/people/{rest.ids['stranger']}/role", {"role": "client"}
    )
    assert revoked.status_code == 200 and revoked.json()["role"] == "client"
    again = await rest.call(
        "second admin", "POST", "/services", {"name": "Massage 2", "duration_min": 60}
    )
    assert again.status_code == 403  # the token still says "admin"; the app knows better
    last = await rest.call("admin", "POST", f"/people/{rest.ids['admin']}/role", {"role": "client"})
    assert last.status_code == 409 and "last administrator" in last.json()["detail"]
