"""When a flow is offered as one form, how a submitted form is checked, and the rules a flow's
author is held to when the flow is declared."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from relaybot.core.i18n import translator
from relaybot.flows import Album, Choice, Flow, Invalid, Select, Step, Text
from relaybot.flows.dates import parse_date, parse_time
from relaybot.flows.words import command_of
from relaybot.testing.driver import Delivered
from tests.flows.apps import saved
from tests.flows.conftest import Person

Talk = Callable[..., Person]


def form_of(messages: list[Delivered]) -> dict[str, Any] | None:
    for item in messages:
        if "form" in item.message.meta:
            form: dict[str, Any] = item.message.meta["form"]
            return form
    return None


async def submit(person: Person, flow: str, values: dict[str, str]) -> list[Delivered]:
    return await person.send(
        "", payload="flow:form", kind="event", raw={"form": {"flow": flow, "values": values}}
    )


async def test_a_flow_of_form_friendly_steps_opens_as_one_form(person: Talk) -> None:
    ann = person("order")
    form = form_of(await ann.say("hi"))
    assert form is not None
    fields = {f["name"]: f for f in form["fields"]}
    assert list(fields) == [
        "product",
        "quantity",
        "delivery",
        "address",
        "day",
        "time",
        "phone",
        "note",
    ]
    assert fields["product"]["choices"] == [
        {"label": "Water", "value": "water"},
        {"label": "Juice", "value": "juice"},
    ]
    assert fields["product"]["choices_only"] is True
    assert fields["address"]["optional"] and fields["note"]["optional"], "when / optional"
    assert not fields["phone"]["optional"]


async def test_flows_with_photos_albums_or_locations_are_not_offered_as_a_form(
    person: Talk,
) -> None:
    assert form_of(await person("photos").say("hi")) is None
    assert form_of(await person("extras").say("hi")) is not None


async def test_a_submitted_form_checks_each_field_and_leaves_out_a_branch_not_taken(
    person: Talk,
) -> None:
    ann = person("order")
    await ann.say("hi")
    day = datetime.now(UTC).date() + timedelta(days=1)
    day += timedelta(days=1) if day.weekday() == 6 else timedelta()
    values = {
        "product": "juice",
        "quantity": "70",
        "delivery": "Pick-up",
        "address": "ignored for a pick-up",
        "day": "31.02",
        "time": "12:00",
        "phone": "0555 123 456",
        "note": "",
    }
    reply = await submit(ann, "order", values)
    assert reply[0].text.splitlines() == [
        "Please correct these answers:",
        "• Quantity: Please send a whole number from 1 to 50.",
        "• Day: There is no 31 February.",
    ]
    assert reply[-1].text == "How many? 1-50.", "then the first wrong question again"
    assert form_of(reply) is not None, "reopened, filled in"
    summary = await submit(ann, "order", values | {"quantity": "2", "day": day.isoformat()})
    body = summary[-1].text
    assert "Quantity: 2" in body and "Address" not in body and "Note: (skipped)" in body
    await ann.press("Yes")
    assert ann.saved() == {
        "product": "juice",
        "quantity": 2,
        "delivery": "p",
        "day": day.isoformat(),
        "time": "12:00",
        "phone": "+996555123456",
        "note": None,
    }


def test_typed_dates_in_the_persons_language() -> None:
    today = date(2026, 12, 1)

    def read(text: str, locale: str = "en", future: bool = True) -> date:
        return parse_date(text, locale=locale, today=today, prefer_future=future)

    assert read("31.12") == read("31.12.2026") == read("31/12/26") == date(2026, 12, 31)
    assert read("December 31") == read("31 December") == read("Dec 31, 2026") == date(2026, 12, 31)
    assert read("31 декабря", "ru") == read("31 дек.", "ru") == date(2026, 12, 31)
    assert read("31 декабря 2026 г.", "ru") == date(2026, 12, 31)
    assert read("December 31", "ru") == date(2026, 12, 31), "English is always understood"
    assert read("today") == read("сегодня", "ru") == today
    assert read("tomorrow") == read("Завтра", "ru") == date(2026, 12, 2)
    assert read("15.01") == date(2027, 1, 15), "a day without a year is the next one"
    assert read("15.01", future=False) == date(2026, 1, 15)
    assert read("12/31") == date(2026, 12, 31), "the American order when it can only be that"
    for wrong, message in (
        ("31.02", "There is no 31 February."),
        ("29.02.2027", "There is no 29 February in 2027."),
        ("31.13", "Please write a date such as 31.12 or 31 December"),
        ("soon", "Please write a date such as 31.12 or 31 December"),
    ):
        with pytest.raises(Invalid) as refused:
            read(wrong)
        shown = translator("en")(refused.value.message, **refused.value.values)
        assert shown.startswith(message), wrong
    assert read("29.02.2028") == date(2028, 2, 29)


def test_typed_times() -> None:
    for typed, expected in (
        ("14:30", "14:30"),
        ("14.30", "14:30"),
        ("1430", "14:30"),
        ("9", "09:00"),
        ("9 pm", "21:00"),
        ("12 am", "00:00"),
        ("в 14 ч", "14:00"),
        ("at 7:05", "07:05"),
    ):
        assert parse_time(typed).strftime("%H:%M") == expected, typed
    for wrong in ("25:00", "14:75", "13 pm", "noonish"):
        with pytest.raises(Invalid):
            parse_time(wrong)


def test_typed_words_mean_commands_only_when_no_other_button_was_pressed() -> None:
    assert command_of("Назад", None) == "flow:back"
    assert command_of(" Skip ", None) == "flow:skip"
    assert command_of("?", None) == "flow:help"
    assert command_of("Cancel", "choice:cancel") is None, "a choice labelled Cancel is a choice"
    assert command_of("", "flow:done") == "flow:done"


def test_declaring_a_flow_that_breaks_the_rules_fails_at_once() -> None:
    with pytest.raises(ValueError, match="from 1 to 10"):
        Album("photos", "Photos", max=11)
    with pytest.raises(ValueError, match="too long for a button"):
        Select("size", "Size?", choices=[Choice("Huge", "h" * 60)])
    with pytest.raises(ValueError, match="needs choices"):
        Select("size", "Size?")
    with pytest.raises(ValueError, match="check= instead of validate="):
        Text("name", "Name?", lambda text, _view: text)
    with pytest.raises(ValueError, match="twice"):
        Flow("f", steps=[Text("a", "A?"), Text("a", "A again?")], on_complete=saved)
    with pytest.raises(ValueError, match="reserved"):
        Flow("f", steps=[Step("__path__", "Path?")], on_complete=saved)


def test_dialog_buttons_carry_their_prompt_within_the_64_bytes_of_a_button():
    from relaybot.flows.words import PAYLOAD_LIMIT, marked, restart, unmarked

    assert marked("flow:cancel", "k3x92") == "flow:cancel~k3x92"
    assert unmarked("flow:cancel~k3x92") == ("flow:cancel", "k3x92")
    assert unmarked("choice:2026-12-01~a0b1c") == ("choice:2026-12-01", "a0b1c")
    assert unmarked("flow:cancel") == ("flow:cancel", None), "a button sent before the tie"
    long_choice = "choice:" + "x" * (PAYLOAD_LIMIT - len("choice:"))
    assert marked(long_choice, "k3x92") == long_choice, "too long to tie: left as it is"
    assert marked(restart("order"), "k3x92") == restart("order"), "Start again outlives a dialog"
    assert marked("shop:product:7", "k3x92") == "shop:product:7", "an app's own payload"
