"""A day typed at the booking's day question: one that cannot exist or has passed is named."""

from __future__ import annotations

from datetime import date

import pytest

from relaybot.apps.booking.parse import typed_day
from relaybot.flows import Invalid
from tests.apps.booking.world import make_world

TODAY = date(2026, 11, 27)


@pytest.fixture
async def world(make_settings, sqlite_url):
    built = await make_world(make_settings(sqlite_url))
    yield built
    await built.system.close()


async def to_the_day_question(chat) -> None:
    await chat.say("hi")
    await chat.press("Book an appointment")
    await chat.press("Haircut · 60 min · 1,000 KGS")
    reply = await chat.press("Aigul")
    assert "Which day" in reply[0].text


async def test_a_day_that_does_not_exist_or_has_passed_is_named_back(world):
    dana = world.client("dana", name="Dana")
    await to_the_day_question(dana)
    reply = await dana.say("31.02")
    assert reply[0].text == "There is no 31 February. Please choose one of the offered days."
    assert "Which day" in reply[-1].text, "the question comes again with its buttons"
    reply = await dana.say("01.03.2020")
    assert reply[0].text == (
        "1 March 2020 has already passed. Please choose one of the offered days."
    )
    reply = await dana.say(world.day.strftime("%d.%m"))
    assert "local time of Central" in reply[-1].text, "a free day typed is taken"


async def test_a_russian_speaker_is_told_the_same_in_russian(world):
    dana = world.client("dana", name="Дана", language="ru")
    await dana.say("привет")
    await dana.press("Записаться")
    await dana.press(dana.buttons()[0])
    await dana.press("Aigul")
    reply = await dana.say("31.02")
    assert reply[0].text == (
        "Такого дня нет: 31 февраля. Пожалуйста, выберите один из предложенных дней."
    )


@pytest.mark.parametrize(
    ("typed", "found"),
    [("tomorrow", date(2026, 11, 28)), ("05.12", date(2026, 12, 5)), ("soon", None)],
)
def test_dates_that_exist_are_read_and_other_text_is_left_alone(typed, found):
    assert typed_day(typed, TODAY, "en") == found


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("31.02", "There is no 31 February."),
        ("32.12", "There is no 32 December."),
        ("2026-02-30", "There is no 30 February."),
        ("26.11.2026", "26 November 2026 has already passed."),
    ],
)
def test_impossible_and_past_days_are_refused_with_their_reason(typed, message):
    with pytest.raises(Invalid) as refused:
        typed_day(typed, TODAY, "en")
    shown = refused.value.message.format(**refused.value.values)
    assert shown.startswith(message)
