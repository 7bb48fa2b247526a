"""Which screen answers an update: the typed commands, every button, the dialogs and forms.

Each handler declares who may use it; the router refuses everyone else politely before
anything runs (the operation itself checks again). A menu button or a command leaves an open
form or dialog; the dialog's own buttons and typed answers go to the dialog.
"""

from __future__ import annotations

from datetime import date

from relaybot import Context, Router, StalePayload

from ..bookings import ADMINS_ONLY
from ..notifications import MATRIX
from . import admin, edit, forms, lists, signin, wizard
from . import payloads as p
from .menu import choose_language, join, show_help, show_identity, show_menu
from .screen import screen_of

STAFF = {"specialist", "admin"}

router = Router()
staff = Router(roles={"admin"}, refusal=ADMINS_ONLY)


@router.roles
async def role_of(ctx: Context) -> set[str]:
    return {screen_of(ctx).actor.role}


# -- everyone: a command and its button are one handler -----------------------------------------
@router.fallback()
@router.command("start")
async def start(ctx: Context) -> None:
    await show_menu(screen_of(ctx), greeting=True)


@router.button(p.MainMenu)
@router.command("menu", words={"menu", "меню"})
async def menu(ctx: Context, _: p.MainMenu | None = None) -> None:
    await show_menu(screen_of(ctx))


@router.command("help")
async def help_command(ctx: Context) -> None:
    await show_help(screen_of(ctx))


@router.command("id")
async def identity(ctx: Context) -> None:
    await show_identity(screen_of(ctx))


@router.command("signin")
async def sign_in(ctx: Context) -> None:
    await signin.ask_code(screen_of(ctx), ctx.args)


@router.command("join")
async def join_command(ctx: Context) -> None:
    await join(screen_of(ctx), ctx.args)


@router.button(p.ChooseLanguage)
@router.command("language", "lang")
async def languages(ctx: Context, _: p.ChooseLanguage | None = None) -> None:
    await choose_language(screen_of(ctx), None)


@router.button(p.UseLanguage)
async def use_language(ctx: Context, choice: p.UseLanguage) -> None:
    await choose_language(screen_of(ctx), choice.code)


@router.button(p.OpenBooking)
async def open_booking(ctx: Context, booking: p.OpenBooking) -> None:
    await lists.booking_card(screen_of(ctx), booking.id)


@router.button(p.CancelBooking)
async def ask_cancel(ctx: Context, booking: p.CancelBooking) -> None:
    await lists.ask_cancel(screen_of(ctx), booking.id)


@router.button(p.ConfirmCancel)
async def cancel(ctx: Context, booking: p.ConfirmCancel) -> None:
    await lists.cancel(screen_of(ctx), booking.id)


@router.button(p.MoveBooking, roles={"client", "admin"})
async def move(ctx: Context, booking: p.MoveBooking) -> None:
    await wizard.begin(screen_of(ctx), "move", booking_id=booking.id)


# -- clients ------------------------------------------------------------------------------------
@router.button(p.BookVisit, roles={"client"})
async def book(ctx: Context, _: p.BookVisit) -> None:
    await wizard.begin(screen_of(ctx), "self")


@router.button(p.MyBookings, roles={"client"})
async def my_bookings(ctx: Context, _: p.MyBookings) -> None:
    await lists.my_bookings(screen_of(ctx))


# -- specialists --------------------------------------------------------------------------------
@router.button(p.Today, roles=STAFF)
async def today(ctx: Context, _: p.Today) -> None:
    await lists.specialist_days(screen_of(ctx), 1)


@router.button(p.ThisWeek, roles=STAFF)
async def this_week(ctx: Context, _: p.ThisWeek) -> None:
    await lists.specialist_days(screen_of(ctx), 7)


@router.button(p.MyHours, roles=STAFF)
async def my_hours(ctx: Context, _: p.MyHours) -> None:
    await lists.specialist_hours(screen_of(ctx))


# -- administrators -----------------------------------------------------------------------------
@staff.button(p.BookForClient)
async def book_for_client(ctx: Context, _: p.BookForClient) -> None:
    await wizard.begin(screen_of(ctx), "admin")


staff.flow(forms.CLIENT, button=p.NewClient)


@staff.button(p.DayBookings)
async def day_bookings(ctx: Context, shown: p.DayBookings) -> None:
    if not 0 <= shown.day <= date.max.toordinal():
        raise StalePayload(f"no day {shown.day}")
    day = date.fromordinal(shown.day) if shown.day else None
    await lists.admin_day(screen_of(ctx), day, max(0, shown.page))


@staff.button(p.ConfirmBooking)
async def confirm(ctx: Context, booking: p.ConfirmBooking) -> None:
    await lists.confirm(screen_of(ctx), booking.id)


@staff.button(p.MarkBooking)
async def mark(ctx: Context, answer: p.MarkBooking) -> None:
    await lists.mark(screen_of(ctx), answer.id, answer.outcome)


