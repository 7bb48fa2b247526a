"""Typed forms of the administrator (and the new-client form), on the core's dialog engine.

A form is a `Flow`; values a form needs but does not ask (which specialist, which location)
are put into its state when it starts. Completing a form re-checks the actor's role, like
every other action, and may leave a follow-up screen to show once the form has closed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from datetime import UTC, date, datetime
from typing import Any

from relaybot import N_, Choice, Context, Flow, FlowView, Step

from ..bookings import Refused
from ..models import Broadcast, User
from ..parse import (
    EXCEPTION_EXAMPLE,
    HOURS_EXAMPLE,
    DayExceptionCleaner,
    PhoneCleaner,
    clean_address,
    clean_duration,
    clean_long_text,
    clean_name,
    clean_timezone,
    clean_weekly_hours,
    price_cleaner,
)
from ..render import price
from .lists import DAY_OFF
from .screen import Screen, after_form

CURRENT: ContextVar[Screen] = ContextVar("booking_screen")

Completion = Callable[[Screen, dict[str, Any]], Awaitable[str]]


def _completion(action: Completion) -> Callable[[Context, dict[str, Any]], Awaitable[str]]:
    """Run a form's action for the current screen; a refusal becomes the form's last answer."""

    async def complete(ctx: Context, data: dict[str, Any]) -> str:
        screen = CURRENT.get()
        try:
            return await action(screen, data)
        except Refused as refused:
            values = {k: ctx.t(v) if isinstance(v, str) else v for k, v in refused.values.items()}
            return ctx.t(refused.message, **values)

    return complete


# -- completions --------------------------------------------------------------------------------
async def _add_location(screen: Screen, data: dict[str, Any]) -> str:
    location = await screen.catalog().add_location(
        name=data["name"], address=data["address"], timezone=data["timezone"]
    )
    after_form(_show("locs"))
    return screen.t(N_("Location “{name}” is added."), name=location.name)


async def _add_service(screen: Screen, data: dict[str, Any]) -> str:
    service = await screen.catalog().add_service(
        name=data["name"],
        duration_min=data["duration"],
        price_minor=data["price"]["minor"],
        currency=data["price"]["currency"],
    )
    after_form(_show("svcs"))
    return screen.t(N_("Service “{name}” is added."), name=service.name)


async def _add_specialist(screen: Screen, data: dict[str, Any]) -> str:
    specialist = await screen.catalog().add_specialist(name=data["name"])
    after_form(_show(f"sp:{specialist.id}"))
    return screen.t(
        N_("Specialist {name} is added. Now choose their services and working hours."),
        name=specialist.name,
    )


async def _set_hours(screen: Screen, data: dict[str, Any]) -> str:
    hours = data["hours"]
    await screen.catalog().set_hours(
        int(data["_specialist"]),
        int(data["_location"]),
        weekdays=hours["weekdays"],
        intervals=[tuple(i) for i in hours["intervals"]],
    )
    after_form(_show(f"sp:{data['_specialist']}"))
    return screen.t(N_("Working hours are saved."))


async def _set_exception(screen: Screen, data: dict[str, Any]) -> str:
    change = data["change"]
    await screen.catalog().set_exception(
        int(data["_specialist"]),
        int(data["_location"]),
        day=date.fromisoformat(change["day"]),
        intervals=[tuple(i) for i in change["intervals"]],
    )
    after_form(_show(f"sp:{data['_specialist']}"))
    return screen.t(N_("The change for that day is saved."))


async def _add_client(screen: Screen, data: dict[str, Any]) -> str:
    client = await screen.catalog().add_client(name=data["name"], phone=data["phone"])
    draft = dict(data.get("_draft") or {"mode": "admin"})
    draft["client"] = client.id

    async def resume(next_screen: Screen) -> None:
        from .wizard import Wizard

        await Wizard(next_screen).resume(draft)

    after_form(resume)
    return screen.t(N_("Client {name} is added."), name=client.name)


async def _add_ad(screen: Screen, data: dict[str, Any]) -> str:
    await screen.catalog().add_ad(data["text"])
    after_form(_show("ads"))
    return screen.t(N_("The ad text is saved. Attach it to notifications in Notifications."))


async def _announce(screen: Screen, data: dict[str, Any]) -> str:
    if not screen.actor.is_admin:
        raise Refused(N_("Sorry, only an administrator can do that."))
    from sqlalchemy import func, select

    count = await screen.ctx.db.scalar(
        select(func.count())
        .select_from(User)
        .where(User.role == "client", User.chat_id.is_not(None))
    )
    screen.ctx.db.add(
        Broadcast(text=data["text"], created_by=screen.user.id, created_at=screen.now)
    )
    return screen.t(
        N_(
            "The announcement is queued for {count} clients. It goes out at the channel's pace; "
            "I will tell you when it is done."
        ),
        count=count or 0,
    )


def _show(action: str) -> Callable[[Screen], Awaitable[None]]:
    async def show(screen: Screen) -> None:
        from .router import run_action

        await run_action(screen, action.split(":"))

    return show


# -- the forms ----------------------------------------------------------------------------------
def _price_display(value: Any, view: FlowView) -> str:
    return price(int(value["minor"]), str(value["currency"]), view.t.locale)


def _hours_display(value: Any, view: FlowView) -> str:
    from ..render import WEEKDAYS, minutes_label

    days = ", ".join(view.t(WEEKDAYS[d]) for d in value["weekdays"])
    spans = ", ".join(f"{minutes_label(a)}–{minutes_label(b)}" for a, b in value["intervals"])
    return f"{days}: {spans or view.t(DAY_OFF)}"


def _change_display(value: Any, view: FlowView) -> str:
    from ..render import day_label, minutes_label

    spans = ", ".join(f"{minutes_label(a)}–{minutes_label(b)}" for a, b in value["intervals"])
    day = day_label(date.fromisoformat(value["day"]), view.t.locale)
    return f"{day}: {spans or view.t(DAY_OFF)}"


def _exception(text: str, view: FlowView) -> dict[str, object]:
    return DayExceptionCleaner(datetime.now(UTC).date())(text, view)


def build_forms(*, currency: str, phone_region: str) -> dict[str, Flow]:
    forms = [
        Flow(
            name="bk:f:location",
            steps=[
                Step("name", N_("Name of the new location?"), clean_name, label=N_("Name")),
                Step("address", N_("Its address?"), clean_address, label=N_("Address")),
                Step(
                    "timezone",
                    N_("Its timezone (e.g. Asia/Bishkek)?"),
                    clean_timezone,
                    label=N_("Timezone"),
                    choices=[
                        Choice(zone, zone)
                        for zone in (
                            "Asia/Bishkek",
                            "Asia/Almaty",
                            "Asia/Tashkent",
                            "Europe/Moscow",
                        )
                    ],
                ),
            ],
            on_complete=_completion(_add_location),
        ),
        Flow(
            name="bk:f:service",
            steps=[
                Step("name", N_("Name of the new service?"), clean_name, label=N_("Name")),
                Step(
                    "duration",
                    N_("How long does it take, in minutes (a multiple of 15)?"),
                    clean_duration,
                    label=N_("Length, min"),
                    choices=[Choice(str(m), str(m)) for m in (30, 45, 60, 90)],
                ),
                Step(
                    "price",
                    N_("Its price (e.g. 1500, or 25 USD)?"),
                    price_cleaner(currency),
                    label=N_("Price"),
                    display=_price_display,
                ),
            ],
            on_complete=_completion(_add_service),
        ),
        Flow(
            name="bk:f:specialist",
            steps=[Step("name", N_("Name of the new specialist?"), clean_name, label=N_("Name"))],
            on_complete=_completion(_add_specialist),
        ),
        Flow(
            name="bk:f:hours",
            steps=[
                Step(
                    "hours",
                    lambda view: view.t(
                        N_(
                            "Write the days and hours, for example “{example}”, or “Sun off”. "
                            "The days you name get exactly these hours."
                        ),
                        example=HOURS_EXAMPLE,
                    ),
                    clean_weekly_hours,
                    label=N_("Working hours"),
                    display=_hours_display,
                )
            ],
            on_complete=_completion(_set_hours),
        ),
        Flow(
            name="bk:f:exception",
            steps=[
                Step(
                    "change",
                    lambda view: view.t(
                        N_("Write the date and its hours, or “off”, for example: {example}"),
                        example=EXCEPTION_EXAMPLE,
                    ),
                    _exception,
                    label=N_("Change"),
                    display=_change_display,
                )
            ],
            on_complete=_completion(_set_exception),
        ),
        Flow(
            name="bk:f:client",
            steps=[
                Step("name", N_("The client's name?"), clean_name, label=N_("Name")),
                Step(
                    "phone",
                    N_("The client's phone number (or “-” if none)?"),
                    PhoneCleaner(phone_region),
                    label=N_("Phone"),
                ),
            ],
            on_complete=_completion(_add_client),
        ),
        Flow(
            name="bk:f:ad",
            steps=[
                Step(
                    "text",
                    N_("The ad text to add below notifications (up to 1000 characters)?"),
                    clean_long_text,
                    label=N_("Ad text"),
                )
            ],
            on_complete=_completion(_add_ad),
        ),
        Flow(
            name="bk:f:news",
            steps=[
                Step(
                    "text",
                    N_("The announcement for all clients (up to 1000 characters)?"),
                    clean_long_text,
                    label=N_("Announcement"),
                )
            ],
            on_complete=_completion(_announce),
        ),
    ]
    return {form.name: form for form in forms}


async def start_form(screen: Screen, form: Flow, **seed: Any) -> None:
    """Open `form` and keep `seed` in its state for the completion to use."""
    await form.handle(screen.ctx)
    state = await screen.load_state()
    if state is not None and seed:
        state.data.update(seed)
        update = screen.ctx.update
        await screen.ctx.storage.save(update.bot, update.chat_id, state)


async def start_client_form(screen: Screen, draft: dict[str, Any]) -> None:
    from .router import forms_of

    await start_form(screen, forms_of(screen)["bk:f:client"], _draft=draft)
