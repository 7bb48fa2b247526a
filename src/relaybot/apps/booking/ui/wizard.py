"""The booking dialog: (client) -> (place) -> service -> specialist -> day -> time -> confirm.

One flow books for oneself, for a client (an administrator) or moves a booking (day, time,
confirm): what a mode does not ask is seeded in `given`. A time taken meanwhile sends the
person back to the time step with the nearest free times.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any, Literal, cast
from zoneinfo import ZoneInfo

from sqlalchemy import select

from relaybot import (
    N_,
    Answer,
    Button,
    Choice,
    Context,
    Flow,
    FlowView,
    Invalid,
    Progress,
    Reopen,
    Select,
    Step,
    Translator,
)

from ..bookings import Refused, Request, Taken
from ..grid import cell_at, cell_start, local_moment
from ..models import Booking, Cell, Location, Service, Specialist, User
from ..parse import clean_name, parse_time, squash, typed_day
from ..queries import active_locations, find_clients, services_at, specialists_for
from ..render import booking_view, clock, day_label, price, when
from ..users import display_name
from .menu import menu_buttons
from .payloads import NewClient
from .screen import Screen, rows_of, screen_of

Mode = Literal["self", "admin", "move"]
ANY = "any"
DAYS_PER_PAGE = 7
CHOOSE_A_BUTTON = N_("Please choose one of the buttons.")
WHO_FOR = N_("Who is the booking for? Choose a client, or type a name or phone to search.")
NOBODY_FOUND = N_("Nobody found for “{query}”. Type another name or phone.")
SERVICE = N_("{name} · {minutes} min · {price}")


# -- what the answers so far say ----------------------------------------------------------------
def _screen(view: FlowView) -> Screen:
    return screen_of(view.ctx)


def _chosen(data: Any, key: str) -> Any:
    """An answer of this dialog, or the value its mode brought along instead of asking."""
    return data[key] if key in data else data["given"][key]


def _specialist(data: Any) -> int | None:
    value = _chosen(data, "specialist")
    return None if value in (None, ANY) else int(value)


def _mode(data: Any) -> Mode:
    return cast(Mode, data["mode"])


async def _zone(screen: Screen, data: Any) -> ZoneInfo:
    location = await screen.ctx.db.get(Location, int(_chosen(data, "location")))
    assert location is not None
    return ZoneInfo(location.timezone)


async def _today(view: FlowView) -> date:
    screen = _screen(view)
    return screen.now.astimezone(await _zone(screen, view.data)).date()


async def _own_cells(screen: Screen, data: Any) -> list[int]:
    """A booking being moved may overlap its own time."""
    if _mode(data) != "move":
        return []
    cells = select(Cell.cell).where(Cell.booking_id == int(data["booking"]))
    return list(await screen.ctx.db.scalars(cells))


# -- steps that are asked only in some modes ----------------------------------------------------
def _for_a_client(view: FlowView) -> bool:
    return _mode(view.data) == "admin"


def _without_a_name(view: FlowView) -> bool:
    return _mode(view.data) == "self" and not _screen(view).user.name


def _picks_a_place(view: FlowView) -> bool:
    return _mode(view.data) != "move" and "location" not in view.data["given"]


def _picks_a_service(view: FlowView) -> bool:
    return _mode(view.data) != "move"


def _remember_name(name: str, view: FlowView) -> None:
    """The name is the person's from now on, even if they leave before booking."""
    _screen(view).user.name = name


# -- clients, places, services, specialists -----------------------------------------------------
def _client_label(client: User) -> str:
    name = display_name(client)
    return f"{name} · {client.phone}" if client.phone else name


