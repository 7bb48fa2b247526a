"""What people type: dates, times, weekly hours, prices, phone numbers; `Invalid` when unclear."""

from __future__ import annotations

import re
from datetime import date, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import phonenumbers
from babel.dates import format_date, get_month_names

from relaybot import N_, FlowView, Invalid

from .grid import CELL_MINUTES, DAY_MINUTES

_SPACES = re.compile(r"\s+")
_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?$")
_INTERVAL = re.compile(r"^(\d{1,2}(?:[:.]\d{2})?)\s*[-–—]\s*(\d{1,2}(?:[:.]\d{2})?)$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DOT_DATE = re.compile(r"^(\d{1,2})[./](\d{1,2})(?:[./](\d{2}|\d{4}))?$")
_PRICE = re.compile(r"^(\d{1,9})(?:[.,](\d{1,2}))?\s*([A-Za-z]{3})?$")
_DAY_NAMES = {
    "mon": 0, "monday": 0, "пн": 0, "пон": 0, "понедельник": 0,
    "tue": 1, "tues": 1, "tuesday": 1, "вт": 1, "вторник": 1,
    "wed": 2, "wednesday": 2, "ср": 2, "среда": 2,
    "thu": 3, "thur": 3, "thursday": 3, "чт": 3, "четверг": 3,
    "fri": 4, "friday": 4, "пт": 4, "пятница": 4,
    "sat": 5, "saturday": 5, "сб": 5, "суббота": 5,
    "sun": 6, "sunday": 6, "вс": 6, "воскресенье": 6,
}  # fmt: skip
_EVERY_DAY = {"daily", "every day", "everyday", "ежедневно", "каждый день"}
_DAY_OFF = {"off", "day off", "closed", "выходной", "нет", "-"}
_TODAY = {"today", "сегодня"}
_TOMORROW = {"tomorrow", "завтра"}

HOURS_EXAMPLE = "Mon-Fri 09:00-13:00, 14:00-18:00"
EXCEPTION_EXAMPLE = "31.12 off / 30.12 10:00-15:00"


def squash(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def parse_time(text: str) -> int | None:
    """Minutes after midnight for `9`, `09:30`, `9.30`, `24:00`; None when it is not a time."""
    match = _TIME.match(text.strip())
    if match is None:
        return None
    hours, minutes = int(match.group(1)), int(match.group(2) or 0)
    if minutes > 59 or hours > 24 or (hours == 24 and minutes):
        return None
    return hours * 60 + minutes


def parse_date(text: str, today: date) -> date | None:
    """`2026-12-31`, `31.12.2026`, `31.12` (the next such date), `today`, `tomorrow`."""
    value = squash(text).lower()
    if value in _TODAY:
        return today
    if value in _TOMORROW:
        return today + timedelta(days=1)
    try:
        if match := _ISO_DATE.match(value):
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        if match := _DOT_DATE.match(value):
            day, month, year = int(match.group(1)), int(match.group(2)), match.group(3)
            if year is None:
                found = date(today.year, month, day)
                return found if found >= today else date(today.year + 1, month, day)
            full = int(year) + (2000 if len(year) == 2 else 0)
            return date(full, month, day)
    except ValueError:
        return None
    return None


NO_SUCH_DAY = N_("There is no {day} {month}. Please choose one of the offered days.")
PAST_DAY = N_("{day} has already passed. Please choose one of the offered days.")


def typed_day(text: str, today: date, locale: str) -> date | None:
    """The day a person typed at the booking's day question; None when the text is no date.

    A date that cannot exist ("31.02") or is already past is refused with a message that
    says so, instead of the list's "choose one of the days"."""
    found = parse_date(text, today)
    if found is None:
        value = squash(text).lower()
        match = _ISO_DATE.match(value) or _DOT_DATE.match(value)
        if match is None:
            return None
        if _ISO_DATE.match(value):
            day, month = int(match.group(3)), int(match.group(2))
        else:
            day, month = int(match.group(1)), int(match.group(2))
        if 1 <= month <= 12:
            raise Invalid(
                NO_SUCH_DAY,
                day=day,
                month=get_month_names("wide", context="format", locale=locale)[month],
            )
        raise Invalid(NO_SUCH_DAY, day=day, month=f"{month:02d}")
    if found < today:
        raise Invalid(PAST_DAY, day=format_date(found, "d MMMM y", locale=locale))
    return found


def parse_intervals(text: str) -> list[tuple[int, int]] | None:
    """`09:00-13:00, 14:00-18:00` -> [(540, 780), (840, 1080)]; [] for a day off."""
    value = squash(text).lower()
    if value in _DAY_OFF:
        return []
    intervals: list[tuple[int, int]] = []
    for part in re.split(r"[,;]\s*|\s+and\s+|\s+и\s+", value):
        match = _INTERVAL.match(part.strip())
        if match is None:
            return None
        start, end = parse_time(match.group(1)), parse_time(match.group(2))
        if start is None or end is None:
            return None
        intervals.append((start, end))
    return intervals


def check_intervals(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    ordered = sorted(intervals)
    for start, end in ordered:
        if start % CELL_MINUTES or end % CELL_MINUTES:
            raise Invalid(N_("Please use times on the quarter hour, like 09:00, 09:15 or 09:30."))
        if not 0 <= start < end <= DAY_MINUTES:
            raise Invalid(N_("Each interval must end after it starts, within one day."))
    for (_, end), (start, _) in pairwise(ordered):
        if start < end:
            raise Invalid(N_("The intervals overlap; please give each hour only once."))
    return ordered


def parse_weekdays(text: str) -> list[int] | None:
    """`Mon-Fri`, `mon,wed,fri`, `сб`, `daily` -> weekday numbers (Monday is 0)."""
    value = squash(text).lower().rstrip(":")
    if value in _EVERY_DAY:
        return list(range(7))
    days: list[int] = []
    for part in re.split(r"\s*,\s*", value):
        if "-" in part or "–" in part:
            first, _, last = re.split(r"\s*([-–])\s*", part, maxsplit=1)
            a, b = _DAY_NAMES.get(first), _DAY_NAMES.get(last)
            if a is None or b is None:
                return None
            span = list(range(a, b + 1)) if a <= b else [*range(a, 7), *range(0, b + 1)]
            days.extend(span)
        else:
            day = _DAY_NAMES.get(part)
            if day is None:
                return None
            days.append(day)
    return sorted(set(days))


def clean_weekly_hours(text: str, _view: FlowView | None = None) -> dict[str, object]:
    """`Mon-Fri 09:00-18:00` or `Sun off`: which weekdays, and their hours (none: day off)."""
    value = squash(text)
    head, _, tail = value.partition(" ")
    weekdays = parse_weekdays(head)
    intervals = parse_intervals(tail) if tail else None
    if weekdays is None or intervals is None:
        raise Invalid(
            N_("Please write the days and the hours, for example: {example}"),
            example=HOURS_EXAMPLE,
        )
    return {"weekdays": weekdays, "intervals": [list(i) for i in check_intervals(intervals)]}


class DayExceptionCleaner:
    """`31.12 off` or `30.12 10:00-15:00`: one date and its hours instead of the usual."""

    def __init__(self, today: date) -> None:
        self.today = today

    def __call__(self, text: str, _view: FlowView | None = None) -> dict[str, object]:
        value = squash(text)
        head, _, tail = value.partition(" ")
        day = parse_date(head, self.today)
        intervals = parse_intervals(tail) if tail else None
        if day is None or intervals is None:
            raise Invalid(
                N_("Please write a date and the hours or 'off', for example: {example}"),
                example=EXCEPTION_EXAMPLE,
            )
        if day < self.today:
            raise Invalid(N_("That date has passed; please give today or a later date."))
        return {"day": day.isoformat(), "intervals": [list(i) for i in check_intervals(intervals)]}


def clean_name(text: str, _view: FlowView | None = None) -> str:
    value = squash(text)
    if len(value) < 2:
        raise Invalid(N_("That is too short: please write at least 2 characters."))
    if len(value) > 100:
        raise Invalid(N_("That is too long: please keep it within {max} characters."), max=100)
    return value


def clean_address(text: str, _view: FlowView | None = None) -> str:
    value = squash(text)
    if len(value) < 3:
        raise Invalid(N_("That is too short: please write at least 3 characters."))
    if len(value) > 200:
        raise Invalid(N_("That is too long: please keep it within {max} characters."), max=200)
    return value


def clean_long_text(text: str, _view: FlowView | None = None) -> str:
    value = text.strip()
    if len(value) < 2:
        raise Invalid(N_("That is too short: please write at least 2 characters."))
    if len(value) > 1000:
        raise Invalid(N_("That is too long: please keep it within {max} characters."), max=1000)
    return value


_ZONES: dict[str, str] | None = None


def clean_timezone(text: str, _view: FlowView | None = None) -> str:
    """An IANA zone name such as Asia/Bishkek, in any letter case."""
    global _ZONES
    if _ZONES is None:
        _ZONES = {zone.lower(): zone for zone in available_timezones()}
    name = _ZONES.get(squash(text).lower().replace(" ", "_"))
    if name is None:
        raise Invalid(
            N_(
                "Unknown timezone. Please write its name, "
                "for example Asia/Bishkek or Europe/Moscow."
            )
        )
    try:
        ZoneInfo(name)
    except ZoneInfoNotFoundError as exc:
        raise Invalid(N_("Unknown timezone.")) from exc
    return name


def clean_duration(text: str, _view: FlowView | None = None) -> int:
    value = squash(text).lower()
    match = re.match(r"^(\d{1,3})\s*(?:min|minutes|мин|минут[аы]?)?\.?$", value)
    minutes = int(match.group(1)) if match else 0
    if minutes < CELL_MINUTES or minutes > 8 * 60 or minutes % CELL_MINUTES:
        raise Invalid(
            N_("Please give the length in minutes, a multiple of 15 from 15 to 480 (e.g. 45).")
        )
    return minutes


def price_cleaner(default_currency: str) -> PriceCleaner:
    return PriceCleaner(default_currency)


class PriceCleaner:
    """`1500`, `1500.50` or `25 USD` -> {"minor": 150000, "currency": "KGS"}."""

    def __init__(self, default_currency: str) -> None:
        self.default_currency = default_currency.upper()

    def __call__(self, text: str, _view: FlowView | None = None) -> dict[str, object]:
        match = _PRICE.match(re.sub(r"(?<=\d)\s+(?=\d)", "", squash(text)))
        if match is None:
            raise Invalid(N_("Please give the price as a number, for example 1500 or 25 USD."))
        whole, fraction, currency = match.group(1), match.group(2) or "0", match.group(3)
        minor = int(whole) * 100 + int(fraction.ljust(2, "0"))
        return {"minor": minor, "currency": (currency or self.default_currency).upper()}


class PhoneCleaner:
    """Any valid number, written the local way (`0555 123 456`) or with `+`; returns E.164."""

    def __init__(self, region: str) -> None:
        self.region = region.upper()

    def __call__(self, text: str, _view: FlowView | None = None) -> str:
        candidate = text.strip()
        if candidate in {"-", "—"}:
            return ""
        try:
            number = phonenumbers.parse(candidate, self.region)
        except phonenumbers.NumberParseException as exc:
            raise self._invalid() from exc
        if len(candidate) > 32 or not phonenumbers.is_valid_number(number):
            raise self._invalid()
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    def _invalid(self) -> Invalid:
        return Invalid(
            N_(
                "This does not look like a phone number. "
                "Example: +996 555 123 456, or '-' for none."
            )
        )
