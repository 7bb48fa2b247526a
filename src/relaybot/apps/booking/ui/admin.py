"""The administrator's screens: locations, services, specialists, hours, notifications, ads."""

from __future__ import annotations

from typing import cast

from sqlalchemy import select

from relaybot import N_, Button

from ..models import (
    AdTemplate,
    Location,
    NotificationSetting,
    Service,
    Specialist,
    SpecialistService,
)
from ..notifications import EVENT_NAMES, MATRIX, ROLE_NAMES
from ..render import price
from . import payloads as p
from .lists import hours_text
from .screen import Screen, rows_of

ON, OFF = "✓", "✗"
NAME = N_("Name")
ACTIVE, INACTIVE, AD = N_("active"), N_("inactive"), N_("ad")
SERVICE = N_("{mark} {name}, {minutes} min, {price}")
EDIT = N_("Edit: {name}")


def _on(active: bool) -> str:
    return ON if active else OFF


async def locations(screen: Screen) -> None:
    t = screen.t
    rows = list(await screen.ctx.db.scalars(select(Location).order_by(Location.id)))
    lines = [t(N_("Locations:"))] if rows else [t(N_("No locations yet."))]
    buttons: list[list[Button]] = []
    for loc in rows:
        mark = _on(loc.active)
        lines.append(f"{mark} {loc.name}, {loc.address} ({loc.timezone})")
        label = N_("Close: {name}") if loc.active else N_("Open: {name}")
        buttons.append(
            [
                screen.button(label, p.Toggle(kind="location", id=loc.id), name=loc.name),
                screen.button(EDIT, p.ShowLocation(id=loc.id), name=loc.name),
            ]
        )
    buttons.append([screen.button(N_("Add location"), p.AddLocation()), screen.menu_button()])
    screen.say("\n".join(lines), buttons=buttons)


async def services(screen: Screen) -> None:
    t = screen.t
    rows = list(await screen.ctx.db.scalars(select(Service).order_by(Service.id)))
    lines = [t(N_("Services:"))] if rows else [t(N_("No services yet."))]
    buttons: list[list[Button]] = []
    for s in rows:
        mark = _on(s.active)
        cost = price(s.price_minor, s.currency, t.locale)
        lines.append(t(SERVICE, mark=mark, name=s.name, minutes=s.duration_min, price=cost))
        label = N_("Hide: {name}") if s.active else N_("Offer: {name}")
        buttons.append(
            [
                screen.button(label, p.Toggle(kind="service", id=s.id), name=s.name),
                screen.button(EDIT, p.ShowService(id=s.id), name=s.name),
            ]
        )
    buttons.append([screen.button(N_("Add service"), p.AddService()), screen.menu_button()])
    screen.say("\n".join(lines), buttons=buttons)


async def specialists(screen: Screen) -> None:
    t = screen.t
    rows = list(await screen.ctx.db.scalars(select(Specialist).order_by(Specialist.name)))
    text = (
        t(N_("Specialists (choose one to set services and hours):"))
        if rows
        else t(N_("No specialists yet."))
    )
    buttons = [p.ShowSpecialist(id=s.id).button(f"{_on(s.active)} {s.name}") for s in rows]
    screen.say(
        text,
        buttons=[
            *rows_of(buttons, 2),
            [screen.button(N_("Add specialist"), p.AddSpecialist()), screen.menu_button()],
        ],
    )


