"""Validators of the order dialog; each returns the clean value or raises `Invalid`."""

from __future__ import annotations

import re

from relaybot import N_, FlowView, Invalid

ADDRESS_MIN, ADDRESS_MAX = 5, 200
BOTTLES_MIN, BOTTLES_MAX = 1, 50
_SPACES = re.compile(r"\s+")
_QUANTITY = re.compile(r"^\s*(\d{1,4})\s*(?:шт\.?|штук[аи]?|бутыл[а-я]*|bottles?|pcs)?\s*$", re.I)


_LETTER_WORD = re.compile(r"[^\W\d_]{2,}")
_DIGIT = re.compile(r"\d")
STREET_AND_HOUSE = N_(
    "Please write the street and the house number, such as “Chui avenue 120, apt 5”."
)


class AddressRule:
    """The delivery address: 5 to 200 characters and, when `needs_house` (the bot option
    `address_needs_house`, on by default), a street word and a house number, so a courier
    is never sent to "hello again"."""

    def __init__(self, needs_house: bool = True) -> None:
        self.needs_house = needs_house

    def __call__(self, text: str, _view: FlowView | None = None) -> str:
        address = _SPACES.sub(" ", text).strip()
        if len(address) < ADDRESS_MIN:
            raise Invalid(
                N_("The address is too short: please write at least {min} characters."),
                min=ADDRESS_MIN,
            )
        if len(address) > ADDRESS_MAX:
            raise Invalid(
                N_("The address is too long: please keep it within {max} characters."),
                max=ADDRESS_MAX,
            )
        if self.needs_house and not (_LETTER_WORD.search(address) and _DIGIT.search(address)):
            raise Invalid(STREET_AND_HOUSE)
        return address


def clean_bottles(text: str, _view: FlowView | None = None) -> int:
    match = _QUANTITY.match(text)
    if match is None:
        raise Invalid(
            N_("Please send the number of bottles as a whole number from {min} to {max}."),
            min=BOTTLES_MIN,
            max=BOTTLES_MAX,
        )
    count = int(match.group(1))
    if not BOTTLES_MIN <= count <= BOTTLES_MAX:
        raise Invalid(
            N_("We deliver from {min} to {max} bottles per order."),
            min=BOTTLES_MIN,
            max=BOTTLES_MAX,
        )
    return count
