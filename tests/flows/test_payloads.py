"""Typed button payloads: packed small, checked when declared, trusted only once unpacked."""

from __future__ import annotations

import enum
from typing import Annotated, Literal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from relaybot import Button, MaxLen, Payload, StalePayload


class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Pick(Payload, prefix="test.pick"):
    item: int
    colour: Colour
    wrapped: bool
    size: Literal["s", "m", "xl"]
    note: Annotated[str, MaxLen(4)] = ""


class Ping(Payload, prefix="test.ping"):
    pass


def test_a_payload_packs_to_its_prefix_and_fields_and_comes_back_equal() -> None:
    pick = Pick(item=12, colour=Colour.BLUE, wrapped=True, size="xl", note="gift")
    assert pick.pack() == "test.pick:12:blue:1:xl:gift"
    assert Pick.unpack(pick.pack()) == pick
    assert pick.button("Take it") == Button("Take it", "test.pick:12:blue:1:xl:gift")
    assert pick.as_data() == {
        "item": 12,
        "colour": "blue",
        "wrapped": True,
        "size": "xl",
        "note": "gift",
    }
    assert Ping.unpack(Ping().pack()) == Ping()


@given(st.text(max_size=4))
def test_any_text_within_the_limit_survives_packing_separators_and_all(note: str) -> None:
    pick = Pick(item=-1, colour=Colour.RED, wrapped=False, size="s", note=note)
    assert Pick.unpack(pick.pack()) == pick
    assert len(pick.pack().encode()) <= 64


@pytest.mark.parametrize(
    ("data", "why"),
    [
        ("test.pick:12:blue:1:xl", "4 fields instead of 5"),
        ("test.pick:12:blue:1:xl:a:b", "6 fields instead of 5"),
        ("test.pick:twelve:blue:1:xl:", "'item' is not a whole number"),
        ("test.pick:1e3:blue:1:xl:", "'item' is not a whole number"),
        ("test.pick:99999999999999999999:blue:1:xl:", "'item' is not a whole number"),
        ("test.pick:12:green:1:xl:", "'colour' has no choice 'green'"),
        ("test.pick:12:blue:true:xl:", "'wrapped' is not a yes/no flag"),
        ("test.pick:12:blue:1:xxl:", "'size' has no choice 'xxl'"),
        ("test.pick:12:blue:1:xl:ninechars", "'note' is longer than 4 characters"),
        ("test.pick:12:blue:1:xl:bad\\escape", "broken escape"),
        ("test.ping:12:blue:1:xl:", "does not start with 'test.pick'"),
        ("test.picker:12:blue:1:xl:", "does not start with 'test.pick'"),
        ("test.pick:" + "1" * 80, "at most 64 bytes"),
    ],
)
def test_a_malformed_forged_or_foreign_payload_is_stale(data: str, why: str) -> None:
    with pytest.raises(StalePayload, match=why):
        Pick.unpack(data)


def test_stale_payload_is_a_value_error() -> None:
    assert issubclass(StalePayload, ValueError)


def test_a_payload_that_could_outgrow_64_bytes_is_refused_when_declared() -> None:
    with pytest.raises(TypeError, match=r"payload Search .* 84 bytes.*'query'"):

        class Search(Payload, prefix="test.search"):
            query: Annotated[str, MaxLen(18)]


def test_fields_the_packer_cannot_bound_are_refused_when_declared() -> None:
    with pytest.raises(TypeError, match=r"Free, field 'text': a str needs a maximum length"):

        class Free(Payload, prefix="test.free"):
            text: str

    with pytest.raises(TypeError, match=r"Price, field 'amount'.*cannot be packed"):

        class Price(Payload, prefix="test.price"):
            amount: float


def test_a_prefix_is_owned_by_one_class_and_the_engines_prefixes_are_reserved() -> None:
    with pytest.raises(TypeError, match=r"'test.pick' is already used by .*Pick"):

        class Another(Payload, prefix="test.pick"):
            item: int

    for prefix in ("flow", "choice", "has:colon", ""):
        with pytest.raises(TypeError, match="prefix"):

            class Bad(Payload, prefix=prefix):
                pass


def test_a_payload_is_built_only_from_valid_values() -> None:
    with pytest.raises(ValueError, match="'note' is longer than 4"):
        Pick(item=1, colour=Colour.RED, wrapped=True, size="s", note="far too long")
    with pytest.raises(ValueError, match="'item' must be an int"):
        Pick(item="1", colour=Colour.RED, wrapped=True, size="s")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="'size' must be one of"):
        Pick(item=1, colour=Colour.RED, wrapped=True, size="l")  # type: ignore[arg-type]
