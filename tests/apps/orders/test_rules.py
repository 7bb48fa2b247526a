"""A refused answer says the rule: which countries the courier calls, what an address needs."""

from __future__ import annotations

from typing import Any

from relaybot.testing import RelaybotServer, WebchatClient


def bot(**options: Any) -> list[dict[str, Any]]:
    return [{"name": "orders", "app": "orders", "channel": "webchat", "options": options}]


async def test_a_foreign_number_is_told_which_countries_we_call(make_settings, sqlite_url):
    async with RelaybotServer(make_settings(sqlite_url)) as server:
        async with WebchatClient(server.url, "orders") as chat:
            await chat.say("/start", expect=2)
            await chat.say("Bishkek, Chui avenue 120")
            reply = await chat.say("+7 912 345 67 89")
            assert reply[0]["text"] == (
                "That is a number in Russia. "
                "We call numbers in Kyrgyzstan only, such as 0700 123 456."
            )
            reply = await chat.say("+1 202 555 0143")
            assert reply[0]["text"].startswith("That is a number in United States.")
            assert "phone number" in reply[-1]["text"], "the question is asked again"
            reply = await chat.say("0555 123 456")
            assert "How many" in reply[-1]["text"]


async def test_the_rule_names_every_country_of_the_bots_setting(make_settings, sqlite_url):
    settings = make_settings(sqlite_url, bots=bot(phone_regions=["KG", "KZ"]))
    async with RelaybotServer(settings) as server:
        async with WebchatClient(server.url, "orders") as chat:
            await chat.say("/start", expect=2)
            await chat.say("Bishkek, Chui avenue 120")
            reply = await chat.say("+7 912 345 67 89")
            assert reply[0]["text"] == (
                "That is a number in Russia. We call numbers in these countries only: "
                "Kyrgyzstan (0700 123 456), Kazakhstan (8 (771) 000 9998)."
            )
            reply = await chat.say("+7 701 234 5678")
            assert "How many" in reply[-1]["text"], "a Kazakh number is taken"


async def test_a_russian_speaker_reads_the_rule_in_russian(make_settings, sqlite_url):
    async with RelaybotServer(make_settings(sqlite_url)) as server:
        async with WebchatClient(server.url, "orders", locale="ru") as chat:
            await chat.say("Здравствуйте", expect=2)
            reply = await chat.say("привет ещё раз")
            assert reply[0]["text"] == (
                "Напишите, пожалуйста, улицу и номер дома, например «проспект Чуй 120, кв. 5»."
            )
            await chat.say("Бишкек, проспект Чуй 120")
            reply = await chat.say("+7 912 345 67 89")
            assert reply[0]["text"] == (
                "Это номер страны Россия. "
                "Мы звоним только на номера страны Киргизия, например 0700 123 456."
            )


async def test_an_address_needs_a_street_and_a_house_number(make_settings, sqlite_url):
    async with RelaybotServer(make_settings(sqlite_url)) as server:
        async with WebchatClient(server.url, "orders") as chat:
            await chat.say("/start", expect=2)
            for wrong in ("hello again", "120 5"):
                reply = await chat.say(wrong)
                assert reply[0]["text"] == (
                    "Please write the street and the house number, "
                    "such as “Chui avenue 120, apt 5”."
                ), wrong
                assert "street and house number" in reply[-1]["text"]
            reply = await chat.say("Manas 12")
            assert "phone" in reply[-1]["text"]


async def test_a_bot_may_take_addresses_without_a_house_number(make_settings, sqlite_url):
    settings = make_settings(sqlite_url, bots=bot(address_needs_house=False))
    async with RelaybotServer(settings) as server:
        async with WebchatClient(server.url, "orders") as chat:
            await chat.say("/start", expect=2)
            reply = await chat.say("hello again")
            assert "phone" in reply[-1]["text"], "taken as the address"
