"""Cron lines in an IANA time zone: checking them, their due times, and saying them in words.

Due times follow the wall clock of the job's zone. At a daylight-saving change each wall-clock
time that the cron line names runs once: a time the clock skips (02:30 when it jumps from
02:00 to 03:00) runs at the same distance after the jump, a time the clock shows twice runs at
its first showing only.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from croniter import croniter

from relaybot import N_, Translator

MAX_STEPS = 100_000  # a due time is found within this many cron steps, or there is none


class ScheduleError(ValueError):
    """A cron line or a time zone that cannot be used; `field` names which."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def zone(name: str) -> ZoneInfo:
    """The IANA zone `name` ("Asia/Bishkek"); ScheduleError naming `timezone` otherwise."""
    if not name or name != name.strip() or name not in _zones():
        raise ScheduleError("timezone", f"{name!r} is not an IANA time zone (e.g. Asia/Bishkek)")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleError("timezone", f"{name!r} is not an IANA time zone") from None


_ZONES: frozenset[str] | None = None


def _zones() -> frozenset[str]:
    global _ZONES
    if _ZONES is None:
        _ZONES = frozenset(available_timezones()) | {"UTC"}
    return _ZONES


def check_cron(line: str) -> str:
    """The cron line with its spaces tidied; ScheduleError naming `cron` when it is not five
    fields croniter accepts, or never comes due."""
    fields = line.split()
    if len(fields) != 5 or not croniter.is_valid(" ".join(fields)):
        raise ScheduleError(
            "cron", f"{line!r} is not a cron line of five fields (e.g. '0 9 * * 1-5')"
        )
    tidy = " ".join(fields)
    try:
        croniter(tidy, datetime(2026, 1, 1)).get_next(datetime)
    except Exception:
        raise ScheduleError("cron", f"{line!r} never comes due") from None
    return tidy


@lru_cache(maxsize=8192)
def next_after(cron: str, timezone: str, after: float) -> float:
    """The first due time strictly after `after` (epoch seconds). Remembered: jobs on the
    same line and zone come due together, and the engine asks for each of them."""
    tz = zone(timezone)
    wall = datetime.fromtimestamp(after, tz).replace(tzinfo=None)
    steps = croniter(cron, wall)
    for _ in range(MAX_STEPS):
        following: datetime = steps.get_next(datetime)
        due = _instant(following, tz)
        if due > after:
            return due
    raise ScheduleError("cron", f"{cron!r} finds no due time after {after}")


def _instant(wall: datetime, tz: ZoneInfo) -> float:
    """The moment a naive wall-clock time names in `tz`. With fold=0 a time the clock shows
    twice is its first showing, and a time the clock skips is read with the offset before the
    jump, which puts it the same distance after the jump."""
    return wall.replace(tzinfo=tz, fold=0).timestamp()


def upcoming(cron: str, timezone: str, after: float, count: int = 3) -> list[float]:
    times: list[float] = []
    moment = after
    for _ in range(count):
        moment = next_after(cron, timezone, moment)
        times.append(moment)
    return times


def local_iso(moment: float, timezone: str) -> str:
    return datetime.fromtimestamp(moment, zone(timezone)).isoformat(timespec="minutes")


_DAYS = (
    N_("Sunday"),
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
)


def describe(cron: str, timezone: str, t: Translator) -> str:
    """The schedule in words: "at 09:00 on Monday to Friday, Asia/Bishkek"; cron lines that
    read no simpler are quoted as they are."""
    minute, hour, dom, month, dow = cron.split()
    words: str | None = None
    if minute.isdigit() and hour.isdigit():
        words = t(N_("at {time}"), time=f"{int(hour):02d}:{int(minute):02d}")
    elif minute.isdigit() and hour == "*":
        words = t(N_("every hour at minute {minute}"), minute=int(minute))
    elif minute == "*" and hour == "*":
        words = t(N_("every minute"))
    elif minute.startswith("*/") and minute[2:].isdigit() and hour == "*":
        words = t(N_("every {n} minutes"), n=int(minute[2:]))
    days = _days(dow, t) if month == "*" else None
    if words is None or days is None:
        return t(N_("on cron '{cron}', {timezone}"), cron=cron, timezone=timezone)
    if dom != "*":
        if not dom.isdigit() or dow != "*":
            return t(N_("on cron '{cron}', {timezone}"), cron=cron, timezone=timezone)
        return t(
            N_("{when} on day {day} of each month, {timezone}"),
            when=words,
            day=int(dom),
            timezone=timezone,
        )
    if days:
        return t(N_("{when} on {days}, {timezone}"), when=words, days=days, timezone=timezone)
    if hour == "*":  # "every 30 minutes" says every day already
        return t(N_("{when}, {timezone}"), when=words, timezone=timezone)
    return t(N_("{when} every day, {timezone}"), when=words, timezone=timezone)


def _days(dow: str, t: Translator) -> str | None:
    """'' for every day, the days in words, or None when the field reads no simpler."""
    if dow in ("*", "?"):
        return ""
    parts = []
    for piece in dow.split(","):
        if "-" in piece:
            low, _, high = piece.partition("-")
            if not (low.isdigit() and high.isdigit()):
                return None
            parts.append(
                t(N_("{first} to {last}"), first=_day(int(low), t), last=_day(int(high), t))
            )
        elif piece.isdigit():
            parts.append(_day(int(piece), t))
        else:
            return None
    return ", ".join(parts)


def _day(number: int, t: Translator) -> str:
    return t(_DAYS[number % 7])


def as_datetime(moment: float | None) -> datetime | None:
    return None if moment is None else datetime.fromtimestamp(moment, UTC)


def day_end(day: str, timezone: str) -> float:
    """The end of `day` (ISO date) in the zone: an end date includes its whole day."""
    start = datetime.fromisoformat(day).replace(tzinfo=zone(timezone))
    return (start + timedelta(days=1)).timestamp()
