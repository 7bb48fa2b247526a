"""Free slots: working hours minus bookings minus the service's length, on the 15-minute grid.

`SlotCache` keeps, per location and local day, each specialist's free cells as a bit mask.
An entry is valid while two versions stored in the database are unchanged: the location's
`schedule_version` (hours, exceptions, services, specialists) and the day's row in
`booking_slot_versions` (bookings). Every change writes a fresh random version in the same
transaction, so every process sees a change the moment it commits, and a version written by
a transaction that rolled back is never seen again.

The cache only speeds up reading. Whether a time can really be booked is decided by the
primary key of `booking_cells` when the booking is written.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from relaybot import upsert_insert

from .grid import (
    bits,
    cell_at,
    cell_start,
    cells_for,
    cells_mask,
    day_cells,
    first_cell_after,
    interval_mask,
    local_day,
    starts_mask,
)
from .models import (
    Cell,
    Location,
    ScheduleException,
    Service,
    SlotVersion,
    Specialist,
    SpecialistService,
    WorkingHours,
    new_version,
)

Interval = tuple[int, int]
_NO_DAY = date(1970, 1, 1)


@dataclass(frozen=True)
class LocationView:
    """What a location's slots depend on apart from bookings and exceptions."""

    id: int
    schedule_version: int
    tz: ZoneInfo
    active: bool
    service_cells: dict[int, int]
    offers: dict[int, frozenset[int]]
    hours: dict[int, dict[int, tuple[Interval, ...]]]


@dataclass(frozen=True)
class DayGrid:
    day: date
    first: int
    size: int
    schedule_version: int
    version: int
    free: dict[int, int]
    memo: dict[tuple[int, int | None], list[Start]] = field(
        default_factory=dict, compare=False, repr=False
    )


@dataclass(frozen=True)
class Start:
    """A time a service can begin, and which specialists are free for all of it."""

    cell: int
    specialists: tuple[int, ...]

    @property
    def at(self) -> datetime:
        return cell_start(self.cell)


# Built once: the cached path is this one statement, so it should not be rebuilt every time.
_VERSIONS = (
    select(
        Location.schedule_version,
        Location.timezone,
        Location.active,
        SlotVersion.day,
        SlotVersion.version,
    )
    .select_from(Location)
    .outerjoin(
        SlotVersion,
        (SlotVersion.location_id == Location.id)
        & (SlotVersion.day >= bindparam("low"))
        & (SlotVersion.day <= bindparam("high")),
    )
    .where(Location.id == bindparam("location_id"))
)


class UnknownLocation(LookupError):
    pass