@staff.button(p.Locations)
async def locations(ctx: Context, _: p.Locations) -> None:
    await admin.locations(screen_of(ctx))


@staff.button(p.Services)
async def services(ctx: Context, _: p.Services) -> None:
    await admin.services(screen_of(ctx))


@staff.button(p.Toggle)
async def toggle(ctx: Context, item: p.Toggle) -> None:
    screen = screen_of(ctx)
    catalog = screen.catalog()
    switch, then = {
        "location": (catalog.toggle_location, admin.locations),
        "service": (catalog.toggle_service, admin.services),
        "ad": (catalog.toggle_ad, admin.ads),
    }[item.kind]
    await switch(item.id)
    await then(screen)


@staff.button(p.Specialists)
async def specialists(ctx: Context, _: p.Specialists) -> None:
    await admin.specialists(screen_of(ctx))


@staff.button(p.ShowSpecialist)
async def specialist(ctx: Context, shown: p.ShowSpecialist) -> None:
    await admin.specialist(screen_of(ctx), shown.id)


@staff.button(p.ToggleSpecialist)
async def toggle_specialist(ctx: Context, person: p.ToggleSpecialist) -> None:
    screen = screen_of(ctx)
    await screen.catalog().toggle_specialist(person.id)
    await admin.specialist(screen, person.id)


@staff.button(p.ToggleOffer)
async def toggle_offer(ctx: Context, offer: p.ToggleOffer) -> None:
    screen = screen_of(ctx)
    await screen.catalog().toggle_offer(offer.specialist, offer.service)
    await admin.specialist(screen, offer.specialist)


@staff.button(p.NewInvite)
async def new_invite(ctx: Context, invite: p.NewInvite) -> None:
    screen = screen_of(ctx)
    await screen.catalog().new_invite(invite.specialist)
    await admin.specialist(screen, invite.specialist)


staff.flow(forms.HOURS, button=p.SetHours)
staff.flow(forms.DAY, button=p.SetDay)


@staff.button(p.ClearHours)
async def clear_hours(ctx: Context, where: p.ClearHours) -> None:
    await admin.clear_hours(screen_of(ctx), where.specialist, where.location)


@staff.button(p.Notifications)
async def notifications(ctx: Context, _: p.Notifications) -> None:
    await admin.notifications(screen_of(ctx))


@staff.button(p.ToggleNotice)
async def toggle_notice(ctx: Context, notice: p.ToggleNotice) -> None:
    screen = screen_of(ctx)
    if notice.role not in MATRIX.roles_told(notice.event):
        raise StalePayload(f"{notice.role} is not told of {notice.event}")
    await screen.catalog().toggle_notification(notice.event, notice.role)
    await admin.notifications(screen)


@staff.button(p.CycleNoticeAd)
async def cycle_notice_ad(ctx: Context, notice: p.CycleNoticeAd) -> None:
    screen = screen_of(ctx)
    if notice.role not in MATRIX.roles_told(notice.event):
        raise StalePayload(f"{notice.role} is not told of {notice.event}")
    await screen.catalog().cycle_ad(notice.event, notice.role)
    await admin.notifications(screen)


@staff.button(p.Ads)
async def ads(ctx: Context, _: p.Ads) -> None:
    await admin.ads(screen_of(ctx))


@staff.button(p.ShowLocation)
async def location(ctx: Context, shown: p.ShowLocation) -> None:
    await edit.location_card(screen_of(ctx), shown.id)


@staff.button(p.ShowService)
async def service(ctx: Context, shown: p.ShowService) -> None:
    await edit.service_card(screen_of(ctx), shown.id)


@staff.button(p.Delete)
async def delete(ctx: Context, item: p.Delete) -> None:
    await edit.delete(screen_of(ctx), item.kind, item.id)


@staff.button(p.RevokeSpecialist)
async def revoke_specialist(ctx: Context, person: p.RevokeSpecialist) -> None:
    await edit.revoke_specialist(screen_of(ctx), person.id)


@staff.button(p.Admins)
async def admins(ctx: Context, _: p.Admins) -> None:
    await edit.admins(screen_of(ctx))


@staff.button(p.RevokeAdmin)
async def revoke_admin(ctx: Context, person: p.RevokeAdmin) -> None:
    await edit.revoke_admin(screen_of(ctx), person.user)


staff.flow(forms.EDIT, button=p.Edit)
staff.flow(forms.LOCATION, button=p.AddLocation)
staff.flow(forms.SERVICE, button=p.AddService)
staff.flow(forms.SPECIALIST, button=p.AddSpecialist)
staff.flow(forms.AD, button=p.AddAd)
staff.flow(forms.NEWS, button=p.Announce)
router.include_router(staff)
router.flow(wizard.FLOW)
router.flow(signin.FLOW)