@dataclass(frozen=True, kw_only=True)
class ClientSearch(Step):
    """An administrator's client: pressed from the list, or searched by a typed name or phone."""

    fits_form = False

    async def keyboard(self, view: FlowView, draft: Any, *, channel: str) -> list[list[Button]]:
        query = draft if isinstance(draft, str) else None
        clients = await find_clients(_screen(view).ctx.db, query)
        rows = [[self.button(Choice(_client_label(c), str(c.id)), view)] for c in clients]
        rows.append([NewClient().button(view.t(N_("New client")))])
        return rows

    async def take(self, answer: Answer, view: FlowView, draft: Any) -> Any:
        db = _screen(view).ctx.db
        if answer.choice is not None:
            client = await db.get(User, int(answer.choice)) if answer.choice.isdigit() else None
            if client is None:
                raise Invalid(N_("That choice is no longer available."))
            return client.id
        query = squash(answer.text)[:50]
        if not query:
            raise Invalid(CHOOSE_A_BUTTON)
        found = await find_clients(db, query)
        return Progress(
            draft=query,
            notice=WHO_FOR if found else NOBODY_FOUND,
            values={"query": query},
            prompt=False,
        )


@dataclass(frozen=True, kw_only=True)
class Pick(Select):
    unknown: str = CHOOSE_A_BUTTON


async def _locations(view: FlowView) -> list[Choice]:
    return [
        Choice(f"{loc.name}, {loc.address}" if loc.address else loc.name, str(loc.id))
        for loc in await active_locations(_screen(view).ctx.db)
    ]


async def _ask_location(view: FlowView) -> str:
    if not await _locations(view):
        return view.t(N_("Sorry, we do not take bookings at the moment."))
    return view.t(N_("Where would you like to come?"))


async def _services(view: FlowView) -> list[Choice]:
    t = view.t
    offered = await services_at(_screen(view).ctx.db, int(_chosen(view.data, "location")))
    return [
        Choice(t(SERVICE, name=s.name, minutes=s.duration_min, price=_price_of(s, t)), str(s.id))
        for s in offered
    ]


def _price_of(service: Service, t: Translator) -> str:
    return price(service.price_minor, service.currency, t.locale)


async def _ask_service(view: FlowView) -> str:
    if not await _services(view):
        return view.t(N_("Sorry, no services can be booked here at the moment."))
    return view.t(N_("Which service would you like?"))


async def _specialists(view: FlowView) -> list[Choice]:
    db, data = _screen(view).ctx.db, view.data
    location, service = int(_chosen(data, "location")), int(_chosen(data, "service"))
    people = await specialists_for(db, location, service)
    return [Choice(N_("Any specialist"), ANY), *(Choice(p.name, str(p.id)) for p in people)]


# -- days and times -----------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class FreeDay(Select):
    """A day with free time: pressed, or typed as a date ("25.12", "tomorrow")."""

    async def take(self, answer: Answer, view: FlowView, draft: Any) -> Any:
        if answer.choice is None and answer.command is None:
            typed = typed_day(answer.text, await _today(view), view.t.locale)
            if typed is not None:
                answer = replace(answer, choice=typed.isoformat())
        return await super().take(answer, view, draft)


async def _free_days(view: FlowView) -> list[Choice]:
    """Every day with free time within the horizon, looking two weeks at a time."""
    screen, data = _screen(view), view.data
    today = await _today(view)
    horizon = screen.options.horizon_days
    found: list[date] = []
    for offset in range(0, horizon, 14):
        days = [today + timedelta(days=n) for n in range(offset, min(offset + 14, horizon))]
        found += await screen.cache.free_days(
            screen.ctx.db,
            location_id=int(_chosen(data, "location")),
            service_id=int(_chosen(data, "service")),
            specialist_id=_specialist(data),
            days=days,
            after=screen.now,
        )
    return [Choice(day_label(day, view.t.locale), day.isoformat()) for day in found]


async def _ask_day(view: FlowView) -> str:
    if not await _free_days(view):
        return view.t(
            N_(
                "Sorry, there is no free time in the next {days} days. "
                "Please go back and choose another specialist or service."
            ),
            days=_screen(view).options.horizon_days,
        )
    return view.t(N_("Which day? These days have free time (or type a date, e.g. 25.12):"))


