"""The administrator runs the place from the chat; specialists see their day and hours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from relaybot.apps.booking.models import (
    Booking,
    Location,
    Service,
    Specialist,
    User,
    WorkingHours,
)
from relaybot.apps.booking.render import day_label
from relaybot.apps.booking.ui import payloads as ui
from relaybot.config import BotConfig
from tests.apps.booking.world import make_world


@pytest.fixture
async def world(make_settings, sqlite_url):
    built = await make_world(make_settings(sqlite_url))
    yield built
    await built.system.close()


async def test_admin_sets_up_a_second_place_with_a_service_and_a_specialist(world):
    admin = world.admin
    await admin.say("/start")
    await admin.press("Locations")
    await admin.press("Add location")
    await admin.say("Riverside")
    await admin.say("Osh, Kurmanjan Datka 5")
    reply = await admin.say("Mars/Olympus")
    assert "Unknown timezone" in reply[0].text
    summary = await admin.say("asia/tashkent")
    assert "Timezone: Asia/Tashkent" in summary[0].text
    done = await admin.press("Yes")
    assert "Location “Riverside” is added." in done[0].text
    assert "✓ Riverside, Osh, Kurmanjan Datka 5 (Asia/Tashkent)" in done[-1].text

    await admin.say(payload=ui.Services().pack())
    await admin.press("Add service")
    await admin.say("Manicure")
    reply = await admin.say("50")
    assert "a multiple of 15" in reply[0].text
    await admin.press("45")
    summary = await admin.say("1 200")
    assert "Price: 1,200 KGS" in summary[0].text
    await admin.press("Yes")

    await admin.say(payload=ui.Specialists().pack())
    await admin.press("Add specialist")
    await admin.say("Cholpon")
    card = await admin.press("Yes")
    assert "Specialist Cholpon is added" in card[0].text
    code_line = next(line for line in card[-1].text.splitlines() if "Invite code" in line)
    code = code_line.split("Invite code: ")[1].split(" ")[0]
    await admin.press("✗ Manicure")
    assert "✓ Manicure" in admin.buttons()
    prompt = await admin.press("Hours at Riverside")
    assert "Mon-Fri 09:00-13:00" in prompt[0].text
    reply = await admin.say("Mon-Fri 10:00-13:10")
    assert "quarter hour" in reply[0].text
    reply = await admin.say("someday 10-12")
    assert "Please write the days and the hours" in reply[0].text
    summary = await admin.say("Mon-Fri 10:00-13:00, 14:00-17:00")
    assert "Monday, Tuesday, Wednesday, Thursday, Friday: 10:00–13:00, 14:00–17:00" in (
        summary[0].text
    )
    saved = await admin.press("Yes")
    assert "Working hours are saved." in saved[0].text
    assert "Riverside:\n  Monday: 10:00–13:00, 14:00–17:00" in saved[-1].text

    # the specialist signs in with the invite code and sees their hours
    cholpon = world.client("cholpon", name="Cholpon")
    reply = await cholpon.say("/join WRONG123")
    assert "not valid" in reply[0].text
    reply = await cholpon.say(f"/join {code}")
    assert "Welcome, Cholpon!" in reply[0].text
    assert cholpon.buttons() == ["Today", "This week", "My working hours", "Language"]
    hours = await cholpon.press("My working hours")
    assert "Friday: 10:00–13:00, 14:00–17:00" in hours[0].text

    # a client now chooses the place first, and finds the new service there
    dana = world.client("dana", name="Dana")
    await dana.say("hi")
    reply = await dana.press("Book an appointment")
    assert "Where would you like to come?" in reply[0].text
    await dana.press("Riverside, Osh, Kurmanjan Datka 5")
    assert dana.buttons() == ["Manicure · 45 min · 1,200 KGS", "Back", "Cancel"]
    await dana.press("Manicure · 45 min · 1,200 KGS")
    await dana.press("Cholpon")
    await dana.press(day_label(world.day, "en"))
    assert dana.buttons()[0] == "10:00"
    async with world.system.sessions() as session:
        hours_rows = await session.scalar(
            select(WorkingHours.id).join(Specialist).where(Specialist.name == "Cholpon").limit(1)
        )
        assert hours_rows is not None
        assert [s.name for s in await session.scalars(select(Service))][-1] == "Manicure"
        assert len(list(await session.scalars(select(Location)))) == 2


async def test_a_day_off_and_closing_a_service_take_away_its_times_at_once(world):
    admin = world.admin
    await admin.say(payload=ui.ShowSpecialist(id=world.aigul).pack())
    await admin.press("One day at Central")
    reply = await admin.say(f"{world.day:%d.%m} off")
    assert "day off" in reply[0].text
    await admin.press("Yes")
    dana = world.client("dana", name="Dana")
    await dana.say("hi")
    await dana.press("Book an appointment")
    await dana.press("Haircut · 60 min · 1,000 KGS")
    await dana.press("Aigul")
    assert day_label(world.day, "en") not in dana.buttons()
    await admin.say(payload=ui.Services().pack())
    await admin.press("Hide: Shave")
    await dana.press("Cancel")
    await dana.press("Book an appointment")
    assert dana.buttons() == ["Haircut · 60 min · 1,000 KGS", "Cancel"]


async def test_admin_books_for_a_new_client_who_has_only_a_phone(world):
    admin = world.admin
    await admin.say("/menu")
    reply = await admin.press("Book for a client")
    assert "Who is the booking for?" in reply[0].text
    await admin.press("New client")
    await admin.say("Oleg")
    reply = await admin.say("12345")
    assert "does not look like a phone number" in reply[0].text
    await admin.say("0555 123 456")
    reply = await admin.press("Yes")
    assert "Client Oleg is added." in reply[0].text
    assert "Which service" in reply[-1].text
    await admin.press("Haircut · 60 min · 1,000 KGS")
    await admin.press("Bakyt")
    await admin.press(day_label(world.day, "en"))
    summary = await admin.press("14:00")
    assert "Client: Oleg" in summary[0].text
    done = await admin.press("Confirm")
    assert f"Booked for Oleg, +996555123456: Haircut, {day_label(world.day, 'en')}, 14:00" in (
        done[0].text
    )
    # searching finds him by phone next time
    await admin.press("Book for a client")
    reply = await admin.say("123 456")
    assert "Oleg · +996555123456" in admin.buttons()


async def test_specialist_sees_bookings_of_today_and_the_week(world):
    # Anchored to the studio's own calendar day, so the test means the same at any hour.
    today = datetime.now(UTC).astimezone(world.tz).date()
    dana = await world.new_client("Dana")
    async with world.system.sessions() as session, session.begin():
        for start, status in (
            (world.at("00:15", today), "confirmed"),
            (world.at("00:15", today + timedelta(days=3)), "pending"),
        ):
            session.add(
                Booking(
                    client_id=dana,
                    specialist_id=world.aigul,
                    service_id=world.haircut,
                    location_id=world.location,
                    starts_at=start,
                    ends_at=start + timedelta(minutes=60),
                    duration_min=60,
                    status=status,
                )
            )
    aigul = world.aigul_chat
    await aigul.say("hi")
    today = await aigul.press("Today")
    assert "Your bookings today:" in today[0].text and "Haircut, Dana, Central (confirmed)" in (
        today[0].text
    )
    week = await aigul.press("This week")
    assert "(awaiting confirmation)" in week[0].text and "(confirmed)" in week[0].text
    hours = await aigul.press("My working hours")
    assert "Saturday: 09:00–13:00, 14:00–18:00" in hours[0].text
    refused = await aigul.say(payload=ui.BookVisit().pack())
    assert "not available to you" in refused[0].text


async def test_with_confirmation_required_the_admin_confirms_and_the_client_is_told(
    make_settings, sqlite_url
):
    bot = BotConfig(
        name="booking", app="booking", channel="webchat", options={"auto_confirm": False}
    )
    world = await make_world(make_settings(sqlite_url, bots=[bot]))
    try:
        dana = world.client("dana", name="Dana")
        await dana.say("hi")
        await dana.press("Book an appointment")
        await dana.press("Shave · 30 min · 500 KGS")
        await dana.press("Any specialist")
        await dana.press(day_label(world.day, "en"))
        await dana.press("09:30")
        done = await dana.press("Confirm")
        assert "waits for the administrator's confirmation" in done[0].text
        [booking] = await world.bookings()
        assert booking.status == "pending"
        card = await world.admin.say(payload=ui.OpenBooking(id=booking.id).pack())
        assert "Status: awaiting confirmation" in card[0].text
        await world.admin.press("Confirm")
        assert dana.last().startswith("Your booking 1 is confirmed: Shave")
        assert [b.status for b in await world.bookings()] == ["confirmed"]
    finally:
        await world.system.close()


async def test_a_person_promoted_to_admin_sees_the_admin_menu_on_their_next_message(world):
    dana = world.client("dana", name="Dana")
    await dana.say("hi")
    async with world.system.sessions() as session, session.begin():
        user = await session.scalar(select(User).where(User.chat_id == "dana"))
        assert user is not None
        user.role = "admin"
    reply = await dana.say("/start")
    assert "You are signed in as administrator" in reply[0].text
    assert "Book for a client" in dana.buttons()


async def test_admin_finds_a_client_by_a_name_typed_in_lower_case_cyrillic(world):
    await world.new_client("Дана")
    admin = world.admin
    await admin.say("/menu")
    await admin.press("Book for a client")
    await admin.say("дана")
    assert "Дана" in admin.buttons()
    reply = await admin.say("Zz-nobody")
    assert "Nobody found for “Zz-nobody”" in reply[0].text


async def test_an_admin_who_cancels_a_form_changes_nothing_and_finds_the_way_back(world):
    admin = world.admin
    await admin.say("/start")
    await admin.press("Locations")
    await admin.press("Add location")
    await admin.say("Riverside")
    reply = await admin.press("Cancel")
    assert reply[0].text == "All right, nothing was changed."
    await admin.press("Main menu")
    assert "Book for a client" in admin.buttons()
    assert await world.count(Location) == 1
