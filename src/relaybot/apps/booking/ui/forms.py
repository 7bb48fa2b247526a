"""The administrator's forms (and the new-client form): each a `Flow`, seeded by its button.

Completing a form re-checks the actor's role, like every other action, and may leave a
follow-up screen to show once the form has closed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from functools import partial
from typing import Any

from sqlalchemy import func, select

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
from ..render import WEEKDAYS, day_label, price
from . import admin, edit, wizard
from .lists import DAY_OFF, span
from .screen import Screen, after_form, screen_of

Completion = Callable[[Screen, dict[str, Any]], Awaitable[str]]


def _completion(action: Completion) -> Callable[[Context, dict[str, Any]], Awaitable[None]]:
    """Say the action's outcome (or its refusal) with the way back to the menu."""

    async def complete(ctx: Context, data: dict[str, Any]) -> None:
        screen = screen_of(ctx)
        try:
            said = await action(screen, data)
        except Refused as refused:
            screen.refuse(refused)
            return
        screen.say(said, buttons=[screen.menu_button()])

    return complete


async def _cancelled(ctx: Context, data: dict[str, Any]) -> None:
    screen = screen_of(ctx)
    screen.say(ctx.t(N_("All right, nothing was changed.")), buttons=[screen.menu_button()])


# -- completions --------------------------------------------------------------------------------
async def _add_location(screen: Screen, data: dict[str, Any]) -> str:
    location = await screen.catalog().add_location(
        name=data["name"], address=data["address"], timezone=data["timezone"]
    )
    after_form(admin.locations)
    return screen.t(N_("Location “{name}” is added."), name=location.name)


async def _add_service(screen: Screen, data: dict[str, Any]) -> str:
    service = await screen.catalog().add_service(
        name=data["name"],
        duration_min=data["duration"],
        price_minor=data["price"]["minor"],
        currency=data["price"]["currency"],
    )
    after_form(admin.services)
    return screen.t(N_("Service “{name}” is added."), name=service.name)


async def _add_specialist(screen: Screen, data: dict[str, Any]) -> str:
    specialist = await screen.catalog().add_specialist(name=data["name"])
    after_form(partial(admin.specialist, specialist_id=specialist.id))
    return screen.t(
        N_("Specialist {name} is added. Now choose their services and working hours."),
        name=specialist.name,
    )


async def _set_hours(screen: Screen, data: dict[str, Any]) -> str:
    hours = data["hours"]
    await screen.catalog().set_hours(
        int(data["specialist"]),
        int(data["location"]),
        weekdays=hours["weekdays"],
        intervals=[tuple(i) for i in hours["intervals"]],
    )
    after_form(partial(admin.specialist, specialist_id=int(data["specialist"])))
    return screen.t(N_("Working hours are saved."))


async def _set_exception(screen: Screen, data: dict[str, Any]) -> str:
    change = data["change"]
    await screen.catalog().set_exception(
        int(data["specialist"]),
        int(data["location"]),
        day=date.fromisoformat(change["day"]),
        intervals=[tuple(i) for i in change["intervals"]],
    )
    after_form(partial(admin.specialist, specialist_id=int(data["specialist"])))
    return screen.t(N_("The change for that day is saved."))


async def _add_client(screen: Screen, data: dict[str, Any]) -> str:
    client = await screen.catalog().add_client(name=data["name"], phone=data["phone"])
    after_form(partial(wizard.begin, mode="admin", client=client.id))  # back to booking for them
    return screen.t(N_("Client {name} is added."), name=client.name)


async def _add_ad(screen: Screen, data: dict[str, Any]) -> str:
    await screen.catalog().add_ad(data["text"])
    after_form(admin.ads)
    return screen.t(N_("The ad text is saved. Attach it to notifications in Notifications."))


async def _announce(screen: Screen, data: dict[str, Any]) -> str:
    if not screen.actor.is_admin:
        raise Refused(N_("Sorry, only an administrator can do that."))
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


EDIT_PROMPTS = {
    "name": N_("The new name?"),
    "address": N_("The new address?"),
    "timezone": N_("The new timezone (e.g. Asia/Bishkek)?"),
    "duration": N_("The new length in minutes (a multiple of 15)? Bookings made keep theirs."),
    "price": N_("The new price (e.g. 1500, or 25 USD)? Bookings made keep theirs."),
    "text": N_("The new ad text (up to 1000 characters)?"),
}


def _edit_prompt(view: FlowView) -> str:
    return view.t(EDIT_PROMPTS[str(view.data.get("field"))])


def _edit_value(text: str, view: FlowView) -> object:
    field = str(view.data.get("field"))
    if field == "price":
        return _price(text, view)
    cleaner: Callable[[str, FlowView], object] = {
        "name": clean_name,
        "address": clean_address,
        "timezone": clean_timezone,
        "duration": clean_duration,
        "text": clean_long_text,
    }[field]
    return cleaner(text, view)