class SlotCache:
    """Day grids of every location, shared by all updates a process handles."""

    def __init__(self, *, max_days: int = 20_000) -> None:
        self.max_days = max_days
        self._views: dict[int, LocationView] = {}
        self._days: OrderedDict[tuple[int, date], DayGrid] = OrderedDict()
        self.loads = 0

    def clear(self) -> None:
        self._views.clear()
        self._days.clear()

    def forget_days(self) -> None:
        self._days.clear()

    # -- reading ------------------------------------------------------------------------------
    async def grids(
        self, session: AsyncSession, location_id: int, days: Sequence[date]
    ) -> tuple[LocationView, list[DayGrid]]:
        """The location's view and the grids of `days`, reading only what changed."""
        low, high = (min(days), max(days)) if days else (_NO_DAY, _NO_DAY)
        connection = await session.connection()
        rows = (
            await connection.execute(
                _VERSIONS, {"location_id": location_id, "low": low, "high": high}
            )
        ).all()
        if not rows:
            raise UnknownLocation(location_id)
        head = rows[0]
        versions = {r.day: r.version for r in rows if r.day is not None}
        view = self._views.get(location_id)
        if view is None or view.schedule_version != head.schedule_version:
            view = await _load_view(
                session, location_id, head.schedule_version, ZoneInfo(head.timezone), head.active
            )
            self._views[location_id] = view
        grids: dict[date, DayGrid] = {}
        missing: list[date] = []
        for day in days:
            cached = self._days.get((location_id, day))
            if (
                cached is not None
                and cached.schedule_version == view.schedule_version
                and cached.version == versions.get(day, 0)
            ):
                self._days.move_to_end((location_id, day))
                grids[day] = cached
            else:
                missing.append(day)
        if missing:
            self.loads += 1
            for grid in await _load_days(session, view, missing, versions):
                grids[grid.day] = grid
                self._days[(location_id, grid.day)] = grid
            while len(self._days) > self.max_days:
                self._days.popitem(last=False)
        return view, [grids[day] for day in days]

    async def zone(self, session: AsyncSession, location_id: int) -> ZoneInfo:
        """The location's timezone (it is fixed when the location is created)."""
        view = self._views.get(location_id)
        if view is not None:
            return view.tz
        name = await session.scalar(select(Location.timezone).where(Location.id == location_id))
        if name is None:
            raise UnknownLocation(location_id)
        return ZoneInfo(name)

    async def starts(
        self,
        session: AsyncSession,
        *,
        location_id: int,
        service_id: int,
        specialist_id: int | None,
        day: date,
        after: datetime,
        ignore: Iterable[int] = (),
    ) -> list[Start]:
        """Free starts on one local day, after `after`, for one specialist or any of them.

        `ignore` are cells to count as free: those of the booking being moved.
        """
        view, (grid,) = await self.grids(session, location_id, [day])
        floor = first_cell_after(after)
        own = tuple(ignore)
        if own:
            grid = _with_own(grid, specialist_id, own)
            return _starts(view, grid, service_id, specialist_id, floor)
        return list(_after(_memo_starts(view, grid, service_id, specialist_id), floor))

    async def free_days(
        self,
        session: AsyncSession,
        *,
        location_id: int,
        service_id: int,
        specialist_id: int | None,
        days: Sequence[date],
        after: datetime,
    ) -> list[date]:
        view, grids = await self.grids(session, location_id, days)
        floor = first_cell_after(after)
        return [
            grid.day
            for grid in grids
            if _after(_memo_starts(view, grid, service_id, specialist_id), floor)
        ]

    async def nearest(
        self,
        session: AsyncSession,
        *,
        location_id: int,
        service_id: int,
        specialist_id: int | None,
        around: datetime,
        after: datetime,
        limit: int = 6,
        horizon_days: int = 14,
    ) -> list[Start]:
        """The free starts closest to `around`: that day first, then the days after it."""
        first_day = around.astimezone(await self.zone(session, location_id)).date()
        days = [first_day + timedelta(days=n) for n in range(horizon_days)]
        view, grids = await self.grids(session, location_id, days)
        target, floor = cell_at(around), first_cell_after(after)
        found: list[Start] = []
        for index, grid in enumerate(grids):
            starts = list(_after(_memo_starts(view, grid, service_id, specialist_id), floor))
            if index == 0:
                starts.sort(key=lambda s: (abs(s.cell - target), s.cell))
            found.extend(starts[: limit - len(found)])
            if len(found) >= limit:
                break
        return sorted(found, key=lambda s: s.cell)

    async def is_free(
        self,
        session: AsyncSession,
        *,
        location_id: int,
        service_id: int,
        specialist_id: int | None,
        start: datetime,
        after: datetime,
        ignore: Iterable[int] = (),
    ) -> tuple[int, ...]:
        """The specialists free for the whole service from `start`; empty when none is.

        `ignore` are cells to count as free: those of the booking being moved.
        """
        day = start.astimezone(await self.zone(session, location_id)).date()
        view, (grid,) = await self.grids(session, location_id, [day])
        cell = cell_at(start)
        if cell < first_cell_after(after):
            return ()
        grid = _with_own(grid, specialist_id, tuple(ignore))
        for found in _starts(view, grid, service_id, specialist_id, cell):
            if found.cell == cell:
                return found.specialists
            break
        return ()


