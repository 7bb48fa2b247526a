"""A client's stories: book, see, move and cancel bookings, and what happens when time runs out."""

from __future__ import annotations

import pytest

from relaybot.apps.booking.models import Booking
from relaybot.apps.booking.render import day_label
from relaybot.apps.booking.ui import payloads as ui
from tests.apps.booking.world import World, make_world


@pytest.fixture
async def world(make_settings, sqlite_url):
    built = await make_world(make_settings(sqlite_url))
    yield built
    await built.system.close()


def day_button(world: World) -> str:
    return day_label(world.day, "en")


async def book_haircut(world: World, chat, time: str = "10:00", who: str = "Aigul") -> list:
    await chat.say("hello")
    await chat.press("Book an appointment")
    await chat.press("Haircut · 60 min · 1,000 KGS")
    await chat.press(who)
    await chat.press(day_button(world))
    await chat.press(time)
    return await chat.press("Confirm")


async def test_client_books_a_haircut_and_gets_a_booking_number(world):
    dana = world.client("dana", name="Dana")
    greeting = await dana.say("hello")
    assert "book an appointment" in greeting[0].text
    assert dana.buttons() == ["Book an appointment", "My bookings", "Language"]

    reply = await dana.press("Book an appointment")
    assert "Which service" in reply[0].text  # one location: nobody is asked where
    assert dana.buttons() == [
        "Haircut · 60 min · 1,000 KGS",
        "Shave · 30 min · 500 KGS",
        "Cancel",
    ]
    reply = await dana.press("Haircut · 60 min · 1,000 KGS")
    assert dana.buttons() == ["Any specialist", "Aigul", "Bakyt", "Back", "Cancel"]
    reply = await dana.press("Aigul")
    assert "Which day" in reply[0].text and day_button(world) in dana.buttons()
    reply = await dana.press(day_button(world))
    assert "local time of Central" in reply[0].text
    assert dana.buttons()[:3] == ["09:00", "09:15", "09:30"] and "13:00" not in dana.buttons()
    summary = await dana.press("10:00")
    assert summary[0].text.splitlines()[1:] == [
        "Service: Haircut, 60 min",
        "Specialist: Aigul",
        "Where: Central, Chui 120",
        f"When: {day_button(world)}, 10:00",
        "Price: 1,000 KGS",
    ]
    done = await dana.press("Confirm")
    assert "You are booked! Haircut" in done[0].text and "Booking number 1" in done[0].text
    [booking] = await world.bookings()
    assert (booking.starts_at, booking.status, booking.specialist_id) == (
        world.at("10:00"),
        "confirmed",
        world.aigul,
    )

    mine = await dana.press("My bookings")
    assert f"No. 1: Haircut, {day_button(world)}, 10:00, Aigul, Central (confirmed)" in mine[0].text
    assert {"Move No. 1", "Cancel No. 1"} <= set(dana.buttons())


async def test_any_specialist_goes_to_whoever_is_free(world):
    other = await world.new_client("Other")
    await world.book(other, world.aigul, world.haircut, "10:00")
    dana = world.client("dana", name="Dana")
    done = await book_haircut(world, dana, who="Any specialist")
    assert "with Bakyt" in done[0].text


async def test_a_time_taken_meanwhile_gets_the_nearest_free_times_and_one_of_them_books(world):
    dana = world.client("dana", name="Dana")
    await dana.say("hi")
    await dana.press("Book an appointment")
    await dana.press("Haircut · 60 min · 1,000 KGS")
    await dana.press("Aigul")
    await dana.press(day_button(world))
    await dana.press("10:00")
    # while Dana reads the summary, someone else takes 10:00 with Aigul
    other = await world.new_client("Quick")
    await world.book(other, world.aigul, world.haircut, "10:00")
    reply = await dana.press("Confirm")
    assert "this time was just taken. Here are the nearest free times" in reply[0].text
    offered = dana.buttons()
    assert f"{day_button(world)}, 09:00" in offered and f"{day_button(world)}, 11:00" in offered
    assert f"{day_button(world)}, 10:00" not in offered
    await dana.press(f"{day_button(world)}, 11:00")
    done = await dana.press("Confirm")
    assert "You are booked!" in done[0].text
    assert [(b.client_id, b.starts_at) for b in await world.bookings()][1][1] == world.at("11:00")


async def test_client_can_type_the_date_and_the_time(world):
    dana = world.client("dana", name="Dana")
    await dana.say("hi")
    await dana.press("Book an appointment")
    await dana.say("shave · 30 min · 500 kgs")  # a label typed instead of pressed
    await dana.say("Bakyt")
    reply = await dana.say("Bakyt")
    assert "Please choose one of the buttons" in reply[0].text  # Bakyt does not shave
    await dana.say("Aigul")
    reply = await dana.say(world.day.strftime("%d.%m.%Y"))
    assert "Free times" in reply[0].text
    reply = await dana.say("13:00")
    assert "that time is not free" in reply[0].text  # lunch
    reply = await dana.say("9.45")
    assert f"When: {day_button(world)}, 09:45" in reply[0].text
    done = await dana.say("yes")
    assert "You are booked!" in done[0].text


