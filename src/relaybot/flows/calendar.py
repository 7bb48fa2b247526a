"""A month of days as buttons, with pages to the months before and after.

Every payload is short ("flow:day:2026-12-31" is 19 bytes), so the calendar fits Telegram's
64-byte callback data; a pressed day is checked again by the date step like a typed one, so
a forged or stale payload changes nothing it should not.
"""

from __future__ import annotations

import calendar as _weeks
import re
from collections.abc import Callable
from datetime import date

from babel.dates import format_date, get_day_names

from relaybot.core.types import Button
from relaybot.flows.words import CALENDAR_DAY, CALENDAR_MONTH, CALENDAR_NOTHING

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_FILLER = "·"


def month_of(payload: str) -> date | None:
    """The first day of the month a page button shows, or None for anything else."""
    if not payload.startswith(CALENDAR_MONTH):
        return None
    match = _MONTH.match(payload[len(CALENDAR_MONTH) :])
    if match is None:
        return None
    year, month = int(match[1]), int(match[2])
    if not (1 <= month <= 12 and 1900 <= year <= 2999):
        return None
    return date(year, month, 1)


def day_parts(payload: str) -> tuple[int, int, int] | None:
    """(year, month, day) of a day button, not yet checked to be a real day."""
    if not payload.startswith(CALENDAR_DAY):
        return None
    match = _DAY.match(payload[len(CALENDAR_DAY) :])
    return None if match is None else (int(match[1]), int(match[2]), int(match[3]))


def _shift(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_keyboard(
    first: date,
    *,
    locale: str,
    allowed: Callable[[date], bool],
    earliest: date | None,
    latest: date | None,
) -> list[list[Button]]:
    """Rows of buttons for the month starting `first`: a title row with pages, weekday
    names, then the weeks; a day that may not be chosen is shown as a dot."""
    previous, following = _shift(first, -1), _shift(first, 1)
    title = format_date(first, "LLLL y", locale=locale)
    nav = [
        _page("«", previous) if earliest is None or earliest < first else _nothing(),
        Button(title[:1].upper() + title[1:], CALENDAR_NOTHING),
        _page("»", following) if latest is None or following <= latest else _nothing(),
    ]
    names = get_day_names("short", context="stand-alone", locale=locale)
    rows = [nav, [Button(str(names[day]), CALENDAR_NOTHING) for day in range(7)]]
    for week in _weeks.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month):
        rows.append(
            [
                Button(str(day.day), f"{CALENDAR_DAY}{day.isoformat()}")
                if day.month == first.month and allowed(day)
                else _nothing()
                for day in week
            ]
        )
    return rows


def _page(label: str, first: date) -> Button:
    return Button(label, f"{CALENDAR_MONTH}{first.year:04d}-{first.month:02d}")


def _nothing() -> Button:
    return Button(_FILLER, CALENDAR_NOTHING)
