"""Texts speak the person's language: Russian and English catalogues, chosen per update."""

from __future__ import annotations

from relaybot.core.i18n import normalize_locale, translator
from relaybot.testing import RelaybotServer, WebchatClient


def test_locale_names_are_normalised_and_unknown_ones_fall_back():
    assert normalize_locale("ru-RU", "en") == "ru"
    assert normalize_locale("EN_us", "ru") == "en"
    assert normalize_locale("kk", "ru") == "ru"
    assert normalize_locale(None, "en") == "en"


def test_core_texts_have_russian_translations():
    assert translator("ru")("Back") == "Назад"
    assert translator("ru")("Change: {field}", field="Адрес") == "Изменить: Адрес"
    assert translator("en")("Back") == "Back"


async def test_a_russian_speaking_client_is_answered_in_russian(make_settings, sqlite_url):
    async with RelaybotServer(make_settings(sqlite_url)) as server:
        async with WebchatClient(server.url, "orders", locale="ru") as chat:
            greeting = await chat.say("Здравствуйте", expect=2)
            assert "Здравствуйте! Я приму заказ" in greeting[0]["text"]
            await chat.say("Бишкек, проспект Чуй 120")
            await chat.say("0555 123 456")
            summary = await chat.say("2")
            assert "Проверьте, пожалуйста, заказ:" in summary[0]["text"]
            assert "2 × 19 л" in summary[0]["text"]
            assert {"Да", "Нет", "Изменить: Адрес"} <= set(chat.buttons())
            done = await chat.say("да")
            assert "Ваш заказ № 1 принят" in done[0]["text"]
