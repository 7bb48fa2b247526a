"""The help desk speaks Russian and English, each person in their own language."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

import relaybot.apps.helpdesk
from relaybot.testing import ChatDriver

from .conftest import Catalogue, make_provider, texts

PACKAGE = Path(relaybot.apps.helpdesk.__file__).parent
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def test_every_help_desk_text_has_a_russian_translation_with_the_same_placeholders() -> None:
    sources = {
        message
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(PACKAGE), keywords={"N_": None}, comment_tags=()
        )
    }
    with (PACKAGE / "locales" / "ru.po").open("rb") as handle:
        catalog = {m.id: m.string for m in read_po(handle, locale="ru") if m.id}
    assert len(sources) > 100
    missing = sorted(s for s in sources if not catalog.get(s))
    assert missing == []
    for source in sources:
        wanted = set(PLACEHOLDER.findall(source))
        assert set(PLACEHOLDER.findall(catalog[source])) == wanted, source


async def test_each_side_of_a_conversation_reads_it_in_their_own_language(
    driver: ChatDriver, cat: Catalogue
) -> None:
    aigul = driver.person("aigul", bot="helpdesk", language="ru-RU")
    john = driver.person("john", bot="helpdesk", language="en")
    await john.say("/start")
    await make_provider(driver.sessions, john, cat.bishkek_food)

    greeting = await aigul.say("Здравствуйте")
    assert greeting[0].text.startswith("Здравствуйте! Это служба помощи")
    assert {"Новый запрос", "Мои запросы", "Обо мне"} <= set(aigul.buttons())
    assert "Где нужна помощь?" in texts(await aigul.press("Новый запрос"))
    await aigul.press("Bishkek")
    await aigul.press("Food")
    created = await aigul.say("Нужны продукты на неделю.")
    assert "Ваш запрос №1 создан (Bishkek / Food)" in texts(created)
    assert "New request #1 in Bishkek / Food: Нужны продукты на неделю." in texts(john.unread())

    await john.press("Take next")
    assert "Хорошие новости: помощник взял ваш запрос №1" in texts(aigul.unread())
    await john.say("I will come tomorrow.")
    assert aigul.unread()[0].text == "№1 · Помощник: I will come tomorrow."
    await aigul.say("Спасибо!")
    assert john.unread()[0].text == "#1 · Requester: Спасибо!"
    refused = await aigul.say("/next")
    assert "Брать запросы могут только помощники" in texts(refused)
