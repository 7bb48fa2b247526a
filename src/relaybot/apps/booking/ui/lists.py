"""Bookings as lists and cards: a client's own, a specialist's day and week, the admin's day."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from relaybot import N_, Button

from ..bookings import Refused
from ..grid import local_moment
from ..models import OPEN_STATUSES, Booking, Location, ScheduleException, WorkingHours
from ..render import (
    STATUS_NAMES,
    WEEKDAYS,
    BookingView,
    booking_view,
    booking_views,
    day_label,
    minutes_label,
)
from . import payloads as p
from .menu import menu_buttons
from .screen import Screen, rows_of

PAGE = 10
DAY_OFF = N_("day off")
OWN_BOOKING = N_("No. {number}: {service}, {when}, {specialist}, {location} ({status})")
DAY_BOOKING = N_("{span} {service}, {client}, {location} ({status})")
NOT_A_SPECIALIST = N_("Your account is not linked to a specialist yet.")


async def my_bookings(screen: Screen) -> None:
    """A client's bookings from today on, each with its number, and what can be done with it."""
    views = await booking_views(
        screen.ctx.db,
        [
            Booking.client_id == screen.user.id,
            Booking.status.in_(OPEN_STATUSES),
            Booking.ends_at > screen.now,
        ],
    )
    t, b = screen.t, screen.button
    if not views:
        book = b(N_("Book an appointment"), p.BookVisit())
        screen.say(t(N_("You have no upcoming bookings.")), buttons=[book, screen.menu_button()])
        return
    lines = [t(N_("Your bookings:"))]
    buttons: list[list[Button]] = []
    for view in views[:PAGE]:
        lines.append(t(OWN_BOOKING, **view.values(t)))
        if view.booking.starts_at > screen.now:
            number = view.id
            move = b(N_("Move No. {number}"), p.MoveBooking(id=number), number=number)
            cancel = b(N_("Cancel No. {number}"), p.CancelBooking(id=number), number=number)
            buttons.append([move, cancel])
    buttons.append([screen.menu_button()])
    screen.say("\n".join(lines), buttons=buttons)


async def ask_cancel(screen: Screen, booking_id: int) -> None:
    view = await _view_for(screen, booking_id)
    screen.bookings().may_change(screen.actor, view.booking)
    screen.say(
        screen.t(N_("Cancel booking No. {number}: {service}, {when}?"), **view.values(screen.t)),
        buttons=[
            [
                screen.button(N_("Yes, cancel it"), p.ConfirmCancel(id=view.id)),
                screen.button(N_("No, keep it"), p.MainMenu()),
            ]
        ],
    )


async def cancel(screen: Screen, booking_id: int) -> None:
    booking = await screen.bookings().cancel(screen.actor, booking_id)
    screen.say(
        screen.t(N_("Booking No. {number} is cancelled."), number=booking.id),
        buttons=menu_buttons(screen),
    )


# -- specialist -------------------------------------------------------------------------------
async def specialist_days(screen: Screen, days: int) -> None:
    specialist_id = screen.actor.specialist_id
    if specialist_id is None:
        raise Refused(NOT_A_SPECIALIST)
    tz = await _home_zone(screen, specialist_id)
    today = screen.now.astimezone(tz).date()
    start = local_moment(today, 0, tz)
    end = local_moment(today + timedelta(days=days), 0, tz)
    views = await booking_views(
        screen.ctx.db,
        [
            Booking.specialist_id == specialist_id,
            Booking.status.in_((*OPEN_STATUSES, "done", "no_show")),
            Booking.starts_at >= start,
            Booking.starts_at < end,
        ],
    )
    t = screen.t
    if not views:
        empty = N_("No bookings today.") if days == 1 else N_("No bookings this week.")
        screen.say(t(empty), buttons=menu_buttons(screen))
        return
    lines: list[str] = []
    buttons: list[Button] = []
    shown_day: date | None = None
    for view in views:
        local_day = view.booking.starts_at.astimezone(view.tz).date()
        if local_day != shown_day:
            lines.append(f"\n{day_label(local_day, t.locale)}")
            shown_day = local_day
        lines.append(t(DAY_BOOKING, span=view.span(), **view.values(t)))
        if view.booking.status in OPEN_STATUSES and view.booking.starts_at > screen.now:
            cancel = p.CancelBooking(id=view.id)
            buttons.append(screen.button(N_("Cancel No. {number}"), cancel, number=view.id))
    title = N_("Your bookings today:") if days == 1 else N_("Your bookings for 7 days:")
    screen.say(
        t(title) + "\n" + "\n".join(lines).strip(),
        buttons=[*rows_of(buttons, 2), *menu_buttons(screen)],
    )