def _memo_starts(
    view: LocationView, grid: DayGrid, service_id: int, specialist_id: int | None
) -> list[Start]:
    """All starts of a cached day for a service and specialist, computed once per grid."""
    key = (service_id, specialist_id)
    found = grid.memo.get(key)
    if found is None:
        found = _starts(view, grid, service_id, specialist_id, grid.first)
        grid.memo[key] = found
    return found


def _after(starts: list[Start], floor: int) -> list[Start]:
    if not starts or starts[0].cell >= floor:
        return starts
    return starts[bisect_left([s.cell for s in starts], floor) :]


def _with_own(grid: DayGrid, specialist_id: int | None, ignore: Iterable[int]) -> DayGrid:
    own = cells_mask(ignore, grid.first, grid.size)
    if not own or specialist_id is None or specialist_id not in grid.free:
        return grid
    free = {**grid.free, specialist_id: grid.free[specialist_id] | own}
    return replace(grid, free=free, memo={})


def _starts(
    view: LocationView,
    grid: DayGrid,
    service_id: int,
    specialist_id: int | None,
    floor: int,
    *,
    first_only: bool = False,
) -> list[Start]:
    needed = view.service_cells.get(service_id)
    if needed is None or not view.active:
        return []
    past = floor - grid.first
    keep = -1 if past <= 0 else ~((1 << past) - 1)
    by_cell: defaultdict[int, list[int]] = defaultdict(list)
    for specialist, free in grid.free.items():
        if specialist_id is not None and specialist != specialist_id:
            continue
        if service_id not in view.offers.get(specialist, frozenset()):
            continue
        mask = starts_mask(free, needed) & keep
        if first_only and mask:
            return [Start(grid.first + next(bits(mask)), (specialist,))]
        for position in bits(mask):
            by_cell[grid.first + position].append(specialist)
    return [Start(cell, tuple(sorted(by_cell[cell]))) for cell in sorted(by_cell)]


_SERVICES = select(Service.id, Service.duration_min).where(Service.active.is_(True))
_HOURS = (
    select(
        WorkingHours.specialist_id,
        WorkingHours.weekday,
        WorkingHours.start_min,
        WorkingHours.end_min,
    )
    .join(Specialist, Specialist.id == WorkingHours.specialist_id)
    .where(WorkingHours.location_id == bindparam("location_id"), Specialist.active.is_(True))
)
_OFFERS = (
    select(SpecialistService.specialist_id, SpecialistService.service_id)
    .join(Specialist, Specialist.id == SpecialistService.specialist_id)
    .where(Specialist.active.is_(True))
)
_EXCEPTIONS = (
    select(
        ScheduleException.specialist_id,
        ScheduleException.day,
        ScheduleException.start_min,
        ScheduleException.end_min,
    )
    .join(Specialist, Specialist.id == ScheduleException.specialist_id)
    .where(
        ScheduleException.location_id == bindparam("location_id"),
        ScheduleException.day >= bindparam("low"),
        ScheduleException.day <= bindparam("high"),
        Specialist.active.is_(True),
    )
)
_CELLS = select(Cell.specialist_id, Cell.cell).where(
    Cell.specialist_id.in_(bindparam("specialists", expanding=True)),
    Cell.cell >= bindparam("low"),
    Cell.cell < bindparam("high"),
)


