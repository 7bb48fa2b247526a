"""Validators of the order dialog; each returns the clean value or raises `Invalid`."""

from __future__ import annotations

import re

import phonenumbers

from relaybot import N_, FlowView, Invalid

ADDRESS_MIN, ADDRESS_MAX = 5, 200
BOTTLES_MIN, BOTTLES_MAX = 1, 50
_SPACES = re.compile(r"\s+")
_QUANTITY = re.compile(r"^\s*(\d{1,4})\s*(?:шт\.?|штук[аи]?|бутыл[а-я]*|bottles?|pcs)?\s*$", re.I)


def clean_address(text: str, _view: FlowView | None = None) -> str:
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
    return address


class PhoneValidator:
    """Accepts the ways people type a number and returns it in E.164 (+996XXXXXXXXX)."""

    def __init__(self, regions: tuple[str, ...]) -> None:
        if not regions:
            raise ValueError("at least one phone region is needed, such as 'KG'")
        self.regions = tuple(r.upper() for r in regions)

    def __call__(self, text: str, _view: FlowView | None = None) -> str:
        candidate = text.strip()
        if not candidate or len(candidate) > 32 or not re.search(r"\d", candidate):
            raise self._invalid()
        try:
            number = phonenumbers.parse(candidate, self.regions[0])
        except phonenumbers.NumberParseException as exc:
            raise self._invalid() from exc
        if not phonenumbers.is_valid_number(number):
            raise self._invalid()
        if phonenumbers.region_code_for_number(number) not in self.regions:
            raise self._invalid()
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    def _invalid(self) -> Invalid:
        example = phonenumbers.example_number_for_type(
            self.regions[0], phonenumbers.PhoneNumberType.MOBILE
        )
        shown = (
            phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
            if example
            else "+996555123456"
        )
        return Invalid(
            N_("This does not look like a phone number we can call. Example: {example}"),
            example=shown,
        )


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