async def specialist_hours(screen: Screen) -> None:
    specialist_id = screen.actor.specialist_id
    if specialist_id is None:
        raise Refused(NOT_A_SPECIALIST)
    screen.say(await hours_text(screen, specialist_id), buttons=menu_buttons(screen))


async def hours_text(screen: Screen, specialist_id: int) -> str:
    """Weekly hours per location, then the coming exceptions."""
    db, t = screen.ctx.db, screen.t
    rows = (
        await db.execute(
            select(WorkingHours, Location)
            .join(Location, Location.id == WorkingHours.location_id)
            .where(WorkingHours.specialist_id == specialist_id)
            .order_by(Location.id, WorkingHours.weekday, WorkingHours.start_min)
        )
    ).all()
    if not rows:
        return t(N_("No working hours are set yet."))
    lines: list[str] = []
    by_location: dict[int, list[WorkingHours]] = {}
    names: dict[int, str] = {}
    for hours, location in rows:
        by_location.setdefault(location.id, []).append(hours)
        names[location.id] = location.name
    for location_id, entries in by_location.items():
        lines.append(t(N_("{location}:"), location=names[location_id]))
        for weekday in range(7):
            spans = [span(h.start_min, h.end_min) for h in entries if h.weekday == weekday]
            if spans:
                lines.append(f"  {t(WEEKDAYS[weekday])}: {', '.join(spans)}")
    exceptions = list(
        await db.scalars(
            select(ScheduleException)
            .where(
                ScheduleException.specialist_id == specialist_id,
                ScheduleException.day >= screen.now.date(),
            )
            .order_by(ScheduleException.day, ScheduleException.start_min)
            .limit(30)
        )
    )
    if exceptions:
        lines.append(t(N_("Changes:")))
        for item in exceptions:
            label = day_label(item.day, t.locale)
            if item.start_min is None or item.end_min is None:
                lines.append(f"  {label}: {t(DAY_OFF)}")
            else:
                place = names.get(item.location_id, "")
                lines.append(f"  {label}: {span(item.start_min, item.end_min)} ({place})")
    return "\n".join(lines)


# -- administrator ----------------------------------------------------------------------------
async def admin_day(screen: Screen, day: date | None, page: int = 0) -> None:
    tz = await _admin_zone(screen)
    today = screen.now.astimezone(tz).date()
    day = day or today
    start, end = local_moment(day, 0, tz), local_moment(day + timedelta(days=1), 0, tz)
    views = await booking_views(
        screen.ctx.db, [Booking.starts_at >= start, Booking.starts_at < end]
    )
    t = screen.t
    shown = views[page * PAGE : (page + 1) * PAGE]
    heading = t(N_("Bookings on {day}: {count}"), day=day_label(day, t.locale), count=len(views))
    buttons: list[list[Button]] = [
        [
            Button(
                f"{view.span()} {view.service} · {view.values(t)['client']} · "
                f"{t(STATUS_NAMES[view.booking.status])}",
                p.OpenBooking(id=view.id).pack(),
            )
        ]
        for view in shown
    ]
    if len(views) > (page + 1) * PAGE:
        buttons.append(
            [screen.button(N_("More"), p.DayBookings(day=day.toordinal(), page=page + 1))]
        )
    buttons.append(
        [
            p.DayBookings(day=(day - timedelta(days=1)).toordinal()).button("‹"),
            screen.button(N_("Today"), p.DayBookings(day=today.toordinal())),
            p.DayBookings(day=(day + timedelta(days=1)).toordinal()).button("›"),
        ]
    )
    buttons.append(
        [screen.button(N_("Book for a client"), p.BookForClient()), screen.menu_button()]
    )
    screen.say(heading, buttons=buttons)


