"""Correcting what an administrator entered: a location's or service's card with a button
for each field, deleting what no booking refers to, and taking back roles.

The form that asks for the new value is `forms.EDIT`; the change itself is `Catalog`'s,
which checks the role again and writes the audit entry.
"""

from __future__ import annotations

from sqlalchemy import select

from relaybot import N_, Button

from ..models import Location, Service, User
from ..render import price
from ..users import display_name
from . import admin
from . import payloads as p
from .screen import Screen, rows_of

FIELD_LABELS: dict[p.EditField, str] = {
    "name": N_("Name"),
    "address": N_("Address"),
    "timezone": N_("Timezone"),
    "duration": N_("Length, min"),
    "price": N_("Price"),
    "text": N_("Ad text"),
}
FIELDS: dict[p.Editable, tuple[p.EditField, ...]] = {
    "location": ("name", "address", "timezone"),
    "service": ("name", "duration", "price"),
    "specialist": ("name",),
    "ad": ("text",),
}


def edit_buttons(screen: Screen, kind: p.Editable, ident: int) -> list[list[Button]]:
    """ "Change: Name", "Change: Price", … and "Delete" for one record."""
    t = screen.t
    buttons = [
        p.Edit(kind=kind, id=ident, field=field).button(
            t(N_("Change: {field}"), field=t(FIELD_LABELS[field]))
        )
        for field in FIELDS[kind]
    ]
    rows = rows_of(buttons, 2)
    rows.append([screen.button(N_("Delete"), p.Delete(kind=kind, id=ident))])
    return rows


async def location_card(screen: Screen, location_id: int) -> None:
    t = screen.t
    loc = await screen.catalog().get(Location, location_id)
    state = t(admin.ACTIVE) if loc.active else t(admin.INACTIVE)
    text = f"{loc.name} ({state})\n{loc.address}\n{loc.timezone}"
    label = N_("Close: {name}") if loc.active else N_("Open: {name}")
    buttons = edit_buttons(screen, "location", loc.id)
    buttons.append([screen.button(label, p.Toggle(kind="location", id=loc.id), name=loc.name)])
    buttons.append([screen.button(N_("Locations"), p.Locations()), screen.menu_button()])
    screen.say(text, buttons=buttons)


async def service_card(screen: Screen, service_id: int) -> None:
    t = screen.t
    service = await screen.catalog().get(Service, service_id)
    cost = price(service.price_minor, service.currency, t.locale)
    text = t(
        admin.SERVICE,
        mark=admin._on(service.active),
        name=service.name,
        minutes=service.duration_min,
        price=cost,
    )
    label = N_("Hide: {name}") if service.active else N_("Offer: {name}")
    buttons = edit_buttons(screen, "service", service.id)
    buttons.append(
        [screen.button(label, p.Toggle(kind="service", id=service.id), name=service.name)]
    )
    buttons.append([screen.button(N_("Services"), p.Services()), screen.menu_button()])
    screen.say(text, buttons=buttons)


async def delete(screen: Screen, kind: p.Editable, ident: int) -> None:
    catalog = screen.catalog()
    if kind == "location":
        await catalog.delete_location(ident)
        then = admin.locations
    elif kind == "service":
        await catalog.delete_service(ident)
        then = admin.services
    elif kind == "specialist":
        await catalog.delete_specialist(ident)
        then = admin.specialists
    else:
        await catalog.delete_ad(ident)
        then = admin.ads
    screen.say(screen.t(N_("Deleted.")))
    await then(screen)


async def revoke_specialist(screen: Screen, specialist_id: int) -> None:
    await screen.catalog().revoke_specialist(specialist_id)
    screen.say(
        screen.t(
            N_(
                "That account no longer signs in as this specialist. Their bookings stay; "
                "a new invite code links someone else."
            )
        )
    )
    await admin.specialist(screen, specialist_id)


async def admins(screen: Screen) -> None:
    t = screen.t
    people = list(
        await screen.ctx.db.scalars(select(User).where(User.role == "admin").order_by(User.id))
    )
    lines = [t(N_("Administrators:"))]
    buttons: list[list[Button]] = []
    for person in people:
        lines.append(f"• {display_name(person)}")
        if person.id != screen.user.id:
            buttons.append(
                [
                    screen.button(
                        N_("Revoke: {name}"),
                        p.RevokeAdmin(user=person.id),
                        name=display_name(person),
                    )
                ]
            )
    lines.append(
        t(N_("To add one, run: relaybot booking init-admin --user BOT:CHAT_ID (they send /id)."))
    )
    buttons.append([screen.menu_button()])
    screen.say("\n".join(lines), buttons=buttons)


async def revoke_admin(screen: Screen, user_id: int) -> None:
    person = await screen.catalog().set_role(user_id, "client")
    screen.say(screen.t(N_("{name} is no longer an administrator."), name=display_name(person)))
    await admins(screen)
