"""The constructor speaks Russian: every text has a translation, and a Russian-speaking
person walks the menu, a dialog and the schedule in words in Russian."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

import relaybot.apps.reminders as reminders_package
from relaybot import translator
from relaybot.apps.reminders.schedule import describe
from relaybot.config import Settings
from relaybot.system import build_system
from relaybot.testing import ChatDriver

from .world import reminder_settings

PACKAGE = Path(reminders_package.__file__).parent


def test_every_text_has_a_russian_translation_with_the_same_placeholders() -> None:
    marked = {
        message
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(PACKAGE), keywords={"N_": None}, comment_tags=()
        )
    }
    with (PACKAGE / "locales" / "ru.po").open("rb") as handle:
        catalog = read_po(handle, locale="ru")
    translated = {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy}
    assert len(marked) > 60
    assert sorted(marked - set(translated)) == []
    for source, russian in translated.items():
        for placeholder in ("{bot}", "{job}", "{name}", "{schedule}", "{when}", "{timezone}"):
            assert (placeholder in source) == (placeholder in russian), source


@pytest.fixture
async def driver(
    make_settings: Callable[..., Settings], sqlite_url: str
) -> AsyncIterator[ChatDriver]:
    system = await build_system(reminder_settings(make_settings, sqlite_url, default_locale="ru"))
    try:
        yield ChatDriver(system)
    finally:
        await system.close()


async def test_a_russian_speaking_person_creates_a_bot_in_russian(driver: ChatDriver) -> None:
    assert describe("0 9 * * 1-5", "Asia/Bishkek", translator("ru")) == (
        "в 09:00, понедельник–пятница, Asia/Bishkek"
    )
    aida = driver.chat("reminders", "aida", language="ru")
    menu = await aida.say("/remind")
    assert menu[0].text == "Напоминания: что вы хотите сделать?"
    assert aida.buttons()[0] == "Создать бота"
    await aida.press("Создать бота")
    for answer in ("Офис", "standup", "здесь", "Планёрка через 10 минут", "0 9 * * 1-5"):
        await aida.say(answer)
    done = await aida.say("Asia/Bishkek")
    assert done[-1].text.startswith(
        "Бот Офис создан с заданием standup: в 09:00, понедельник–пятница, Asia/Bishkek; следующее "
    )
