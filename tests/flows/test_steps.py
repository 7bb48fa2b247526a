"""Stories of people answering every kind of step, through the real queue, worker and outbox."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from relaybot.core.types import Attachment
from relaybot.flows.words import PAYLOAD_LIMIT, unmarked
from relaybot.store.models import DialogOutcome
from relaybot.system import System
from tests.flows.conftest import Person

Talk = Callable[..., Person]


def today() -> date:
    return datetime.now(UTC).date()


def weekday_ahead(days: int = 1) -> date:
    """A day at least `days` ahead that is not a Sunday (the test flow's check refuses those)."""
    day = today() + timedelta(days=days)
    return day + timedelta(days=1) if day.weekday() == 6 else day


def photo(ref: str) -> Attachment:
    return Attachment("photo", ref)


async def to_the_day_step(ann: Person) -> None:
    await ann.say("hi")
    await ann.press("Water")
    await ann.say("3")
    await ann.press("Delivery")
    await ann.say("Bishkek, Chui avenue 120")


async def test_an_order_through_every_kind_of_answer_arrives_clean(person: Talk) -> None:
    ann = person("order")
    first = await ann.say("hi")
    assert first[-1].text == "Which product?"
    assert ann.buttons() == ["Water", "Juice", "Cancel"], "choices read from the database"
    assert "How many" in (await ann.press("Water"))[-1].text
    assert "Back" in ann.buttons()
    await ann.say("3")
    assert (await ann.press("Delivery"))[-1].text == "Where to?"
    await ann.say("Bishkek, Chui avenue 120")
    day = weekday_ahead()
    assert (await ann.say(f"{day.day}.{day.month}.{day.year}"))[-1].text == "At what time?"
    await ann.say("14.30")
    await ann.say("0555 123 456")
    assert "Skip" in ann.buttons()
    summary = await ann.press("Skip")
    body = summary[-1].text
    assert "Product: Water" in body and "Delivery: Delivery" in body
    assert "Phone: +996555123456" in body and "Note: (skipped)" in body
    assert f"Day: {day.day} " in body and "Time: 14:30" in body
    await ann.press("Yes")
    assert ann.saved() == {
        "product": "water",
        "quantity": 3,
        "delivery": "d",
        "address": "Bishkek, Chui avenue 120",
        "day": day.isoformat(),
        "time": "14:30",
        "phone": "+996555123456",
        "note": None,
    }


async def test_bad_answers_get_a_clear_message_and_the_same_question(person: Talk) -> None:
    ann = person("order")
    await ann.say("hi")
    assert "choose one of the options" in (await ann.say("Lemonade"))[0].text
    await ann.say("water")  # a choice typed by its label
    for wrong in ("0", "51", "many"):
        reply = await ann.say(wrong)
        assert reply[0].text == "Please send a whole number from 1 to 50.", wrong
        assert reply[-1].text == "How many? 1-50."
    await ann.say("2")
    await ann.press("Delivery")
    old_button = await ann.say("Juice", payload="choice:juice")
    assert old_button[0].text == "That button is no longer active.", "not an address"
    assert (await ann.say("x" * 301))[0].text == "Please keep it within 300 characters."
    await ann.say("Osh, Lenina 1")
    assert (await ann.say("31.02"))[0].text == "There is no 31 February."
    assert (await ann.say("yesterday"))[0].text.startswith("That day has already passed")
    assert "such as 31.12" in (await ann.say("soon"))[0].text
    sunday = today() + timedelta(days=(6 - today().weekday()) % 7 or 7)
    assert (await ann.say(sunday.isoformat()))[0].text == "We do not deliver on Sundays."
    await ann.say(weekday_ahead().isoformat())
    assert (await ann.say("25:00"))[0].text.startswith("There is no such time as 25:00")
    assert (await ann.say("7:00"))[0].text == "Please choose a time from 09:00 to 20:00."
    await ann.say("2 pm")
    rule = "We call numbers in Kyrgyzstan only, such as 0700 123 456."
    for wrong in ("12345", "phone"):
        reply = await ann.say(wrong)
        assert reply[0].text == f"This does not look like a phone number. {rule}", wrong
        assert reply[-1].text == "Your phone"
    for foreign, country in (("+7 912 345 67 89", "Russia"), ("+1 202 555 0143", "United States")):
        reply = await ann.say(foreign)
        assert reply[0].text == f"That is a number in {country}. {rule}", foreign
        assert reply[-1].text == "Your phone"
    await ann.say("+996 (555) 12-34-56")
    assert "Note" in (await ann.say("The blue gate"))[-1].text
    await ann.say("yes")
    assert ann.saved()["time"] == "14:00"


async def test_pick_up_skips_the_address_and_back_follows_the_path_taken(person: Talk) -> None:
    ann = person("order")
    await to_the_day_step(ann)
    assert (await ann.press("Back"))[-1].text == "Where to?"
    assert (await ann.press("Back"))[-1].text == "Delivery or pick-up?"
    assert (await ann.press("Pick-up"))[-1].text == "Which day?", "no address for a pick-up"
    assert (await ann.say("back"))[-1].text == "Delivery or pick-up?", "typed back, same path"
    await ann.press("Pick-up")
    await ann.say(weekday_ahead().isoformat())
    assert (await ann.say("назад"))[-1].text == "Which day?"
    await ann.say(weekday_ahead().isoformat())
    await ann.say("10:00")
    await ann.say("0555123456")
    summary = (await ann.say("skip"))[-1].text
    assert "Address" not in summary and "Delivery: Pick-up" in summary
    await ann.press("Yes")
    saved = ann.saved()
    assert "address" not in saved, "an answer from the branch not taken is not passed on"
    assert saved["delivery"] == "p"


async def test_a_changed_answer_on_the_summary_asks_the_branch_it_opens(person: Talk) -> None:
    ann = person("order")
    await ann.say("hi")
    await ann.press("Juice")
    await ann.say("1")
    await ann.press("Pick-up")
    await ann.say(weekday_ahead().isoformat())
    await ann.say("12:00")
    await ann.say("0555123456")
    await ann.press("Skip")
    assert (await ann.press("Change: Delivery"))[-1].text == "Delivery or pick-up?"
    assert (await ann.press("Delivery"))[-1].text == "Where to?"
    summary = (await ann.say("Osh, Lenina 1"))[-1].text
    assert "Address: Osh, Lenina 1" in summary
    await ann.press("Yes")
    assert ann.saved()["address"] == "Osh, Lenina 1"


async def test_help_is_shown_when_asked_for_in_either_language(person: Talk) -> None:
    ann = person("order")
    await ann.say("hi")
    reply = await ann.say("?")
    assert reply[0].text.startswith("This is an order of water"), "the flow's help"
    assert reply[-1].text == "Which product?"
    await ann.press("Water")
    await ann.say("1")
    await ann.press("Pick-up")
    await ann.say(weekday_ahead().isoformat())
    await ann.say("11:00")
    await ann.say("0555123456")
    reply = await ann.say("/help")
    assert reply[0].text == "For example: the entrance code, or a landmark.", "the step's help"
    assert (await ann.say("помощь"))[0].text.startswith("For example")


async def test_a_button_calendar_pages_through_months_and_picks_a_day(person: Talk) -> None:
    ann = person("order")
    await to_the_day_step(ann)
    assert all(len(p.encode()) <= PAYLOAD_LIMIT for p in ann.payloads())
    payloads = [unmarked(p)[0] for p in ann.payloads()]
    days = [p for p in payloads if p.startswith("flow:day:")]
    assert days and all(date.fromisoformat(p[len("flow:day:") :]) >= today() for p in days)
    title = ann.buttons()[1]
    await ann.press("»")
    assert ann.buttons()[1] != title, "the next month"
    pick = weekday_ahead(40)
    while f"flow:day:{pick.isoformat()}" not in [unmarked(p)[0] for p in ann.payloads()]:
        await ann.press("»")
    reply = await ann.say(str(pick.day), payload=f"flow:day:{pick.isoformat()}")
    assert reply[-1].text == "At what time?"
    await ann.press("Back")
    forged = await ann.say("31", payload=f"flow:day:{today().year + 1}-02-31")
    assert forged[0].text == "There is no 31 February."
    assert (await ann.say("", payload="flow:day:tomorrow"))[0].text == (
        "That button is no longer active."
    )
    assert (await ann.say("", payload="flow:cal:2026-13"))[0].text == (
        "That button is no longer active."
    )
    past = (today() - timedelta(days=3)).isoformat()
    assert (await ann.say("", payload=f"flow:day:{past}"))[0].text.startswith("That day has")
    await ann.press("Back")
    assert (await ann.say("", payload="flow:skip"))[0].text == "That button is no longer active."


async def test_a_shared_contact_answers_the_phone_question(person: Talk) -> None:
    ann = person("order")
    await to_the_day_step(ann)
    await ann.say(weekday_ahead().isoformat())
    await ann.say("9:15")
    contact = Attachment("contact", "996555123456", name="Ann")
    reply = await ann.say("", attachments=[contact])
    assert reply[-1].text == "Anything for the courier?"
    await ann.press("Skip")
    await ann.press("Yes")
    assert ann.saved()["phone"] == "+996555123456"


async def test_a_seeded_start_skips_what_is_known_and_leaving_records_where(
    person: Talk, system: System
) -> None:
    ann = person("order")
    reply = await ann.say('/seed {"product": "juice", "quantity": 2, "coupon": "A1"}')
    assert reply[-1].text == "Delivery or pick-up?"
    assert (await ann.press("Back"))[-1].text == "How many? 1-50.", "seeded answers can change"
    assert (await ann.say("/leave"))[-1].text == "You left the order."
    async with system.sessions() as session:
        outcome = (await session.scalars(select(DialogOutcome))).one()
    assert (outcome.completed, outcome.reason, outcome.dropoff_state) == (False, "left", "quantity")
    assert (await ann.say("hello"))[-1].text == "Which product?", "the state was cleared"


async def test_a_photo_then_an_album_from_one_media_group(person: Talk) -> None:
    bob = person("photos")
    await bob.say("hi")
    assert (await bob.say("here"))[0].text == "Please send a photo."
    reply = await bob.say("", attachments=[photo("door-1")])
    assert reply[-1].text.startswith("Photos of the entrance")
    assert (await bob.say("done"))[0].text == "Please send a photo first."
    group = {"media_group_id": "g-77"}
    first = await bob.send("", attachments=(photo("e-1"),), raw=group)
    assert first[0].text.startswith("Receiving your photos")
    assert "Done" in bob.buttons()
    assert await bob.send("", attachments=(photo("e-2"),), raw=group) == [], "no reply per part"
    assert await bob.send("", attachments=(photo("e-3"),), raw=group) == []
    assert (await bob.press("Done"))[-1].text == "Share the location."
    reply = await bob.say("", attachments=[Attachment("location", "42.8746,74.5698")])
    assert bob.saved() == {
        "face": "door-1",
        "album": ["e-1", "e-2", "e-3"],
        "where": {"latitude": 42.8746, "longitude": 74.5698},
    }
    assert reply[-1].text.startswith("Saved")


async def test_an_album_whose_parts_arrive_in_one_batch_is_collected_whole(
    person: Talk,
) -> None:
    bob = person("photos")
    await bob.say("hi")
    await bob.say("", attachments=[photo("door")])
    group = {"media_group_id": "g-9"}
    parts = [bob.update("", attachments=(photo(f"b{n}"),), raw=group) for n in range(1, 6)]
    replies = await bob.send_together(parts)
    assert [r.text for r in replies] == [
        "Receiving your photos. Send more, or press Done when all are here."
    ]
    await bob.press("Done")
    await bob.press("Skip")
    assert bob.saved()["album"] == ["b1", "b2", "b3", "b4", "b5"]
    assert bob.saved()["where"] is None


async def test_eleven_photos_keep_ten_and_say_so(person: Talk) -> None:
    bob = person("photos")
    await bob.say("hi")
    await bob.say("", attachments=[photo("door")])
    for n in range(1, 11):
        reply = await bob.say("", attachments=[photo(f"p{n}")])
        assert reply[0].text == f"Got {n} of up to 10 photos. Send more, or press Done."
    reply = await bob.say("", attachments=[photo("p11")])
    assert reply[0].text == "That is more than 10 photos: I kept the first 10. Press Done."
    assert "Done" in bob.buttons()
    await bob.press("Done")
    assert (await bob.say("somewhere"))[0].text.startswith("Please share a location")
    await bob.say("42.87, 74.59")
    saved = bob.saved()
    assert saved["album"] == [f"p{n}" for n in range(1, 11)]
    assert saved["where"] == {"latitude": 42.87, "longitude": 74.59}


async def test_several_extras_are_toggled_then_done_and_a_tip_is_checked(person: Talk) -> None:
    cat = person("extras")
    await cat.say("hi")
    await cat.press("Ice")
    assert "✓ Ice" in cat.buttons()
    await cat.press("Lemon")
    await cat.press("Large")
    assert (await cat.press("Done"))[0].text == "Please choose at most 2."
    await cat.press("✓ Large")
    assert "Large" in cat.buttons()
    assert (await cat.press("Done"))[-1].text == "Tip, 0-100?"
    assert (await cat.say("abc"))[0].text == "Please send a number from 0 to 100."
    assert (await cat.say("1.234"))[0].text == "Please use at most 2 digits after the point."
    assert (await cat.say("60"))[0].text == "A tip above 50 is only for large orders."
    summary = (await cat.say("12,5"))[-1].text
    assert "Extras: Ice, Lemon" in summary and "Tip: 12.5" in summary
    await cat.press("Yes")
    assert cat.saved() == {"toppings": ["ice", "lemon"], "tip": "12.5"}


async def test_extras_can_be_typed_as_a_list(person: Talk) -> None:
    cat = person("extras")
    await cat.say("hi")
    assert "I do not know “Salt”" in (await cat.say("lemon, Salt"))[0].text
    await cat.say("Lemon, large")
    await cat.say("70")
    await cat.say("да")
    assert cat.saved() == {"toppings": ["lemon", "large"], "tip": "70"}


async def test_next_jumps_by_the_answer_and_back_retraces_the_jump(person: Talk) -> None:
    dan = person("jump")
    await dan.say("hi")
    assert (await dan.press("Question"))[-1].text == "What is your question?"
    assert (await dan.say("Do you deliver on Sundays?"))[-1].text == "How do we reach you?"
    assert (await dan.press("Back"))[-1].text == "What is your question?"
    assert (await dan.press("Back"))[-1].text == "A complaint or a question?"
    assert (await dan.press("Complaint"))[-1].text == "What went wrong?"
    assert (await dan.say("The bottle leaked"))[-1].text == "How do we reach you?"
    assert (await dan.press("Back"))[-1].text == "What went wrong?", "not the question step"
    await dan.say("The bottle leaked")
    summary = (await dan.say("@dan"))[-1].text
    assert "Complaint: The bottle leaked" in summary and "Question" not in summary
    await dan.press("Yes")
    assert dan.saved() == {"kind": "complaint", "complaint": "The bottle leaked", "contact": "@dan"}


async def test_russian_words_labels_and_dates_are_understood(person: Talk) -> None:
    ivan = person("order", chat_id="ivan", language="ru")
    await ivan.say("привет")
    await ivan.press("Water")
    await ivan.say("2")
    await ivan.press("Pick-up")
    day = weekday_ahead()
    months = ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа"]
    months += ["сентября", "октября", "ноября", "декабря"]
    assert (await ivan.say("31.02"))[0].text == "Такой даты нет: 31 февраля."
    reply = await ivan.say(f"{day.day} {months[day.month - 1]}")
    assert reply[-1].text == "At what time?"
    await ivan.say("в 14 ч")
    await ivan.say("0555123456")
    assert "Пропустить" in ivan.buttons()
    summary = await ivan.say("пропустить")
    assert "(пропущено)" in summary[-1].text
    await ivan.say("да")
    assert ivan.saved()["time"] == "14:00"
