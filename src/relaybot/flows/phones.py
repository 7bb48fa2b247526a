"""Phone numbers as people type them, and a refusal that names the rule.

A number that parses but belongs to another country is told so ("That is a number in
Russia"), and every refusal names the countries the bot calls with an example number of
each, in the person's language, so nobody has to guess the rule from "try again".
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import phonenumbers
from babel import Locale, UnknownLocaleError

from relaybot.core.i18n import N_, Translator
from relaybot.flows.answers import Invalid

NOT_A_PHONE = N_("This does not look like a phone number. {rule}")
FOREIGN_PHONE = N_("That is a number in {country}. {rule}")
ONE_COUNTRY = N_("We call numbers in {country} only, such as {example}.")
SOME_COUNTRIES = N_("We call numbers in these countries only: {countries}.")


def regions_of(regions: Sequence[str] | str) -> tuple[str, ...]:
    """Region codes in upper case ("kg" -> "KG"); a single code may be given as a string."""
    listed = [regions] if isinstance(regions, str) else list(regions)
    codes = tuple(str(code).strip().upper() for code in listed if str(code).strip())
    if not codes:
        raise ValueError("at least one phone region is needed, such as 'KG'")
    unknown = [code for code in codes if code not in phonenumbers.SUPPORTED_REGIONS]
    if unknown:
        raise ValueError(f"unknown phone region {', '.join(unknown)}: use codes such as 'KG'")
    return codes


def country_name(region: str, locale: str) -> str:
    """The country's name in `locale` ("Kyrgyzstan", "Киргизия"), or its code."""
    try:
        return str(Locale.parse(locale).territories.get(region, region))
    except (UnknownLocaleError, ValueError):
        return region


def example_number(region: str) -> str:
    """A mobile number of `region` as it is written there ("0700 123 456")."""
    example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    if example is None:
        example = phonenumbers.example_number(region)
    if example is None:
        return "+" + str(phonenumbers.country_code_for_region(region))
    return phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL)


def phone_rule(regions: Sequence[str], t: Translator) -> str:
    """The rule in words: the countries called, each with an example number."""
    if len(regions) == 1:
        return t(
            ONE_COUNTRY,
            country=country_name(regions[0], t.locale),
            example=example_number(regions[0]),
        )
    countries = ", ".join(
        f"{country_name(region, t.locale)} ({example_number(region)})" for region in regions
    )
    return t(SOME_COUNTRIES, countries=countries)


def parse_phone(text: str, regions: Sequence[str], t: Translator) -> str:
    """The number in E.164 ("+996555123456"); `Invalid` naming the rule when it is not one
    of `regions`' numbers."""
    candidate = text.strip()
    rule = phone_rule(regions, t)
    if not candidate or len(candidate) > 32 or not re.search(r"\d", candidate):
        raise Invalid(NOT_A_PHONE, rule=rule)
    try:
        number = phonenumbers.parse(candidate, regions[0])
    except phonenumbers.NumberParseException as exc:
        raise Invalid(NOT_A_PHONE, rule=rule) from exc
    if not phonenumbers.is_valid_number(number):
        raise Invalid(NOT_A_PHONE, rule=rule)
    region = phonenumbers.region_code_for_number(number) or "?"
    if region not in regions:
        raise Invalid(FOREIGN_PHONE, country=country_name(region, t.locale), rule=rule)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
