"""The booking back office in the console: a day's bookings per specialist, cancelling one
(the client and the specialist are told, as when it is cancelled in the chat), and the
catalogue's services and specialists switched on and off."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from datetime import time as day_time
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import aliased

from relaybot import (
    N_,
    Address,
    Attachment,
    BotConfig,
    Button,
    ButtonsSpec,
    OutgoingMessage,
    PanelAction,
    PanelActor,
    PanelColumn,
    PanelField,
    PanelFilter,
    PanelQuery,
    PanelRefused,
    PanelRows,
    PanelSection,
    PanelTable,
    SessionMaker,
    Settings,
    audit,
    broadcast,
    panel_page,
    panel_row_id,
    translator,
)

from .bookings import Bookings, Refused
from .catalog import Catalog
from .models import Booking, Service, Specialist, User
from .notifications import Notifier
from .render import STATUS_NAMES
from .slots import SlotCache
from .users import Actor, booking_bots

NOTICE_RATE = 30.0
DURATIONS = (15, 30, 45, 60, 90, 120)
MAX_PRICE_MINOR = 10**12
FIRST_HOUR, LAST_HOUR = 8, 20  # the calendar's columns; earlier and later go to the ends


class _Outbox:
    """An `Outlet` that keeps what the booking rules send, to write it with the change."""

    def __init__(self) -> None:
        self.messages: list[tuple[Address, OutgoingMessage]] = []

    def send(
        self,
        to: Address,
        text: str,
        *,
        buttons: ButtonsSpec = None,
        media: Sequence[Attachment] = (),
    ) -> None:
        self.messages.append(
            (to, OutgoingMessage(text=text, buttons=_rows(buttons), media=tuple(media)))
        )


def _rows(buttons: ButtonsSpec) -> tuple[tuple[Button, ...], ...]:
    """Buttons as rows, a flat list being one button a row (as `Context.send` takes them)."""
    return tuple((item,) if isinstance(item, Button) else tuple(item) for item in (buttons or ()))


def _console_admin(who: PanelActor) -> Actor:
    """The operator, as the booking rules see them: an administrator who is no chat user."""
    return Actor(User(id=None, name=who.actor, role="admin"))


def _day_bounds(value: str, zone: str) -> tuple[datetime, datetime] | None:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    start = datetime.combine(day, day_time(0), ZoneInfo(zone)).astimezone(UTC)
    return start, start + timedelta(days=1)


def panel(settings: Settings, sessions: SessionMaker) -> PanelSection:
    cache = SlotCache()

    def bots() -> dict[str, BotConfig]:
        names = booking_bots(settings)
        found = {b.name: b for b in settings.bots if b.name in names}
        for name in names - set(found):
            found[name] = BotConfig(name=name, app="booking", channel="webchat")
        return found

    async def day(asked: PanelQuery) -> PanelRows:
        client = aliased(User)
        conditions: list[ColumnElement[bool]] = []
        if "day" in asked.filters:
            bounds = _day_bounds(asked.filters["day"], asked.time_zone)
            if bounds is None:
                raise PanelRefused(N_("A day is written as 2026-12-31."))
            conditions += [Booking.starts_at >= bounds[0], Booking.starts_at < bounds[1]]
        if "specialist" in asked.filters:
            wanted = panel_row_id(asked.filters["specialist"])
            conditions.append(Booking.specialist_id == (wanted if wanted is not None else -1))
        if "status" in asked.filters:
            conditions.append(Booking.status == asked.filters["status"])
        sorts = {
            "id": Booking.id,
            "starts_at": Booking.starts_at,
            "status": Booking.status,
            "specialist": Specialist.name,
        }
        query = (
            select(Booking, Specialist.name, Service.name, client.name, client.phone)
            .join(Specialist, Specialist.id == Booking.specialist_id)
            .join(Service, Service.id == Booking.service_id)
            .join(client, client.id == Booking.client_id)
        )
        rows, total = await _page(sessions, query, conditions, asked, sorts)
        return PanelRows(
            [
                {
                    "id": b.id,
                    "starts_at": b.starts_at,
                    "ends_at": b.ends_at,
                    "specialist": specialist,
                    "service": service,
                    "client": name,
                    "phone": phone,
                    "status": STATUS_NAMES.get(b.status, b.status),
                    "state": b.status,
                }
                for b, specialist, service, name, phone in rows
            ],
            total,
        )

    async def cancel(key: str, _values: Mapping[str, str], who: PanelActor) -> str:
        number = panel_row_id(key)
        t = translator(who.locale)
        if number is None:
            raise PanelRefused(t(N_("There is no such booking.")))
        outbox = _Outbox()
        actor = _console_admin(who)
        try:
            async with sessions() as session, session.begin():
                notifier = Notifier(outbox, default_locale=settings.default_locale, bots=bots())
                now = datetime.now(UTC)
                booking = await Bookings(session, cache, notifier, now=now).cancel(actor, number)
                await audit(
                    session,
                    actor=who.actor,
                    channel="console",
                    action="booking.cancel",
                    target=str(booking.id),
                )
                await broadcast(
                    session,
                    outbox.messages,
                    bots=bots(),
                    rate=NOTICE_RATE,
                    now=time.time(),
                    key="booking:console",
                )
        except Refused as refused:
            raise PanelRefused(
                t(refused.message, **{k: t(str(v)) for k, v in refused.values.items()})
            ) from None
        return t(
            N_("Booking No. {number} is cancelled; {count} people are told."),
            number=number,
            count=len(outbox.messages),
        )

    async def calendar(asked: PanelQuery) -> PanelRows:
        """One row per specialist, one column per hour of the day the operator chose (today in
        their zone by default), each booking in the hour it starts."""
        zone = ZoneInfo(asked.time_zone)
        wanted = asked.filters.get("day") or datetime.now(zone).date().isoformat()
        bounds = _day_bounds(wanted, asked.time_zone)
        if bounds is None:
            raise PanelRefused(N_("A day is written as 2026-12-31."))
        sorts = {"name": Specialist.name}
        people, total = await panel_page(
            sessions, select(Specialist), [], asked, sorts, Specialist.id
        )
        rows: dict[int, dict[str, object]] = {
            p.id: {"id": p.id, "name": p.name, "day": wanted} for p in people
        }
        async with sessions() as session:
            found = await session.execute(
                select(Booking, Service.name)
                .join(Service, Service.id == Booking.service_id)
                .where(
                    Booking.specialist_id.in_(list(rows)),
                    Booking.starts_at >= bounds[0],
                    Booking.starts_at < bounds[1],
                    Booking.status.in_(("pending", "confirmed", "done", "no_show")),
                )
                .order_by(Booking.starts_at)
            )
            for booking, service in found:
                local = booking.starts_at.astimezone(zone)
                hour = min(max(local.hour, FIRST_HOUR), LAST_HOUR)
                cell = f"{local:%H:%M} {service} (No. {booking.id})"
                row = rows[booking.specialist_id]
                key = f"h{hour:02d}"
                row[key] = f"{row[key]}; {cell}" if key in row else cell
        return PanelRows(list(rows.values()), total)

    async def services(asked: PanelQuery) -> PanelRows:
        sorts = {"id": Service.id, "name": Service.name, "duration_min": Service.duration_min}
        rows, total = await panel_page(sessions, select(Service), [], asked, sorts, Service.id)
        return PanelRows(
            [
                {
                    "id": s.id,
                    "name": s.name,
                    "duration_min": s.duration_min,
                    "price": f"{s.price_minor / 100:.2f} {s.currency}",
                    "active": N_("yes") if s.active else N_("no"),
                }
                for s in rows
            ],
            total,
        )

    async def specialists(asked: PanelQuery) -> PanelRows:
        sorts = {"id": Specialist.id, "name": Specialist.name}
        rows, total = await panel_page(
            sessions, select(Specialist), [], asked, sorts, Specialist.id
        )
        return PanelRows(
            [
                {"id": s.id, "name": s.name, "active": N_("yes") if s.active else N_("no")}
                for s in rows
            ],
            total,
        )

    async def add_service(_key: str, values: Mapping[str, str], who: PanelActor) -> str:
        price = values.get("price", "0").replace(",", ".").strip() or "0"
        try:
            minor = round(float(price) * 100)
        except ValueError:
            raise PanelRefused(N_("A price is a number, such as 1500 or 1500.50.")) from None
        if not 0 <= minor <= MAX_PRICE_MINOR:
            raise PanelRefused(N_("A price is a number, such as 1500 or 1500.50."))
        try:
            async with sessions() as session, session.begin():
                item = await Catalog(session, _console_admin(who)).add_service(
                    name=values["name"][:100],
                    duration_min=int(values["duration"]),
                    price_minor=minor,
                    currency="KGS",
                )
                await audit(
                    session,
                    actor=who.actor,
                    channel="console",
                    action="booking.service.add",
                    target=str(item.id),
                    details={"name": item.name},
                )
        except Refused as refused:
            raise PanelRefused(refused.message) from None
        return N_("The service is added.")

    def toggler(kind: str) -> PanelAction:
        async def toggle(key: str, _values: Mapping[str, str], who: PanelActor) -> str:
            number = panel_row_id(key)
            if number is None:
                raise PanelRefused(N_("Nothing was chosen."))
            try:
                async with sessions() as session, session.begin():
                    shop = Catalog(session, _console_admin(who))
                    item = await (
                        shop.toggle_service(number)
                        if kind == "service"
                        else shop.toggle_specialist(number)
                    )
                    await audit(
                        session,
                        actor=who.actor,
                        channel="console",
                        action=f"booking.{kind}.toggle",
                        target=str(number),
                        details={"active": item.active},
                    )
            except Refused as refused:
                raise PanelRefused(refused.message) from None
            return N_("Switched on.") if item.active else N_("Switched off.")

        return PanelAction("toggle", N_("Switch on or off"), toggle)

    return PanelSection(
        app="booking",
        title=N_("Booking"),
        tables=(
            PanelTable(
                name="calendar",
                title=N_("Day by specialist"),
                columns=(
                    PanelColumn("name", N_("Specialist")),
                    PanelColumn("day", N_("Day"), sortable=False),
                    *(
                        PanelColumn(f"h{hour:02d}", f"{hour:02d}:00", sortable=False)
                        for hour in range(FIRST_HOUR, LAST_HOUR + 1)
                    ),
                ),
                fetch=calendar,
                filters=(PanelFilter("day", N_("Day (2026-12-31)")),),
                default_sort="name",
            ),
            PanelTable(
                name="bookings",
                title=N_("Bookings"),
                columns=(
                    PanelColumn("id", N_("No."), kind="number"),
                    PanelColumn("starts_at", N_("Starts"), kind="time"),
                    PanelColumn("ends_at", N_("Ends"), kind="time", sortable=False),
                    PanelColumn("specialist", N_("Specialist")),
                    PanelColumn("service", N_("Service"), sortable=False),
                    PanelColumn("client", N_("Client"), sortable=False, person=True),
                    PanelColumn("phone", N_("Phone"), sortable=False, person=True),
                    PanelColumn("status", N_("Status"), kind="word"),
                ),
                fetch=day,
                filters=(
                    PanelFilter("day", N_("Day (2026-12-31)")),
                    PanelFilter("specialist", N_("Specialist No.")),
                    PanelFilter(
                        "status", N_("Status"), tuple((k, v) for k, v in STATUS_NAMES.items())
                    ),
                ),
                actions=(
                    PanelAction(
                        "cancel",
                        N_("Cancel"),
                        cancel,
                        applies=lambda row: row["state"] in ("pending", "confirmed"),
                    ),
                ),
                default_sort="starts_at",
            ),
            PanelTable(
                name="services",
                title=N_("Services"),
                columns=(
                    PanelColumn("id", N_("No."), kind="number"),
                    PanelColumn("name", N_("Name")),
                    PanelColumn("duration_min", N_("Minutes"), kind="number"),
                    PanelColumn("price", N_("Price"), sortable=False),
                    PanelColumn("active", N_("Offered"), sortable=False, kind="word"),
                ),
                fetch=services,
                actions=(
                    toggler("service"),
                    PanelAction(
                        "add",
                        N_("Add a service"),
                        add_service,
                        fields=(
                            PanelField("name", N_("Name"), max_length=100),
                            PanelField(
                                "duration",
                                N_("Minutes"),
                                choices=tuple((str(m), str(m)) for m in DURATIONS),
                            ),
                            PanelField("price", N_("Price"), max_length=12),
                        ),
                        adds=True,
                    ),
                ),
                default_sort="id",
            ),
            PanelTable(
                name="specialists",
                title=N_("Specialists"),
                columns=(
                    PanelColumn("id", N_("No."), kind="number"),
                    PanelColumn("name", N_("Name")),
                    PanelColumn("active", N_("Working"), sortable=False, kind="word"),
                ),
                fetch=specialists,
                actions=(toggler("specialist"),),
                default_sort="id",
            ),
        ),
    )


async def _page(
    sessions: SessionMaker,
    query: object,
    conditions: list[ColumnElement[bool]],
    asked: PanelQuery,
    sorts: Mapping[str, object],
) -> tuple[list[tuple[Booking, str, str, str, str | None]], int]:
    """`panel_page` for a query of several columns (a booking with its names)."""
    from sqlalchemy import func

    column = sorts.get(asked.sort or "", Booking.id)
    order = column.desc() if asked.descending else column.asc()  # type: ignore[attr-defined]
    tie = Booking.id.desc() if asked.descending else Booking.id.asc()
    filtered = query.where(*conditions)  # type: ignore[attr-defined]
    async with sessions() as session:
        total = await session.scalar(select(func.count()).select_from(filtered.subquery()))
        rows = await session.execute(
            filtered.order_by(order, tie).offset(asked.offset).limit(asked.limit)
        )
        return [tuple(row) for row in rows], int(total or 0)