def _edit_display(value: Any, view: FlowView) -> str:
    if isinstance(value, dict):
        return _price_display(value, view)
    return str(value)


async def _edit(screen: Screen, data: dict[str, Any]) -> str:
    """Apply a correction through the catalogue (which checks the role and audits it)."""
    kind, ident, field, value = data["kind"], int(data["id"]), data["field"], data["value"]
    catalog = screen.catalog()
    changes: dict[str, object] = {
        "duration": {"duration_min": value},
        "price": {"price_minor": value["minor"], "currency": value["currency"]}
        if isinstance(value, dict)
        else {},
    }.get(field, {field: value})
    if kind == "location":
        await catalog.edit_location(ident, **changes)
        after_form(partial(edit.location_card, location_id=ident))
    elif kind == "service":
        await catalog.edit_service(ident, **changes)
        after_form(partial(edit.service_card, service_id=ident))
    elif kind == "specialist":
        await catalog.edit_specialist(ident, **changes)
        after_form(partial(admin.specialist, specialist_id=ident))
    else:
        await catalog.edit_ad(ident, str(value))
        after_form(admin.ads)
    return screen.t(N_("Saved."))


# -- the forms ----------------------------------------------------------------------------------
def _price_display(value: Any, view: FlowView) -> str:
    return price(int(value["minor"]), str(value["currency"]), view.t.locale)


def _hours_display(value: Any, view: FlowView) -> str:
    days = ", ".join(view.t(WEEKDAYS[d]) for d in value["weekdays"])
    spans = ", ".join(span(a, b) for a, b in value["intervals"])
    return f"{days}: {spans or view.t(DAY_OFF)}"


def _change_display(value: Any, view: FlowView) -> str:
    spans = ", ".join(span(a, b) for a, b in value["intervals"])
    day = day_label(date.fromisoformat(value["day"]), view.t.locale)
    return f"{day}: {spans or view.t(DAY_OFF)}"


def _exception(text: str, view: FlowView) -> dict[str, object]:
    return DayExceptionCleaner(datetime.now(UTC).date())(text, view)


def _price(text: str, view: FlowView) -> dict[str, object]:
    """A price in the bot's own currency unless another is written."""
    return price_cleaner(screen_of(view.ctx).options.currency)(text, view)


def _phone(text: str, view: FlowView) -> str:
    return PhoneCleaner(screen_of(view.ctx).options.phone_region)(text, view)


def _form(name: str, *steps: Step, done: Completion) -> Flow:
    return Flow(name=name, steps=steps, on_complete=_completion(done), on_cancel=_cancelled)


ZONES = ("Asia/Bishkek", "Asia/Almaty", "Asia/Tashkent", "Europe/Moscow")
LOCATION = _form(
    "add_location",
    Step("name", N_("Name of the new location?"), clean_name, label=N_("Name")),
    Step("address", N_("Its address?"), clean_address, label=N_("Address")),
    Step(
        "timezone",
        N_("Its timezone (e.g. Asia/Bishkek)?"),
        clean_timezone,
        label=N_("Timezone"),
        choices=[Choice(zone, zone) for zone in ZONES],
    ),
    done=_add_location,
)
SERVICE = _form(
    "add_service",
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
        _price,
        label=N_("Price"),
        display=_price_display,
    ),
    done=_add_service,
)
SPECIALIST = _form(
    "add_specialist",
    Step("name", N_("Name of the new specialist?"), clean_name, label=N_("Name")),
    done=_add_specialist,
)
HOURS = _form(
    "working_hours",
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
    ),
    done=_set_hours,
)
DAY = _form(
    "day_hours",
    Step(
        "change",
        lambda view: view.t(
            N_("Write the date and its hours, or “off”, for example: {example}"),
            example=EXCEPTION_EXAMPLE,
        ),
        _exception,
        label=N_("Change"),
        display=_change_display,
    ),
    done=_set_exception,
)
CLIENT = _form(
    "add_client",
    Step("name", N_("The client's name?"), clean_name, label=N_("Name")),
    Step("phone", N_("The client's phone number (or “-” if none)?"), _phone, label=N_("Phone")),
    done=_add_client,
)
AD = _form(
    "add_ad",
    Step(
        "text",
        N_("The ad text to add below notifications (up to 1000 characters)?"),
        clean_long_text,
        label=N_("Ad text"),
    ),
    done=_add_ad,
)
NEWS = _form(
    "announcement",
    Step(
        "text",
        N_("The announcement for all clients (up to 1000 characters)?"),
        clean_long_text,
        label=N_("Announcement"),
    ),
    done=_announce,
)
EDIT = _form(
    "edit",
    Step("value", _edit_prompt, _edit_value, label=N_("New value"), display=_edit_display),
    done=_edit,
)
