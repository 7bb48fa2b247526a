"""Dates and times as people type them, in their language: "31.12", "31 декабря", "tomorrow".

Month names come from Babel's locale data (every form: "декабря", "декабрь", "дек."), with
English always understood too, so a Russian speaker who types "December 31" is not refused.
A day that cannot exist ("31.02") is named back to the person instead of a generic error.
"""

from __future__ import annotations

import re
from datetime import date, time, timedelta
from functools import lru_cache

from babel.dates import format_date, get_month_names

from relaybot.core.i18n import N_
from relaybot.flows.answers import Invalid

DATE_HINT = N_("Please write a date such as {numeric} or {named}, or “today” or “tomorrow”.")
NO_SUCH_DAY = N_("There is no {day} {month}.")
NO_SUCH_DAY_THAT_YEAR = N_("There is no {day} {month} in {year}.")
TIME_HINT = N_("Please write a time such as 14:30.")
NO_SUCH_TIME = N_("There is no such time as {time}. Please write it such as 14:30.")

_RELATIVE = {
    "today": 0,
    "сегодня": 0,
    "tomorrow": 1,
    "завтра": 1,
    "day after tomorrow": 2,
    "the day after tomorrow": 2,
    "послезавтра": 2,
    "yesterday": -1,
    "вчера": -1,
}
_YEAR_WORDS = re.compile(r"\s*(?:г\.?|года?|year)\s*$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_NUMERIC = re.compile(r"^(\d{1,2})\s*([./-])\s*(\d{1,2})(?:\s*[./-]\s*(\d{4}|\d{2}))?\.?$")
_DAY_MONTH = re.compile(r"^(\d{1,2})(?:st|nd|rd|th|-?е|-?го)?\s+([^\W\d_]+)\.?(?:,?\s+(\d{4}))?$")
_MONTH_DAY = re.compile(r"^([^\W\d_]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?$")
_TIME = re.compile(
    r"^(?:в|at)?\s*(\d{1,2})(?:\s*[:.\-h ]\s*(\d{2}))?\s*"
    r"(am|pm|a\.m\.|p\.m\.|ч\.?|час(?:а|ов)?)?$"
)
_TIME_COMPACT = re.compile(r"^(\d{2})(\d{2})$")


@lru_cache(maxsize=8)
def month_words(locale: str) -> dict[str, int]:
    """Every name of every month in `locale` and in English, lower case, without dots."""
    words: dict[str, int] = {}
    for lang in dict.fromkeys(("en", locale)):
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for number, name in get_month_names(width, context=context, locale=lang).items():
                    words[name.lower().rstrip(".")] = number
    for name, number in list(words.items()):
        if len(name) > 3:
            words.setdefault(name[:3], number)
    return words


def month_name(month: int, locale: str) -> str:
    """The month as it follows a day number: "February", "февраля"."""
    return str(get_month_names("wide", context="format", locale=locale)[month])


def long_date(day: date, locale: str) -> str:
    return format_date(day, "d MMMM y", locale=locale)


def parse_date(text: str, *, locale: str, today: date, prefer_future: bool) -> date:
    """The day `text` names; a date without a year is this year's, or next year's when a
    past day would not be accepted anyway. Raises `Invalid` saying what is wrong."""
    typed = " ".join(text.strip().lower().split())
    typed = _YEAR_WORDS.sub("", typed)
    if typed in _RELATIVE:
        return today + timedelta(days=_RELATIVE[typed])
    parts = _parts(typed, locale)
    if parts is None:
        raise _hint(locale, today)
    day, month, year = parts
    if not 1 <= month <= 12:
        raise _hint(locale, today)
    if year is None:
        year = today.year
        if prefer_future and _exists(year, month, day) and date(year, month, day) < today:
            year += 1
    if not _exists(year, month, day):
        name = month_name(month, locale)
        if any(_exists(leap, month, day) for leap in (2024, 2028)):
            raise Invalid(NO_SUCH_DAY_THAT_YEAR, day=day, month=name, year=year)
        raise Invalid(NO_SUCH_DAY, day=day, month=name)
    return date(year, month, day)


def _parts(typed: str, locale: str) -> tuple[int, int, int | None] | None:
    if match := _ISO.match(typed):
        return int(match[3]), int(match[2]), int(match[1])
    if match := _NUMERIC.match(typed):
        first, second = int(match[1]), int(match[3])
        if match[2] == "/" and second > 12 >= first:  # "12/31": the American order
            first, second = second, first
        return first, second, _year(match[4])
    names = month_words(locale)
    if (match := _DAY_MONTH.match(typed)) and match[2].rstrip(".") in names:
        return int(match[1]), names[match[2].rstrip(".")], _year(match[3])
    if (match := _MONTH_DAY.match(typed)) and match[1].rstrip(".") in names:
        return int(match[2]), names[match[1].rstrip(".")], _year(match[3])
    return None


def _year(text: str | None) -> int | None:
    if not text:
        return None
    return 2000 + int(text) if len(text) == 2 else int(text)


def _exists(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _hint(locale: str, today: date) -> Invalid:
    sample = date(today.year, 12, 31)
    return Invalid(
        DATE_HINT,
        numeric=sample.strftime("%d.%m"),
        named=format_date(sample, "d MMMM", locale=locale),
    )


def parse_time(text: str) -> time:
    """The time of day `text` names: "14:30", "14.30", "9", "9 pm", "в 14 ч", "1430"."""
    typed = " ".join(text.strip().lower().split())
    match = _TIME.match(typed)
    if match is not None:
        hour, minute, suffix = int(match[1]), int(match[2] or 0), match[3] or ""
    elif (compact := _TIME_COMPACT.match(typed)) is not None:
        hour, minute, suffix = int(compact[1]), int(compact[2]), ""
    else:
        raise Invalid(TIME_HINT)
    if suffix.startswith(("am", "a.m.", "pm", "p.m.")):
        if not 1 <= hour <= 12:
            raise Invalid(NO_SUCH_TIME, time=text.strip())
        hour = hour % 12 + (12 if suffix.startswith("p") else 0)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise Invalid(NO_SUCH_TIME, time=text.strip())
    return time(hour, minute)
