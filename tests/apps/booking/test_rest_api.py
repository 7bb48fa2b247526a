"""/api/booking/ as a staff tool or a web page uses it: the same notices as the chat, 422s
that name the field, deletions that would strand bookings refused, an audit trail, and no
double booking however many people ask for the same time at once."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from relaybot.apps.booking.models import Booking, User
from relaybot.store.models import AuditEntry
from tests.apps.booking.rest import Rest, rest_of
from tests.apps.booking.test_notifications import client_books, day, told
from tests.apps.booking.world import make_world

PEOPLE = 100


@pytest.fixture
async def rest(make_settings, sqlite_url):
    world = await make_world(make_settings(sqlite_url, default_locale="en"))
    dana = world.client("dana", name="Dana")
    for chat in (dana, world.admin, world.aigul_chat):
        await chat.say("hi")
    async with rest_of(world) as rest:
        rest.sign_in("admin", world.admin_user, "admin")
        rest.sign_in("aigul", world.aigul_user, "specialist")
        rest.sign_in("dana", await world.user_id(dana), "client")
        yield rest
    await world.system.close()


def booking_body(rest: Rest, hhmm: str, **more: object) -> dict[str, object]:
    w = rest.world
    return {
        "location_id": w.location,
        "service_id": w.haircut,
        "specialist_id": w.aigul,
        "start": w.at(hhmm).isoformat(),
        **more,
    }


async def over_rest(rest: Rest, who: str, method: str, path: str, body: object = None) -> int:
    answer = await rest.call(who, method, path, body)
    await rest.world.driver.collect()
    return answer.status_code


async def test_a_booking_made_over_rest_tells_the_same_people_the_same_as_one_made_in_chat(
    rest: Rest,
):
    world = rest.world
    in_chat = await told(world, lambda: client_books(world))
    cancelled_in_chat = await told(
        world, lambda: over_rest(rest, "dana", "POST", "/bookings/1/cancel")
    )
    over_http = await told(
        world, lambda: over_rest(rest, "dana", "POST", "/bookings", booking_body(rest, "10:00"))
    )

    def same(texts: list[str]) -> list[str]:
        return [
            t.replace("booking 2", "booking N").replace("booking 1", "booking N") for t in texts
        ]

    # The client's own chat shows the screens of booking; the others get the same notices.
    for person in ("aigul", "admin"):
        assert same(over_http[person]) == same(in_chat[person])
    new = f"New booking 2: Haircut, {day(world)}, 10:00. Client: Dana. Specialist: Aigul."
    assert over_http == {"dana": [], "aigul": [new], "admin": [new]}
    assert cancelled_in_chat["dana"] == [] and len(cancelled_in_chat["aigul"]) == 1

    by_admin = await told(
        world,
        lambda: over_rest(
            rest,
            "admin",
            "POST",
            "/bookings",
            booking_body(rest, "12:00", client_id=rest.ids["dana"]),
        ),
    )
    assert by_admin["admin"] == []  # the initiator is not told of their own act
    assert by_admin["dana"][0].startswith("A booking was made for you: Haircut,")
    moved = await told(
        world,
        lambda: over_rest(
            rest,
            "admin",
            "POST",
            "/bookings/3/reschedule",
            {"start": world.at("15:00").isoformat()},
        ),
    )
    assert moved["dana"][0].startswith("Your booking 3 was moved: Haircut is now on")
    assert moved["aigul"][0].startswith("Booking 3 was moved from")
    by_specialist = await told(
        world, lambda: over_rest(rest, "aigul", "POST", "/bookings/3/cancel")
    )
    assert by_specialist["dana"][0].startswith("Your booking 3 was cancelled")
    assert by_specialist["aigul"] == [] and len(by_specialist["admin"]) == 1


async def test_bad_input_is_answered_422_naming_the_field_and_changes_nothing(rest: Rest):
    cases = [
        ("POST", "/services", {"name": "Beard", "duration_min": 20}, "duration_min"),
        (
            "POST",
            "/services",
            {"name": "Beard", "duration_min": 30, "price_minor": -1},
            "price_minor",
        ),
        ("POST", "/services", {"name": " ", "duration_min": 30}, "name"),
        ("POST", "/services", {"name": "Beard", "duration_min": "30"}, "duration_min"),
        ("POST", "/services", {"name": "Beard", "duration_min": 30, "colour": "red"}, "colour"),
        ("PATCH", "/services/1", {"currency": "som"}, "currency"),
        ("POST", "/locations", {"name": "South", "timezone": "Mars/Olympus"}, "timezone"),
        ("PATCH", "/locations/1", {"timezone": "Bishkek"}, "timezone"),
        (
            "POST",
            "/hours",
            {"specialist_id": 1, "location_id": 1, "weekday": 7, "start_min": 600, "end_min": 700},
            "weekday",
        ),
        (
            "POST",
            "/hours",
            {"specialist_id": 1, "location_id": 1, "weekday": 6, "start_min": 720, "end_min": 600},
            "end_min",
        ),
        ("PATCH", "/hours/1", {"start_min": 1200}, "end_min"),
        ("POST", "/exceptions", {"specialist_id": 1, "location_id": 1, "day": 20310308}, "day"),
        (
            "POST",
            "/exceptions",
            {"specialist_id": 1, "location_id": 1, "day": "2031-03-08", "start_min": 600},
            "end_min",
        ),
        ("POST", "/specialists", {"name": "Cholpon", "service_ids": [77]}, "service_ids"),
        (
            "POST",
            "/bookings",
            {**booking_body(rest, "10:00"), "start": "2031-03-08T10:00"},
            "start",
        ),
        ("POST", "/bookings", {**booking_body(rest, "10:00"), "service_id": 0}, "service_id"),
    ]
    before = await rest.snapshot()
    for method, path, body, field in cases:
        answer = await rest.call("admin", method, path, body)
        assert answer.status_code == 422, (path, body, answer.text)
        named = [item["loc"][-1] for item in answer.json()["detail"]]
        assert field in named, (path, body, named)
    assert await rest.snapshot() == before


async def test_a_time_that_is_not_offered_or_taken_is_refused_with_the_reason(rest: Rest):
    assert (await rest.call("dana", "POST", "/bookings", booking_body(rest, "10:00"))).is_success
    taken = await rest.call("admin", "POST", "/bookings", booking_body(rest, "10:00"))
    assert taken.status_code == 409
    assert "10:00" not in [a[11:16] for a in taken.json()["alternatives"]]
    assert taken.json()["alternatives"], "the nearest free times are offered"
    odd = await rest.call(
        "dana",
        "POST",
        "/bookings",
        booking_body(rest, "10:00") | {"start": rest.world.at("10:07").isoformat()},
    )
    assert odd.status_code == 409 and "offered times" in odd.json()["detail"]
    nowhere = await rest.call("dana", "GET", "/slots?location_id=9&service_id=1&day=2031-03-08")
    assert nowhere.status_code == 409
    missing = await rest.call("admin", "POST", "/bookings/99/cancel")
    assert missing.status_code == 404 and missing.json()["detail"] == (
        "There is no booking with that number."
    )


async def test_free_slots_of_a_day_and_of_a_range(rest: Rest):
    world = rest.world
    query = f"/slots?location_id=1&service_id=1&specialist_id={world.aigul}&day={world.day}"
    day_one = (await rest.call("dana", "GET", query)).json()
    assert [s["start"][11:16] for s in day_one][:2] == [
        world.at("09:00").isoformat()[11:16],
        world.at("09:15").isoformat()[11:16],
    ]
    assert all(s["specialist_ids"] == [world.aigul] for s in day_one)
    await rest.call("dana", "POST", "/bookings", booking_body(rest, "09:00"))
    after = (await rest.call("dana", "GET", query)).json()
    assert world.at("09:00").isoformat()[:16] not in [s["start"][:16] for s in after]
    week = (await rest.call("dana", "GET", query + "&days=7")).json()
    days = {s["start"][:10] for s in week}
    assert len(days) == 6  # Monday to Saturday; Sunday is a day off


async def test_deleting_what_has_future_bookings_is_refused_with_the_offer_to_deactivate(
    rest: Rest,
):
    world = rest.world
    await rest.call("dana", "POST", "/bookings", booking_body(rest, "10:00"))
    before = await rest.snapshot()
    for path in ("/services/1", "/specialists/1", "/locations/1"):
        answer = await rest.call("admin", "DELETE", path)
        assert answer.status_code == 409, path
        assert "1 upcoming bookings" in answer.json()["detail"]
        assert "Deactivate" in answer.json()["detail"]
    hours = (await rest.call("admin", "GET", f"/hours?specialist_id={world.aigul}")).json()
    monday_morning = next(h["id"] for h in hours if h["weekday"] == 0 and h["start_min"] == 540)
    refused = await rest.call("admin", "DELETE", f"/hours/{monday_morning}")
    assert refused.status_code == 409 and "Move or cancel" in refused.json()["detail"]
    assert await rest.snapshot() == before

    off = await rest.call("admin", "PATCH", "/services/1", {"active": False})
    assert off.status_code == 200 and off.json()["active"] is False
    assert [b.status for b in await world.bookings()] == ["confirmed"]  # the booking stays
    again = await rest.call("dana", "POST", "/bookings", booking_body(rest, "15:00"))
    assert again.status_code == 409 and "not available" in again.json()["detail"]

    await rest.call("admin", "POST", "/bookings/1/cancel")
    history = await rest.call("admin", "DELETE", "/services/1")
    assert history.status_code == 409 and "past bookings" in history.json()["detail"]


async def test_admin_changes_over_rest_are_audited_with_before_and_after(rest: Rest):
    await rest.call("admin", "PATCH", "/services/1", {"price_minor": 120000, "name": "Haircut"})
    await rest.call("admin", "PATCH", "/locations/1", {"timezone": "Asia/Almaty"})
    await rest.call("dana", "POST", "/bookings", booking_body(rest, "10:00"))
    await rest.call("aigul", "POST", "/bookings/1/cancel")
    async with rest.world.system.sessions() as session:
        entries = list(
            await session.scalars(
                select(AuditEntry).where(AuditEntry.channel == "rest").order_by(AuditEntry.id)
            )
        )
    found = [(e.action, e.target, e.details) for e in entries]
    assert found == [
        (
            "booking.service.edit",
            "service:1",
            {"before": {"price_minor": 100000}, "after": {"price_minor": 120000}},
        ),
        (
            "booking.location.edit",
            "location:1",
            {"before": {"timezone": "Asia/Bishkek"}, "after": {"timezone": "Asia/Almaty"}},
        ),
        (
            "booking.booking.cancel",
            "booking:1",
            {"before": {"status": "confirmed"}, "after": {"status": "cancelled"}},
        ),
    ]  # the client's own booking is theirs: not an admin action
    assert entries[0].actor == f"booking:user:{rest.ids['admin']}:admin"
    assert entries[2].actor == f"booking:user:{rest.ids['aigul']}:specialist"


@pytest.fixture
async def crowd(make_settings, database_url):
    world = await make_world(make_settings(database_url, default_locale="en"))
    async with rest_of(world) as rest:
        for n in range(PEOPLE):
            rest.sign_in(f"client {n}", await world.new_client(f"Client {n}"), "client")
        yield rest
    await world.system.close()


async def test_a_hundred_rest_bookings_of_one_time_at_once_make_exactly_one(crowd: Rest):
    body = booking_body(crowd, "10:00")
    answers = await asyncio.gather(
        *(crowd.call(f"client {n}", "POST", "/bookings", body) for n in range(PEOPLE))
    )
    codes = sorted(a.status_code for a in answers)
    assert codes == [201] + [409] * (PEOPLE - 1)
    assert all(a.json()["alternatives"] for a in answers if a.status_code == 409)
    async with crowd.world.system.sessions() as session:
        made = list(await session.scalars(select(Booking)))
        owner = await session.get(User, made[0].client_id)
    assert len(made) == 1
    winner = next(a for a in answers if a.status_code == 201).json()
    assert owner is not None and winner["client_name"] == owner.name
