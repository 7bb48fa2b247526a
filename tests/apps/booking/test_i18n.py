"""The booking bot speaks Russian and English: the channel's language or the person's choice."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

import relaybot.apps.booking as booking_package
from relaybot.apps.booking.render import day_label
from tests.apps.booking.world import make_world

PACKAGE = Path(booking_package.__file__).parent


def test_every_text_of_the_booking_app_has_a_russian_translation_with_the_same_placeholders():
    marked = {
        message
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(PACKAGE), keywords={"N_": None}, comment_tags=()
        )
    }
    with (PACKAGE / "locales" / "ru.po").open("rb") as handle:
        catalog = read_po(handle, locale="ru")
    translated = {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy}
    assert len(marked) > 200
    assert sorted(marked - set(translated)) == []
    for source, russian in translated.items():
        for placeholder in ("{number}", "{service}", "{when}", "{client}", "{name}", "{count}"):
            assert (placeholder in source) == (placeholder in russian), source


@pytest.fixture
async def world(make_settings, sqlite_url):
    built = await make_world(make_settings(sqlite_url))
    yield built
    await built.system.close()


async def test_a_russian_speaking_client_books_in_russian(world):
    dana = world.client("dana", name="Дана", language="ru-RU")
    greeting = await dana.say("Здравствуйте")
    assert greeting[0].text.startswith("Здравствуйте! Здесь можно записаться")
    assert dana.buttons() == ["Записаться", "Мои записи", "Язык"]
    await dana.press("Записаться")
    assert dana.buttons()[0] == "Haircut · 60 мин · 1\xa0000 KGS"
    await dana.press("Haircut · 60 мин · 1\xa0000 KGS")
    assert dana.buttons() == ["Любой специалист", "Aigul", "Bakyt", "Назад", "Отмена"]
    await dana.press("Aigul")
    russian_day = day_label(world.day, "ru")
    assert russian_day.startswith("пн")
    await dana.press(russian_day)
    summary = await dana.press("10:00")
    assert summary[0].text.splitlines()[0] == "Проверьте, пожалуйста:"
    assert f"Когда: {russian_day}, 10:00" in summary[0].text
    done = await dana.say("да")
    assert done[0].text.startswith("Вы записаны! Haircut")


async def test_a_chosen_language_is_remembered_over_the_channels_one(world):
    dana = world.client("dana", name="Dana", language="en")
    await dana.say("hi")
    reply = await dana.press("Language")
    assert dana.buttons() == ["Русский", "English", "As in my app"]
    reply = await dana.press("Русский")
    assert reply[0].text == "Готово, буду говорить на этом языке."
    reply = await dana.say("hello again")  # the channel still says English
    assert reply[0].text.startswith("Здравствуйте!")
    await dana.press("Язык")
    reply = await dana.press("Как в приложении")
    assert reply[0].text == "Done, I will speak this language."
    reply = await dana.say("/menu")
    assert reply[0].text == "What would you like to do?"