async def _load_view(
    session: AsyncSession, location_id: int, version: int, tz: ZoneInfo, active: bool
) -> LocationView:
    connection = await session.connection()
    services = {r[0]: cells_for(r[1]) for r in await connection.execute(_SERVICES)}
    hours: defaultdict[int, defaultdict[int, list[Interval]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for specialist, weekday, start, end in await connection.execute(
        _HOURS, {"location_id": location_id}
    ):
        hours[specialist][weekday].append((start, end))
    offers: defaultdict[int, set[int]] = defaultdict(set)
    for specialist, service in await connection.execute(_OFFERS):
        offers[specialist].add(service)
    return LocationView(
        id=location_id,
        schedule_version=version,
        tz=tz,
        active=active,
        service_cells=services,
        offers={k: frozenset(v) for k, v in offers.items()},
        hours={s: {d: tuple(sorted(v)) for d, v in days.items()} for s, days in hours.items()},
    )


async def _load_days(
    session: AsyncSession, view: LocationView, days: Sequence[date], versions: dict[date, int]
) -> list[DayGrid]:
    connection = await session.connection()
    exceptions: defaultdict[tuple[int, date], list[Interval]] = defaultdict(list)
    for specialist, day, start, end in await connection.execute(
        _EXCEPTIONS, {"location_id": view.id, "low": min(days), "high": max(days)}
    ):
        entry = exceptions[(specialist, day)]
        if start is not None and end is not None:
            entry.append((start, end))
    frames = {day: day_cells(day, view.tz) for day in days}
    working: dict[date, dict[int, int]] = {}
    specialists: set[int] = set()
    for day, (first, size) in frames.items():
        masks: dict[int, int] = {}
        shapes: dict[tuple[Interval, ...], int] = {}  # most people share the same hours
        people = set(view.hours) | {s for (s, d) in exceptions if d == day}
        for specialist in people:
            if (specialist, day) in exceptions:
                intervals = tuple(exceptions[(specialist, day)])
            else:
                intervals = view.hours.get(specialist, {}).get(day.weekday(), ())
            mask = shapes.get(intervals)
            if mask is None:
                mask = 0
                for start, end in intervals:
                    mask |= interval_mask(day, view.tz, first, size, start, end)
                shapes[intervals] = mask
            if mask:
                masks[specialist] = mask
                specialists.add(specialist)
        working[day] = masks
    taken: defaultdict[int, int] = defaultdict(int)
    low = min(first for first, _ in frames.values())
    if specialists:
        high = max(first + size for first, size in frames.values())
        rows = await connection.execute(
            _CELLS, {"specialists": sorted(specialists), "low": low, "high": high}
        )
        for specialist, cell in rows:
            taken[specialist] |= 1 << (cell - low)
    grids = []
    for day, (first, size) in frames.items():
        window = (1 << size) - 1
        free = {
            specialist: mask & ~((taken[specialist] >> (first - low)) & window)
            for specialist, mask in working[day].items()
        }
        grids.append(
            DayGrid(
                day=day,
                first=first,
                size=size,
                schedule_version=view.schedule_version,
                version=versions.get(day, 0),
                free=free,
            )
        )
    return grids


# -- invalidation -----------------------------------------------------------------------------
async def touch_schedule(session: AsyncSession, location_ids: Iterable[int] | None = None) -> None:
    """Hours, exceptions, services or specialists changed: every day of these locations is stale."""
    stmt = update(Location).values(schedule_version=new_version())
    if location_ids is not None:
        ids = sorted(set(location_ids))
        if not ids:
            return
        stmt = stmt.where(Location.id.in_(ids))
    await session.execute(stmt.execution_options(synchronize_session=False))


async def touch_days(
    session: AsyncSession, specialist_id: int, cells: Sequence[int], *, location_id: int
) -> None:
    """Bookings of `specialist_id` on these cells changed: the days they fall on are stale.

    Every location the specialist works at is touched, not only the booking's, because a
    specialist's free time is the same person's time wherever it is offered.
    """
    if not cells:
        return
    where = set(
        await session.scalars(
            select(WorkingHours.location_id).where(WorkingHours.specialist_id == specialist_id)
        )
    )
    where |= set(
        await session.scalars(
            select(ScheduleException.location_id).where(
                ScheduleException.specialist_id == specialist_id
            )
        )
    )
    if location_id is not None:
        where.add(location_id)
    if not where:
        return
    zones = {
        r.id: ZoneInfo(r.timezone)
        for r in await session.execute(
            select(Location.id, Location.timezone).where(Location.id.in_(sorted(where)))
        )
    }
    keys = sorted(
        {(location, local_day(cell, tz)) for location, tz in zones.items() for cell in cells}
    )
    for location, day in keys:
        stmt = upsert_insert(session, SlotVersion).values(
            location_id=location, day=day, version=new_version()
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["location_id", "day"], set_={"version": stmt.excluded.version}
        )
        await session.execute(stmt)
