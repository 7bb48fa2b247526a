"""The 15-minute grid: UTC cells, local days and working intervals as bit masks.

A cell is `UTC seconds // 900`, the same number in every timezone, so bookings compare as
integers. A local day is the run of cells from its local midnight to the next one: 96 on
most days, 92 or 100 when the clocks change. Bit `i` of a day mask is the day's `i`-th cell.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

CELL_SECONDS = 900
CELL_MINUTES = 15
DAY_MINUTES = 24 * 60


def cell_at(moment: datetime) -> int:
    """The cell a moment falls in."""
    return math.floor(moment.timestamp() / CELL_SECONDS)


def first_cell_after(moment: datetime) -> int:
    """The first cell that starts strictly after `moment`: a start at `moment` has passed."""
    return cell_at(moment) + 1


def cell_start(cell: int) -> datetime:
    return datetime.fromtimestamp(cell * CELL_SECONDS, UTC)


def cells_for(minutes: int) -> int:
    """How many cells a service of `minutes` occupies."""
    return max(1, math.ceil(minutes / CELL_MINUTES))


def local_moment(day: date, minute: int, tz: ZoneInfo) -> datetime:
    """`minute` minutes after local midnight of `day` (1440 is the next midnight)."""
    return datetime.combine(day, time(), tzinfo=tz) + timedelta(minutes=minute)


def day_cells(day: date, tz: ZoneInfo) -> tuple[int, int]:
    """(first cell, number of cells) of a local day."""
    first = _ceil_cell(local_moment(day, 0, tz))
    last = _ceil_cell(local_moment(day, DAY_MINUTES, tz))
    return first, last - first


def local_day(cell: int, tz: ZoneInfo) -> date:
    return cell_start(cell).astimezone(tz).date()


def interval_mask(day: date, tz: ZoneInfo, first: int, size: int, start: int, end: int) -> int:
    """Bits of the cells fully inside local minutes [start, end) of `day`."""
    a = _ceil_cell(local_moment(day, start, tz)) - first
    b = math.floor(local_moment(day, end, tz).timestamp() / CELL_SECONDS) - first
    a, b = max(a, 0), min(b, size)
    if b <= a:
        return 0
    return ((1 << (b - a)) - 1) << a


def cells_mask(cells: Iterable[int], first: int, size: int) -> int:
    mask = 0
    for cell in cells:
        offset = cell - first
        if 0 <= offset < size:
            mask |= 1 << offset
    return mask


def starts_mask(free: int, needed: int) -> int:
    """Bits where `needed` consecutive free cells begin."""
    starts = free
    for shift in range(1, needed):
        starts &= free >> shift
    return starts


def bits(mask: int) -> Iterator[int]:
    """Positions of the set bits, lowest first."""
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


def _ceil_cell(moment: datetime) -> int:
    return math.ceil(moment.timestamp() / CELL_SECONDS)