async def test_client_moves_and_then_cancels_a_booking(world):
    dana = world.client("dana", name="Dana")
    await book_haircut(world, dana, "10:00")
    await dana.press("My bookings")
    reply = await dana.press("Move No. 1")
    assert "Which day" in reply[0].text
    await dana.press(day_button(world))
    assert "10:00" not in dana.buttons()  # the booking itself is at 10:00
    assert "10:30" in dana.buttons()  # a move may overlap the booking's own time
    reply = await dana.press("10:30")
    assert f"Moving from: {day_button(world)}, 10:00" in reply[0].text
    done = await dana.press("Confirm")
    assert f"booking 1 is moved to {day_button(world)}, 10:30" in done[0].text
    [booking] = await world.bookings()
    assert booking.starts_at == world.at("10:30")

    await dana.press("My bookings")
    reply = await dana.press("Cancel No. 1")
    assert "Cancel booking No. 1" in reply[0].text
    reply = await dana.press("Yes, cancel it")
    assert "Booking No. 1 is cancelled." in reply[0].text
    [booking] = await world.bookings()
    assert booking.status == "cancelled"
    reply = await dana.press("My bookings")
    assert "You have no upcoming bookings." in reply[0].text


async def test_back_and_cancel_inside_the_booking_dialog(world):
    dana = world.client("dana", name="Dana")
    await dana.say("hi")
    await dana.press("Book an appointment")
    await dana.press("Haircut · 60 min · 1,000 KGS")
    reply = await dana.press("Back")
    assert "Which service" in reply[0].text
    reply = await dana.say("back")
    assert "This is the first step." in reply[0].text
    await dana.press("Shave · 30 min · 500 KGS")
    reply = await dana.press("Cancel")
    assert "nothing was booked" in reply[0].text
    assert await world.bookings() == []
    stale = await dana.say(payload="bk:w:specialist:1")
    assert "That button is no longer active." in stale[0].text


async def test_a_client_without_a_name_is_asked_for_one_once(world):
    anon = world.client("anon")
    await anon.say("hi")
    reply = await anon.press("Book an appointment")
    assert "How may we call you?" in reply[0].text
    reply = await anon.say("x")
    assert "too short" in reply[0].text
    reply = await anon.say("Timur")
    assert "Which service" in reply[0].text
    await anon.press("Cancel")
    reply = await anon.press("Book an appointment")
    assert "Which service" in reply[0].text


async def test_nobody_can_touch_someone_elses_booking(world):
    dana = world.client("dana", name="Dana")
    await book_haircut(world, dana)
    mallory = world.client("mallory", name="Mallory")
    await mallory.say("hi")
    for payload in (
        ui.ConfirmCancel(id=1).pack(),
        ui.CancelBooking(id=1).pack(),
        ui.MoveBooking(id=1).pack(),
        ui.OpenBooking(id=1).pack(),
    ):
        reply = await mallory.say(payload=payload)
        assert "Sorry, you can only" in reply[0].text, payload
    for payload in (
        ui.MarkBooking(id=1, outcome="done").pack(),
        ui.MarkBooking(id=1, outcome="no_show").pack(),
        ui.Locations().pack(),
        ui.BookForClient().pack(),
        ui.ToggleSpecialist(id=1).pack(),
        ui.ConfirmBooking(id=1).pack(),
    ):
        reply = await mallory.say(payload=payload)
        assert "only an administrator can do that" in reply[0].text, payload
    for payload in (ui.Today().pack(), ui.MyHours().pack()):
        reply = await mallory.say(payload=payload)
        assert "not available to you" in reply[0].text
    [booking] = await world.bookings()
    assert booking.status == "confirmed" and booking.starts_at == world.at("10:00")


async def test_a_forged_or_old_button_is_answered_and_changes_nothing(world):
    dana = world.client("dana", name="Dana")
    await dana.say("hi")
    forged = ("booking:abc", "bk:nonsense", "cancel-yes:", "mark:1:maybe", "bk:w:time:999")
    for payload in (*forged, "choice:999", "flow:yes"):
        reply = await dana.say(payload=payload)
        assert "no longer active" in reply[0].text, payload
    reply = await dana.say(payload=ui.OpenBooking(id=999).pack())
    assert "There is no booking with that number." in reply[0].text
    assert await world.count(Booking) == 0


async def test_later_dates_page_through_the_days_with_free_time(world):
    dana = world.client("dana", name="Dana")
    await dana.say("hi")
    await dana.press("Book an appointment")
    await dana.press("Shave · 30 min · 500 KGS")
    await dana.press("Aigul")
    first_page = [b for b in dana.buttons() if b not in ("Later dates", "Back", "Cancel")]
    assert len(first_page) == 7 and "Later dates" in dana.buttons()
    assert not any(label.startswith("Sun") for label in first_page)  # nobody works on Sundays
    await dana.press("Later dates")
    second_page = [b for b in dana.buttons() if b not in ("Later dates", "Back", "Cancel")]
    assert len(second_page) == 7 and not set(first_page) & set(second_page)