async def booking_card(screen: Screen, booking_id: int) -> None:
    view = await _view_for(screen, booking_id)
    booking = view.booking
    actor = screen.actor
    own = booking.client_id == screen.user.id or (
        actor.specialist_id is not None and booking.specialist_id == actor.specialist_id
    )
    if not (actor.is_admin or own):
        raise Refused(N_("Sorry, you can only see your own bookings."))
    rows: list[list[Button]] = []
    is_open = booking.status in OPEN_STATUSES
    if actor.is_admin and booking.status == "pending":
        rows.append([screen.button(N_("Confirm"), p.ConfirmBooking(id=view.id))])
    if is_open and booking.starts_at > screen.now and (actor.is_admin or actor.role == "client"):
        rows.append(
            [
                screen.button(N_("Move"), p.MoveBooking(id=view.id)),
                screen.button(N_("Cancel booking"), p.CancelBooking(id=view.id)),
            ]
        )
    elif is_open and booking.starts_at > screen.now:
        rows.append([screen.button(N_("Cancel booking"), p.CancelBooking(id=view.id))])
    if actor.is_admin and is_open and booking.starts_at <= screen.now:
        rows.append(
            [
                screen.button(N_("Done"), p.MarkBooking(id=view.id, outcome="done")),
                screen.button(N_("Did not come"), p.MarkBooking(id=view.id, outcome="no_show")),
            ]
        )
    rows.append([screen.menu_button()])
    screen.say(view.details(screen.t), buttons=rows)


async def confirm(screen: Screen, booking_id: int) -> None:
    booking = await screen.bookings().confirm(screen.actor, booking_id)
    screen.say(
        screen.t(N_("Booking No. {number} is confirmed."), number=booking.id),
        buttons=[[screen.button(N_("Bookings"), p.DayBookings()), screen.menu_button()]],
    )


async def mark(screen: Screen, booking_id: int, outcome: p.Outcome) -> None:
    booking = await screen.bookings().mark(screen.actor, booking_id, outcome)
    text = (
        N_("Noted: booking No. {number} took place.")
        if booking.status == "done"
        else N_("Noted: the client of booking No. {number} did not come.")
    )
    screen.say(screen.t(text, number=booking.id), buttons=[[screen.menu_button()]])


# -- helpers ----------------------------------------------------------------------------------
def span(start_min: int, end_min: int) -> str:
    return f"{minutes_label(start_min)}–{minutes_label(end_min)}"


async def _view_for(screen: Screen, booking_id: int) -> BookingView:
    view = await booking_view(screen.ctx.db, booking_id)
    if view is None:
        raise Refused(N_("There is no booking with that number."))
    return view


async def _home_zone(screen: Screen, specialist_id: int) -> ZoneInfo:
    name = await screen.ctx.db.scalar(
        select(Location.timezone)
        .join(WorkingHours, WorkingHours.location_id == Location.id)
        .where(WorkingHours.specialist_id == specialist_id)
        .limit(1)
    )
    return ZoneInfo(name or "UTC")


async def _admin_zone(screen: Screen) -> ZoneInfo:
    name = await screen.ctx.db.scalar(
        select(Location.timezone).where(Location.active.is_(True)).order_by(Location.id).limit(1)
    )
    return ZoneInfo(name or "UTC")
