"""The booking dialog: (client) -> (place) -> service -> specialist -> day -> time -> confirm.

The same dialog books for oneself, books for a client (an administrator) and moves a booking
(day, time, confirm only). Its current step is derived from what is already chosen, so going
back is forgetting the last answer, and changing an answer forgets the ones after it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from relaybot import N_, Button, Invalid

from ..bookings import Refused, Request, Taken
from ..grid import cell_at, cell_start, local_moment
from ..models import Booking, Cell, Location, Service, Specialist, User
from ..parse import clean_name, parse_date, parse_time, squash
from ..queries import active_locations, find_clients, services_at, specialists_for
from ..render import booking_view, clock, day_label, price, when
from ..users import display_name
from .menu import menu_buttons
from .screen import Screen, rows_of

FLOW = "bk:wizard"
ORDER = ("client", "name", "location", "service", "specialist", "day", "time", "confirm")
DAYS_PER_PAGE = 7
ANY = "any"
_YES = {"yes", "да", "ok", "ок", "confirm", "подтвердить", "y", "д"}
_NO = {"no", "нет", "cancel", "отмена", "n", "н"}


class Wizard:
    def __init__(self, screen: Screen) -> None:
        self.screen = screen
        self.t = screen.t
        self.db = screen.ctx.db

    # -- entry points -------------------------------------------------------------------------
    async def start(self, mode: str, *, booking_id: int | None = None) -> None:
        data: dict[str, Any] = {"mode": mode}
        if mode == "self":
            data["client"] = self.screen.user.id
        if mode == "move":
            assert booking_id is not None
            booking = await self.db.get(Booking, booking_id)
            if booking is None:
                raise Refused(N_("There is no booking with that number."))
            self.screen.bookings().may_change(self.screen.actor, booking)
            data.update(
                booking=booking.id,
                client=booking.client_id,
                location=booking.location_id,
                service=booking.service_id,
                specialist=booking.specialist_id,
            )
        await self.advance(data)

    async def resume(self, data: dict[str, Any]) -> None:
        await self.advance(data)

    async def on_payload(self, parts: list[str]) -> None:
        state = await self.screen.load_state()
        if state is None or state.flow != FLOW:
            self.screen.stale()
            return
        data = dict(state.data)
        action = parts[0] if parts else ""
        value = parts[1] if len(parts) > 1 else ""
        current = await self.current(data)
        if action == "stop":
            await self.stop(data)
        elif action == "back":
            await self.back(data, current)
        elif action == "more" and current == "day":
            data["page"] = int(data.get("page", 0)) + 1
            await self.advance(data)
        elif action == "new" and current == "client":
            from .forms import start_client_form

            await start_client_form(self.screen, data)
        elif action == "ok" and current == "confirm":
            await self.finish(data)
        elif action == current and action in ORDER:
            await self.choose(data, action, value)
        else:
            self.screen.say(self.t(N_("That button is no longer active.")))
            await self.advance(data)

    async def on_text(self, data: dict[str, Any], text: str) -> None:
        current = await self.current(data)
        typed = squash(text)
        lowered = typed.lower()
        if lowered in {"back", "назад"}:
            await self.back(data, current)
            return
        if lowered in _NO and current != "confirm":
            await self.stop(data)
            return
        if current == "client":
            data["query"] = typed[:50]
            await self.advance(data)
        elif current == "name":
            try:
                self.screen.user.name = clean_name(typed)
            except Invalid as invalid:
                self.screen.say(self.t(invalid.message, **invalid.values))
                await self.advance(data)
                return
            data["name"] = True
            await self.advance(data)
        elif current == "confirm":
            if lowered in _YES:
                await self.finish(data)
            elif lowered in _NO:
                await self.stop(data)
            else:
                self.screen.say(self.t(N_("Please press Confirm, or Cancel.")))
                await self.advance(data)
        elif current == "day" and (day := await self._typed_day(data, typed)) is not None:
            await self.choose(data, "day", day.strftime("%Y%m%d"))
        elif current == "time" and (cell := await self._typed_time(data, typed)) is not None:
            await self.choose(data, "time", str(cell))
        else:
            value = dict(data.get("labels", {})).get(lowered)
            if value is None:
                self.screen.say(self.t(N_("Please choose one of the buttons.")))
                await self.advance(data)
                return
            await self.choose(data, current, str(value))

    # -- moving through the steps -------------------------------------------------------------
    def applies(self, step: str, data: dict[str, Any]) -> bool:
        mode = data["mode"]
        if step == "client":
            return bool(mode == "admin")
        if step == "name":
            return bool(mode == "self" and (not self.screen.user.name or "name" in data))
        if step in ("location", "service", "specialist"):
            return bool(mode != "move")
        return True

    async def current(self, data: dict[str, Any]) -> str:
        for step in ORDER:
            if step == "confirm":
                return step
            if not self.applies(step, data) or step in data:
                continue
            if step == "location":
                locations = await active_locations(self.db)
                if len(locations) == 1:
                    data["location"] = locations[0].id
                    data["auto_location"] = True
                    continue
            return step
        return "confirm"

    async def advance(self, data: dict[str, Any], *, note: str | None = None) -> None:
        step = await self.current(data)
        if note:
            self.screen.say(note)
        await self.render(step, data)
        await self.screen.save_state(FLOW, step, data)

    async def back(self, data: dict[str, Any], current: str) -> None:
        answered = [
            s
            for s in ORDER[: ORDER.index(current)]
            if self.applies(s, data)
            and s in data
            and not (s == "location" and data.get("auto_location"))
            and not (data["mode"] == "self" and s == "client")
        ]
        if not answered:
            self.screen.say(self.t(N_("This is the first step.")))
        else:
            self._forget_from(data, answered[-1])
        await self.advance(data)

    async def stop(self, data: dict[str, Any]) -> None:
        await self.screen.clear_state()
        text = (
            N_("All right, the booking stays as it was.")
            if data["mode"] == "move"
            else N_("All right, nothing was booked.")
        )
        self.screen.say(self.t(text), buttons=menu_buttons(self.screen))

    def _forget_from(self, data: dict[str, Any], step: str) -> None:
        for later in ORDER[ORDER.index(step) :]:
            data.pop(later, None)
        if step in ("location", "client", "name"):
            data.pop("auto_location", None)
        if ORDER.index(step) <= ORDER.index("day"):
            data.pop("page", None)
        data.pop("alternatives", None)

    async def choose(self, data: dict[str, Any], step: str, value: str) -> None:
        chosen = await self._validate(data, step, value)
        if chosen is None:
            reason = {
                "day": N_(
                    "Sorry, there is no free time on that day. Please choose an offered day."
                ),
                "time": N_("Sorry, that time is not free. Please choose one of the offered times."),
            }.get(step, N_("That choice is no longer available."))
            self.screen.say(self.t(reason))
            await self.advance(data)
            return
        self._forget_from(data, step)
        data[step] = chosen
        if step == "time":
            location = await self.db.get(Location, data["location"])
            assert location is not None
            data["day"] = cell_start(int(chosen)).astimezone(ZoneInfo(location.timezone)).date()
            data["day"] = data["day"].strftime("%Y%m%d")
        data.pop("query", None)
        await self.advance(data)

    async def _validate(self, data: dict[str, Any], step: str, value: str) -> Any:
        db = self.db
        if step == "client":
            user = await db.get(User, _int(value))
            return user.id if user is not None else None
        if step == "location":
            location = await db.get(Location, _int(value))
            return location.id if location is not None and location.active else None
        if step == "service":
            services = await services_at(db, data["location"])
            return next((s.id for s in services if s.id == _int(value)), None)
        if step == "specialist":
            if value == ANY:
                return ANY
            people = await specialists_for(db, data["location"], data["service"])
            return next((p.id for p in people if p.id == _int(value)), None)
        if step == "day":
            day = _day(value)
            if day is None:
                return None
            free_days = await self._free_days(data, [day])
            return value if free_days else None
        if step == "time":
            cell = _int(value)
            free = await self.screen.cache.is_free(
                db,
                location_id=data["location"],
                service_id=data["service"],
                specialist_id=_specialist(data),
                start=cell_start(cell),
                after=self.screen.now,
                ignore=await self._own_cells(data),
            )
            return str(cell) if free else None
        return None

    # -- finishing ----------------------------------------------------------------------------
    async def finish(self, data: dict[str, Any]) -> None:
        screen = self.screen
        start = cell_start(int(data["time"]))
        bookings = screen.bookings()
        try:
            if data["mode"] == "move":
                result = await bookings.reschedule(screen.actor, int(data["booking"]), start)
            else:
                status = (
                    "confirmed"
                    if screen.actor.is_admin or screen.options.auto_confirm
                    else "pending"
                )
                request = Request(
                    client_id=int(data["client"]),
                    location_id=int(data["location"]),
                    service_id=int(data["service"]),
                    specialist_id=_specialist(data),
                    start=start,
                )
                result = await bookings.create(screen.actor, request, status=status)
        except Refused as refused:
            data.pop("time", None)
            reason = {k: self.t(v) if isinstance(v, str) else v for k, v in refused.values.items()}
            await self.advance(data, note=self.t(refused.message, **reason))
            return
        if isinstance(result, Taken):
            await self._offer_alternatives(data, result)
            return
        await screen.clear_state()
        view = await booking_view(self.db, result.id)
        assert view is not None
        values = view.values(self.t)
        if data["mode"] == "move":
            text = N_("Done, booking {number} is moved to {when}.")
        elif data["mode"] == "admin":
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
        screen.say(self.t(text, **values), buttons=menu_buttons(screen))

    async def _offer_alternatives(self, data: dict[str, Any], taken: Taken) -> None:
        data.pop("time", None)
        data["alternatives"] = [s.cell for s in taken.alternatives]
        step = await self.current(data)
        await self.screen.save_state(FLOW, step, data)
        location = await self.db.get(Location, data["location"])
        assert location is not None
        tz = ZoneInfo(location.timezone)
        if not taken.alternatives:
            self.screen.say(
                self.t(
                    N_(
                        "Sorry, this time was just taken, and there is no other free time "
                        "in the next two weeks."
                    )
                ),
                buttons=[self._nav(first=False)],
            )
            return
        buttons = [
            Button(when(s.at, tz, self.t.locale), f"bk:w:time:{s.cell}") for s in taken.alternatives
        ]
        self.screen.say(
            self.t(N_("Sorry, this time was just taken. Here are the nearest free times:")),
            buttons=[*rows_of(buttons, 2), self._nav(first=False)],
        )

    # -- rendering ----------------------------------------------------------------------------
    def _nav(self, *, first: bool) -> list[Button]:
        row = [self.screen.button(N_("Cancel"), "bk:w:stop")]
        if not first:
            row.insert(0, self.screen.button(N_("Back"), "bk:w:back"))
        return row

    def _is_first(self, step: str, data: dict[str, Any]) -> bool:
        for earlier in ORDER[: ORDER.index(step)]:
            if not self.applies(earlier, data):
                continue
            if earlier == "location" and data.get("auto_location"):
                continue
            if earlier == "client" and data["mode"] == "self":
                continue
            return False
        return True

    async def render(self, step: str, data: dict[str, Any]) -> None:
        labels: dict[str, str] = {}
        text, choices, extra = await getattr(self, f"_render_{step}")(data)
        for button in choices:
            labels[button.text.lower()] = button.payload.rsplit(":", 1)[-1]
        data["labels"] = labels
        width = 4 if step == "time" else 2 if step == "day" else 1
        rows = [*rows_of(choices, width), *extra, self._nav(first=self._is_first(step, data))]
        self.screen.say(text, buttons=rows)

    async def _render_client(self, data: dict[str, Any]) -> tuple[str, list[Button], list[Any]]:
        query = data.get("query")
        clients = await find_clients(self.db, query)
        if query and not clients:
            text = self.t(
                N_("Nobody found for “{query}”. Type another name or phone."), query=query
            )
        else:
            text = self.t(
                N_("Who is the booking for? Choose a client, or type a name or phone to search.")
            )
        choices = [
            Button(
                f"{display_name(c)} · {c.phone}" if c.phone else display_name(c),
                f"bk:w:client:{c.id}",
            )
            for c in clients
        ]
        return text, choices, [[self.screen.button(N_("New client"), "bk:w:new")]]

    async def _render_name(self, data: dict[str, Any]) -> tuple[str, list[Button], list[Any]]:
        return self.t(N_("How may we call you? Please type your name.")), [], []

    async def _render_location(self, data: dict[str, Any]) -> tuple[str, list[Button], list[Any]]:
        choices = [
            Button(
                f"{loc.name}, {loc.address}" if loc.address else loc.name, f"bk:w:location:{loc.id}"
            )
            for loc in await active_locations(self.db)
        ]
        if not choices:
            return self.t(N_("Sorry, we do not take bookings at the moment.")), [], []
        return self.t(N_("Where would you like to come?")), choices, []

    async def _render_service(self, data: dict[str, Any]) -> tuple[str, list[Button], list[Any]]:
        locale = self.t.locale
        choices = [
            Button(
                self.t(
                    N_("{name} · {minutes} min · {price}"),
                    name=s.name,
                    minutes=s.duration_min,
                    price=price(s.price_minor, s.currency, locale),
                ),
                f"bk:w:service:{s.id}",
            )
            for s in await services_at(self.db, data["location"])
        ]
        if not choices:
            return self.t(N_("Sorry, no services can be booked here at the moment.")), [], []
        return self.t(N_("Which service would you like?")), choices, []

    async def _render_specialist(self, data: dict[str, Any]) -> tuple[str, list[Button], list[Any]]:
        people = await specialists_for(self.db, data["location"], data["service"])
        choices = [self.screen.button(N_("Any specialist"), f"bk:w:specialist:{ANY}")]
        choices += [Button(p.name, f"bk:w:specialist:{p.id}") for p in people]
        return self.t(N_("Who would you like to see?")), choices, []

    async def _render_day(self, data: dict[str, Any]) -> tuple[str, list[Button], list[Any]]:
        page = int(data.get("page", 0))
        free = await self._first_free_days(data, (page + 1) * DAYS_PER_PAGE + 1)
        shown = free[page * DAYS_PER_PAGE : (page + 1) * DAYS_PER_PAGE]
        if not shown and page:
            data["page"] = page = 0
            shown = free[:DAYS_PER_PAGE]
        if not shown:
            text = self.t(
                N_(
                    "Sorry, there is no free time in the next {days} days. "
                    "Please go back and choose another specialist or service."
                ),
                days=self.screen.options.horizon_days,
            )
            return text, [], []
        choices = [Button(day_label(day, self.t.locale), f"bk:w:day:{day:%Y%m%d}") for day in shown]
        extra: list[Any] = []
        if len(free) > (page + 1) * DAYS_PER_PAGE:
            extra.append([self.screen.button(N_("Later dates"), "bk:w:more")])
        text = self.t(N_("Which day? These days have free time (or type a date, e.g. 25.12):"))
        return text, choices, extra

    async def _render_time(self, data: dict[str, Any]) -> tuple[str, list[Button], list[Any]]:
        tz = await self._tz(data)
        day = _day(str(data["day"]))
        assert day is not None
        starts = await self.screen.cache.starts(
            self.db,
            location_id=data["location"],
            service_id=data["service"],
            specialist_id=_specialist(data),
            day=day,
            after=self.screen.now,
            ignore=await self._own_cells(data),
        )
        if data["mode"] == "move":
            booking = await self.db.get(Booking, int(data["booking"]))
            current = cell_at(booking.starts_at) if booking is not None else None
            starts = [s for s in starts if s.cell != current]
        location = await self.db.get(Location, data["location"])
        assert location is not None
        choices = [Button(clock(s.at, tz), f"bk:w:time:{s.cell}") for s in starts]
        if not choices:
            text = self.t(
                N_("There is no free time left on {day}. Please go back and choose another day."),
                day=day_label(day, self.t.locale),
            )
            return text, [], []
        text = self.t(
            N_("Free times on {day} (local time of {location}):"),
            day=day_label(day, self.t.locale),
            location=location.name,
        )
        return text, choices, []

    async def _render_confirm(self, data: dict[str, Any]) -> tuple[str, list[Button], list[Any]]:
        db, t = self.db, self.t
        location = await db.get(Location, data["location"])
        service = await db.get(Service, data["service"])
        client = await db.get(User, data["client"])
        assert location is not None and service is not None and client is not None
        specialist_id = _specialist(data)
        if specialist_id is None:
            who = t(N_("any free specialist"))
        else:
            specialist = await db.get(Specialist, specialist_id)
            who = specialist.name if specialist is not None else "?"
        tz = ZoneInfo(location.timezone)
        start = cell_start(int(data["time"]))
        lines = [
            t(N_("Please check:")),
            t(
                N_("Service: {service}, {minutes} min"),
                service=service.name,
                minutes=service.duration_min,
            ),
            t(N_("Specialist: {name}"), name=who),
            t(N_("Where: {location}, {address}"), location=location.name, address=location.address),
            t(N_("When: {when}"), when=when(start, tz, t.locale)),
            t(N_("Price: {price}"), price=price(service.price_minor, service.currency, t.locale)),
        ]
        if data["mode"] == "admin":
            lines.insert(1, t(N_("Client: {name}"), name=display_name(client)))
        if data["mode"] == "move":
            booking = await db.get(Booking, data["booking"])
            if booking is not None:
                lines.insert(
                    1, t(N_("Moving from: {when}"), when=when(booking.starts_at, tz, t.locale))
                )
        confirm = [self.screen.button(N_("Confirm"), "bk:w:ok")]
        return "\n".join(lines), [], [confirm]

    # -- helpers ------------------------------------------------------------------------------
    async def _tz(self, data: dict[str, Any]) -> ZoneInfo:
        location = await self.db.get(Location, data["location"])
        assert location is not None
        return ZoneInfo(location.timezone)

    async def _first_free_days(self, data: dict[str, Any], wanted: int) -> list[date]:
        """The first `wanted` days with free time, looking two weeks at a time."""
        tz = await self._tz(data)
        today = self.screen.now.astimezone(tz).date()
        horizon = self.screen.options.horizon_days
        found: list[date] = []
        for offset in range(0, horizon, 14):
            days = [today + timedelta(days=n) for n in range(offset, min(offset + 14, horizon))]
            found.extend(await self._free_days(data, days))
            if len(found) >= wanted:
                break
        return found

    async def _free_days(self, data: dict[str, Any], days: list[date]) -> list[date]:
        tz = await self._tz(data)
        today = self.screen.now.astimezone(tz).date()
        last = today + timedelta(days=self.screen.options.horizon_days - 1)
        days = [d for d in days if today <= d <= last]
        if not days:
            return []
        return await self.screen.cache.free_days(
            self.db,
            location_id=data["location"],
            service_id=data["service"],
            specialist_id=_specialist(data),
            days=days,
            after=self.screen.now,
        )

    async def _own_cells(self, data: dict[str, Any]) -> list[int]:
        if data["mode"] != "move":
            return []
        return list(
            await self.db.scalars(select(Cell.cell).where(Cell.booking_id == int(data["booking"])))
        )

    async def _typed_day(self, data: dict[str, Any], text: str) -> date | None:
        tz = await self._tz(data)
        return parse_date(text, self.screen.now.astimezone(tz).date())

    async def _typed_time(self, data: dict[str, Any], text: str) -> int | None:
        minutes = parse_time(text)
        day = _day(str(data.get("day", "")))
        if minutes is None or day is None:
            return None
        tz = await self._tz(data)
        return cell_at(local_moment(day, minutes, tz))


def _int(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        return -1


def _day(value: str) -> date | None:
    try:
        return datetime.strptime(value, "%Y%m%d").date()
    except ValueError:
        return None


def _specialist(data: dict[str, Any]) -> int | None:
    value = data.get("specialist")
    return None if value in (None, ANY) else int(value)