@dataclass(frozen=True, kw_only=True)
class FreeTime(Select):
    """A free start on the chosen day, pressed or typed ("9.45"); after a time was taken
    meanwhile, one of the nearest free times the completion left as the draft."""

    async def keyboard(self, view: FlowView, draft: Any, *, channel: str) -> list[list[Button]]:
        if not isinstance(draft, list):
            return await super().keyboard(view, draft, channel=channel)
        tz = await _zone(_screen(view), view.data)
        nearest = [
            self.button(Choice(when(cell_start(int(cell)), tz, view.t.locale), str(cell)), view)
            for cell in draft
        ]
        return rows_of(nearest, 2)

    async def take(self, answer: Answer, view: FlowView, draft: Any) -> Any:
        if answer.choice is None and answer.command is None:
            minutes = parse_time(answer.text)
            if minutes is not None:
                tz = await _zone(_screen(view), view.data)
                day = date.fromisoformat(str(view.data["day"]))
                answer = replace(answer, choice=str(cell_at(local_moment(day, minutes, tz))))
        if not isinstance(draft, list):
            return await super().take(answer, view, draft)
        if answer.choice is not None and answer.choice in {str(cell) for cell in draft}:
            return answer.choice
        raise Invalid(self.unknown)


async def _free_times(view: FlowView) -> list[Choice]:
    screen, data = _screen(view), view.data
    tz = await _zone(screen, data)
    starts = await screen.cache.starts(
        screen.ctx.db,
        location_id=int(_chosen(data, "location")),
        service_id=int(_chosen(data, "service")),
        specialist_id=_specialist(data),
        day=date.fromisoformat(str(data["day"])),
        after=screen.now,
        ignore=await _own_cells(screen, data),
    )
    if _mode(data) == "move":
        booking = await screen.ctx.db.get(Booking, int(data["booking"]))
        current = cell_at(booking.starts_at) if booking is not None else None
        starts = [s for s in starts if s.cell != current]
    return [Choice(clock(s.at, tz), str(s.cell)) for s in starts]


async def _ask_time(view: FlowView) -> str:
    db, t = _screen(view).ctx.db, view.t
    day = day_label(date.fromisoformat(str(view.data["day"])), t.locale)
    if not await _free_times(view):
        return t(
            N_("There is no free time left on {day}. Please go back and choose another day."),
            day=day,
        )
    location = await db.get(Location, int(_chosen(view.data, "location")))
    assert location is not None
    return t(N_("Free times on {day} (local time of {location}):"), day=day, location=location.name)


# -- confirming and booking ---------------------------------------------------------------------
async def _summary(view: FlowView) -> str:
    db, t, data = _screen(view).ctx.db, view.t, view.data
    location = await db.get(Location, int(_chosen(data, "location")))
    service = await db.get(Service, int(_chosen(data, "service")))
    client = await db.get(User, int(_chosen(data, "client")))
    assert location is not None and service is not None and client is not None
    specialist_id = _specialist(data)
    if specialist_id is None:
        who = t(N_("any free specialist"))
    else:
        specialist = await db.get(Specialist, specialist_id)
        who = specialist.name if specialist is not None else "?"
    tz = ZoneInfo(location.timezone)
    lines = [
        t(N_("Please check:")),
        t(
            N_("Service: {service}, {minutes} min"),
            service=service.name,
            minutes=service.duration_min,
        ),
        t(N_("Specialist: {name}"), name=who),
        t(N_("Where: {location}, {address}"), location=location.name, address=location.address),
        t(N_("When: {when}"), when=when(cell_start(int(data["time"])), tz, t.locale)),
        t(N_("Price: {price}"), price=_price_of(service, t)),
    ]
    if _mode(data) == "admin":
        lines.insert(1, t(N_("Client: {name}"), name=display_name(client)))
    if _mode(data) == "move":
        booking = await db.get(Booking, int(data["booking"]))
        if booking is not None:
            moving = when(booking.starts_at, tz, t.locale)
            lines.insert(1, t(N_("Moving from: {when}"), when=moving))
    return "\n".join(lines)


