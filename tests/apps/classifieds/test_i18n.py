"""The classifieds bots speak Russian as well as English."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

import relaybot.apps.classifieds as classifieds_package
from relaybot.apps.classifieds.demo import seed_kinds
from relaybot.testing.driver import ChatDriver

PACKAGE = Path(classifieds_package.__file__).parent


def test_every_text_has_a_russian_translation_with_the_same_placeholders():
    marked = {
        message
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(PACKAGE), keywords={"N_": None}, comment_tags=()
        )
    }
    with (PACKAGE / "locales" / "ru.po").open("rb") as handle:
        catalog = read_po(handle, locale="ru")
    translated = {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy}
    assert len(marked) > 100
    assert sorted(marked - set(translated)) == []
    for source, russian in translated.items():
        assert set(re.findall(r"\{\w+\}", source)) == set(re.findall(r"\{\w+\}", russian)), source


async def test_a_russian_speaker_places_a_repair_request_in_russian(make_settings, sqlite_url):
    bot = {"name": "ads", "app": "classifieds", "options": {"locale": "ru"}}
    settings = make_settings(sqlite_url, bots=[bot], webchat_for_bundled_apps=False)
    async with ChatDriver.running(settings) as driver:
        async with driver.sessions() as session, session.begin():
            await seed_kinds(session, bot="ads", locale="ru")
        chat = driver.chat("ads", "aida", language="ru")
        await chat.say("/start")
        assert "Что вы хотите разместить?" in chat.last()
        await chat.press("Заявка на ремонт")
        assert "Какая категория?" in chat.last()
        reply = chat.text(await chat.say("Космос"))
        assert "выберите одну из категорий" in reply
        await chat.press("Электрика")
        await chat.say("Не горят фары")
        await chat.say("Обе фары погасли вчера, предохранители целы.")
        await chat.press("Ош")
        await chat.say("0555 123 456")
        preview = chat.received[-2]
        assert preview.text.startswith("Заявка на ремонт · Электрика\nНе горят фары")
        assert "Регион: Ош" in preview.text and "Контакт: +996555123456" in preview.text
        assert chat.buttons() == ["Опубликовать", "Изменить поле", "Удалить"]
        await chat.press("Опубликовать")
        assert "Опубликовано!" in chat.last()