async def specialist(screen: Screen, specialist_id: int) -> None:
    db, t = screen.ctx.db, screen.t
    person = await db.get(Specialist, specialist_id)
    if person is None:
        screen.say(t(N_("That item no longer exists.")), buttons=[screen.menu_button()])
        return
    offers_of = SpecialistService.specialist_id == specialist_id
    offered = set(await db.scalars(select(SpecialistService.service_id).where(offers_of)))
    all_services = list(await db.scalars(select(Service).where(Service.active.is_(True))))
    places = list(
        await db.scalars(select(Location).where(Location.active.is_(True)).order_by(Location.id))
    )
    state = t(ACTIVE) if person.active else t(INACTIVE)
    lines = [f"{person.name} ({state})"]
    if person.user_id is None and person.invite_code:
        lines.append(
            t(
                N_(
                    "Not signed in yet. Invite code: {code} (they send “/join {code}” to this bot)."
                ),
                code=person.invite_code,
            )
        )
    elif person.user_id is not None:
        lines.append(t(N_("Signed in to the bot.")))
    names = ", ".join(s.name for s in all_services if s.id in offered) or "—"
    lines.append(t(N_("Services:")) + " " + names)
    lines.append(await hours_text(screen, specialist_id))
    b, who = screen.button, specialist_id
    offers = [
        p.ToggleOffer(specialist=who, service=s.id).button(f"{_on(s.id in offered)} {s.name}")
        for s in all_services
    ]
    buttons = rows_of(offers, 2)
    for loc in places:
        hours = p.SetHours(specialist=who, location=loc.id)
        day = p.SetDay(specialist=who, location=loc.id)
        clear = p.ClearHours(specialist=who, location=loc.id)
        buttons.append(
            [
                b(N_("Hours at {place}"), hours, place=loc.name),
                b(N_("One day at {place}"), day, place=loc.name),
            ]
        )
        buttons.append([b(N_("Clear hours at {place}"), clear, place=loc.name)])
    activation = N_("Deactivate") if person.active else N_("Activate")
    buttons.append(
        [
            b(N_("New invite code"), p.NewInvite(specialist=who)),
            b(activation, p.ToggleSpecialist(id=who)),
        ]
    )
    corrections = [
        b(N_("Change: {field}"), p.Edit(kind="specialist", id=who, field="name"), field=t(NAME)),
        b(N_("Delete"), p.Delete(kind="specialist", id=who)),
    ]
    if person.user_id is not None:
        corrections.append(b(N_("Revoke sign-in"), p.RevokeSpecialist(id=who)))
    buttons.append(corrections)
    buttons.append([screen.button(N_("Specialists"), p.Specialists()), screen.menu_button()])
    screen.say("\n".join(lines), buttons=buttons)


async def notifications(screen: Screen) -> None:
    db, t = screen.ctx.db, screen.t
    settings = {
        (s.event, s.recipient_role): s
        for s in await db.scalars(
            select(NotificationSetting).where(NotificationSetting.channel == "*")
        )
    }
    ads = {a.id: a for a in await db.scalars(select(AdTemplate))}
    lines = [t(N_("Who is told what (✓ on, ✗ off); an ad text may be added below a notice:"))]
    buttons: list[list[Button]] = []
    for event_name in MATRIX.events:
        event = cast(p.Event, event_name)
        for role_name in MATRIX.roles_told(event):
            role = cast(p.Role, role_name)
            setting = settings.get((event, role))
            enabled = setting.enabled if setting is not None else True
            ad_id = setting.ad_template_id if setting is not None else None
            name = t(N_("{event} → {role}"), event=t(EVENT_NAMES[event]), role=t(ROLE_NAMES[role]))
            ad = f" + {t(AD)} #{ad_id}" if ad_id in ads else ""
            lines.append(f"{_on(enabled)} {name}{ad}")
            buttons.append(
                [
                    p.ToggleNotice(event=event, role=role).button(f"{_on(enabled)} {name}"),
                    p.CycleNoticeAd(event=event, role=role).button(
                        f"{t(AD)}: #{ad_id}" if ad_id in ads else t(N_("no ad"))
                    ),
                ]
            )
    buttons.append([screen.button(N_("Ad texts"), p.Ads()), screen.menu_button()])
    screen.say("\n".join(lines), buttons=buttons)


async def ads(screen: Screen) -> None:
    t = screen.t
    rows = list(await screen.ctx.db.scalars(select(AdTemplate).order_by(AdTemplate.id)))
    lines = [t(N_("Ad texts:"))] if rows else [t(N_("No ad texts yet."))]
    buttons: list[list[Button]] = []
    for ad in rows:
        lines.append(f"#{ad.id} {_on(ad.active)} {ad.text[:200]}")
        label = N_("Switch off #{number}") if ad.active else N_("Switch on #{number}")
        buttons.append(
            [
                screen.button(label, p.Toggle(kind="ad", id=ad.id), number=ad.id),
                screen.button(
                    N_("Edit #{number}"),
                    p.Edit(kind="ad", id=ad.id, field="text"),
                    number=ad.id,
                ),
                screen.button(N_("Delete #{number}"), p.Delete(kind="ad", id=ad.id), number=ad.id),
            ]
        )
    buttons.append(
        [
            screen.button(N_("Add ad text"), p.AddAd()),
            screen.button(N_("Notifications"), p.Notifications()),
        ]
    )
    buttons.append([screen.menu_button()])
    screen.say("\n".join(lines), buttons=buttons)


async def clear_hours(screen: Screen, specialist_id: int, location_id: int) -> None:
    await screen.catalog().clear_hours(specialist_id, location_id)
    screen.say(screen.t(N_("Working hours at that location are cleared.")))
    await specialist(screen, specialist_id)