async def _book(ctx: Context, data: dict[str, Any]) -> None:
    """Make (or move) the booking; a time taken meanwhile reopens the time step."""
    screen = screen_of(ctx)
    start = cell_start(int(data["time"]))
    bookings = screen.bookings()
    mode = _mode(data)
    try:
        if mode == "move":
            result = await bookings.reschedule(screen.actor, int(data["booking"]), start)
        else:
            confirmed = screen.actor.is_admin or screen.options.auto_confirm
            request = Request(
                client_id=int(_chosen(data, "client")),
                location_id=int(_chosen(data, "location")),
                service_id=int(_chosen(data, "service")),
                specialist_id=_specialist(data),
                start=start,
            )
            result = await bookings.create(
                screen.actor, request, status="confirmed" if confirmed else "pending"
            )
    except Refused as refused:
        values = {k: ctx.t(v) if isinstance(v, str) else v for k, v in refused.values.items()}
        raise Reopen("time", ctx.t(refused.message, **values)) from None
    if isinstance(result, Taken):
        raise _taken(result)
    view = await booking_view(ctx.db, result.id)
    assert view is not None
    if mode == "move":
        text = N_("Done, booking {number} is moved to {when}.")
    elif mode == "admin":
        text = N_("Booked for {client}: {service}, {when} with {specialist}. Number {number}.")
    elif result.status == "pending":
        text = N_(
            "Thank you! Your booking {number} ({service}, {when}) waits for the "
            "administrator's confirmation; we will write to you here."
        )
    else:
        text = N_(
            "You are booked! {service}, {when} with {specialist}.\n"
            "{location}, {address}.\nBooking number {number}. We look forward to seeing you."
        )
    screen.say(ctx.t(text, **view.values(ctx.t)), buttons=menu_buttons(screen))


def _taken(taken: Taken) -> Reopen:
    nearest = [start.cell for start in taken.alternatives]
    if not nearest:
        notice = N_(
            "Sorry, this time was just taken, and there is no other free time "
            "in the next two weeks."
        )
    else:
        notice = N_("Sorry, this time was just taken. Here are the nearest free times:")
    return Reopen("time", notice, draft=nearest, prompt=False)


async def _cancelled(ctx: Context, data: dict[str, Any]) -> None:
    screen = screen_of(ctx)
    if _mode(data) == "move":
        text = N_("All right, the booking stays as it was.")
    else:
        text = N_("All right, nothing was booked.")
    screen.say(ctx.t(text), buttons=menu_buttons(screen))


FLOW = Flow(
    name="booking",
    steps=[
        ClientSearch("client", WHO_FOR, when=_for_a_client),
        Step(
            "name",
            N_("How may we call you? Please type your name."),
            clean_name,
            when=_without_a_name,
            check=_remember_name,
        ),
        Pick("location", _ask_location, choices=_locations, when=_picks_a_place),
        Pick("service", _ask_service, choices=_services, when=_picks_a_service),
        Pick(
            "specialist",
            N_("Who would you like to see?"),
            choices=_specialists,
            when=_picks_a_service,
        ),
        FreeDay(
            "day",
            _ask_day,
            choices=_free_days,
            unknown=N_("Sorry, there is no free time on that day. Please choose an offered day."),
            page_size=DAYS_PER_PAGE,
            more_label=N_("Later dates"),
        ),
        FreeTime(
            "time",
            _ask_time,
            choices=_free_times,
            unknown=N_("Sorry, that time is not free. Please choose one of the offered times."),
        ),
    ],
    on_complete=_book,
    summary=_summary,
    confirm_label=N_("Confirm"),
    on_cancel=_cancelled,
    offer_form=False,
)


async def begin(
    screen: Screen, mode: Mode, *, booking_id: int | None = None, client: int | None = None
) -> None:
    """Open the dialog in `mode`; `client` is the one an administrator has just added."""
    db = screen.ctx.db
    given: dict[str, Any] = {}
    seed: dict[str, Any] = {"mode": mode, "given": given}
    if mode == "self":
        given["client"] = screen.user.id
    if mode == "move":
        booking = await db.get(Booking, booking_id) if booking_id is not None else None
        if booking is None:
            raise Refused(N_("There is no booking with that number."))
        screen.bookings().may_change(screen.actor, booking)
        seed["booking"] = booking.id
        given.update(
            client=booking.client_id,
            location=booking.location_id,
            service=booking.service_id,
            specialist=booking.specialist_id,
        )
    else:
        places = await active_locations(db)
        if len(places) == 1:
            given["location"] = places[0].id
    if client is not None:
        seed["client"] = client
    await FLOW.start(screen.ctx, **seed)
