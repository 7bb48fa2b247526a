"""What people type into the booking bot's forms, including every example in its docs."""

from __future__ import annotations

from datetime import date

import pytest

from relaybot.apps.booking.parse import (
    DayExceptionCleaner,
    PhoneCleaner,
    clean_duration,
    clean_timezone,
    clean_weekly_hours,
    parse_date,
    parse_time,
    price_cleaner,
)
from relaybot.flows import Invalid

TODAY = date(2026, 11, 27)


@pytest.mark.parametrize(
    ("line", "weekdays", "intervals"),
    [
        ("Mon-Fri 09:00-13:00, 14:00-18:00", [0, 1, 2, 3, 4], [[540, 780], [840, 1080]]),
        ("Sat 10:00-16:00", [5], [[600, 960]]),
        ("Sun off", [6], []),
        ("пн-пт 9:00-18:00", [0, 1, 2, 3, 4], [[540, 1080]]),
        ("daily 8-20", [0, 1, 2, 3, 4, 5, 6], [[480, 1200]]),
        ("fri-mon 10:00–12:00", [0, 4, 5, 6], [[600, 720]]),
        ("mon,wed,fri 9.30-12.45", [0, 2, 4], [[570, 765]]),
        ("сб выходной", [5], []),
    ],
)
def test_weekly_hours_are_read_the_ways_admins_write_them(line, weekdays, intervals):
    assert clean_weekly_hours(line) == {"weekdays": weekdays, "intervals": intervals}


@pytest.mark.parametrize(
    ("line", "why"),
    [
        ("Mon-Fri", "Please write the days and the hours"),
        ("someday 9-18", "Please write the days and the hours"),
        ("Mon 18:00-09:00", "must end after it starts"),
        ("Mon 09:10-12:00", "quarter hour"),
        ("Mon 09:00-13:00, 12:00-14:00", "overlap"),
        ("Mon 25:00-26:00", "Please write the days and the hours"),
    ],
)
def test_unclear_hours_are_refused_with_the_reason(line, why):
    with pytest.raises(Invalid) as refused:
        clean_weekly_hours(line)
    assert why in refused.value.message


def test_a_day_change_is_a_date_and_hours_or_off():
    clean = DayExceptionCleaner(TODAY)
    assert clean("31.12 off") == {"day": "2026-12-31", "intervals": []}
    assert clean("30.12 10:00-15:00") == {"day": "2026-12-30", "intervals": [[600, 900]]}
    assert clean("05.01 выходной") == {"day": "2027-01-05", "intervals": []}  # next January
    with pytest.raises(Invalid, match="passed"):
        clean("2026-11-01 off")
    with pytest.raises(Invalid):
        clean("31.02 off")


def test_dates_times_lengths_prices_zones_and_phones():
    assert parse_date("tomorrow", TODAY) == date(2026, 11, 28)
    assert parse_date("сегодня", TODAY) == TODAY
    assert parse_date("2026-12-05", TODAY) == date(2026, 12, 5)
    assert parse_date("5/12/26", TODAY) == date(2026, 12, 5)
    assert parse_date("32.12", TODAY) is None
    assert [parse_time(t) for t in ("9", "09:30", "9.45", "24:00", "24:30", "9:60", "x")] == [
        540,
        570,
        585,
        1440,
        None,
        None,
        None,
    ]
    assert clean_duration("45") == 45 and clean_duration("90 мин") == 90
    for wrong in ("50", "0", "600", "an hour"):
        with pytest.raises(Invalid):
            clean_duration(wrong)
    price = price_cleaner("kgs")
    assert price("1 200") == {"minor": 120000, "currency": "KGS"}
    assert price("25.5 usd") == {"minor": 2550, "currency": "USD"}
    with pytest.raises(Invalid):
        price("free")
    assert clean_timezone("asia/bishkek") == "Asia/Bishkek"
    with pytest.raises(Invalid):
        clean_timezone("Mars/Olympus")
    phone = PhoneCleaner("KG")
    assert phone("0555 123 456") == "+996555123456"
    assert phone("-") == ""
    with pytest.raises(Invalid):
        phone("12345")
