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
from . import admin, forms, lists, wizard
from .menu import choose_language, join, show_help, show_identity, show_menu
from .payloads import (
    AddAd,
    AddLocation,
    AddService,
    AddSpecialist,
    Ads,
    Announce,
    BookForClient,
    BookVisit,
    CancelBooking,
    ChooseLanguage,
    ClearHours,
    ConfirmBooking,
    ConfirmCancel,
    CycleNoticeAd,
    DayBookings,
    Locations,
    MainMenu,
    MarkBooking,
    MoveBooking,
    MyBookings,
    MyHours,
    NewClient,
    NewInvite,
    Notifications,
    OpenBooking,
    Services,
    SetDay,
    SetHours,
    ShowSpecialist,
    Specialists,
    ThisWeek,
    Today,
    ToggleAd,
    ToggleLocation,
    ToggleNotice,
    ToggleOffer,
    ToggleService,
    ToggleSpecialist,
    UseLanguage,
)
from .screen import screen_of

STAFF = {"specialist", "admin"}

router = Router()
staff = Router(roles={"admin"}, refusal=ADMINS_ONLY)


@router.roles
async def role_of(ctx: Context) -> set[str]:
    return {screen_of(ctx).actor.role}


# -- typed commands -----------------------------------------------------------------------------
@router.command("start")
async def start(ctx: Context) -> None:
    await show_menu(screen_of(ctx), greeting=True)


@router.command("menu", words={"menu", "меню"})
async def menu_command(ctx: Context) -> None:
    await show_menu(screen_of(ctx))


@router.command("help")
async def help_command(ctx: Context) -> None:
    await show_help(screen_of(ctx))


@router.command("id")
async def identity(ctx: Context) -> None:
    await show_identity(screen_of(ctx))


@router.command("join")
async def join_command(ctx: Context) -> None:
    await join(screen_of(ctx), ctx.args)


@router.command("language", "lang")
async def language_command(ctx: Context) -> None:
    await choose_language(screen_of(ctx), None)


# -- everyone -----------------------------------------------------------------------------------
@router.button(MainMenu)
async def menu(ctx: Context, _: MainMenu) -> None:
    await show_menu(screen_of(ctx))


@router.button(ChooseLanguage)
async def languages(ctx: Context, _: ChooseLanguage) -> None:
    await choose_language(screen_of(ctx), None)


@router.button(UseLanguage)
async def use_language(ctx: Context, choice: UseLanguage) -> None:
    await choose_language(screen_of(ctx), choice.code)


@router.button(OpenBooking)
async def open_booking(ctx: Context, booking: OpenBooking) -> None:
    await lists.booking_card(screen_of(ctx), booking.id)


@router.button(CancelBooking)
async def ask_cancel(ctx: Context, booking: CancelBooking) -> None:
    await lists.ask_cancel(screen_of(ctx), booking.id)


@router.button(ConfirmCancel)
async def cancel(ctx: Context, booking: ConfirmCancel) -> None:
    await lists.cancel(screen_of(ctx), booking.id)


@router.button(MoveBooking, roles={"client", "admin"})
async def move(ctx: Context, booking: MoveBooking) -> None:
    await wizard.begin(screen_of(ctx), "move", booking_id=booking.id)


# -- clients ------------------------------------------------------------------------------------
@router.button(BookVisit, roles={"client"})
async def book(ctx: Context, _: BookVisit) -> None:
    await wizard.begin(screen_of(ctx), "self")


@router.button(MyBookings, roles={"client"})
async def my_bookings(ctx: Context, _: MyBookings) -> None:
    await lists.my_bookings(screen_of(ctx))


# -- specialists --------------------------------------------------------------------------------
@router.button(Today, roles=STAFF)
async def today(ctx: Context, _: Today) -> None:
    await lists.specialist_days(screen_of(ctx), 1)


@router.button(ThisWeek, roles=STAFF)
async def this_week(ctx: Context, _: ThisWeek) -> None:
    await lists.specialist_days(screen_of(ctx), 7)


@router.button(MyHours, roles=STAFF)
async def my_hours(ctx: Context, _: MyHours) -> None:
    await lists.specialist_hours(screen_of(ctx))


# -- administrators -----------------------------------------------------------------------------
@staff.button(BookForClient)
async def book_for_client(ctx: Context, _: BookForClient) -> None:
    await wizard.begin(screen_of(ctx), "admin")


@staff.button(NewClient)
async def new_client(ctx: Context, _: NewClient) -> None:
    await forms.CLIENT.start(ctx)


@staff.button(DayBookings)
async def day_bookings(ctx: Context, shown: DayBookings) -> None:
    if not 0 <= shown.day <= date.max.toordinal():
        raise StalePayload(f"no day {shown.day}")
    day = date.fromordinal(shown.day) if shown.day else None
    await lists.admin_day(screen_of(ctx), day, max(0, shown.page))


@staff.button(ConfirmBooking)
async def confirm(ctx: Context, booking: ConfirmBooking) -> None:
    await lists.confirm(screen_of(ctx), booking.id)


@staff.button(MarkBooking)
async def mark(ctx: Context, answer: MarkBooking) -> None:
    await lists.mark(screen_of(ctx), answer.id, answer.outcome)


@staff.button(Locations)
async def locations(ctx: Context, _: Locations) -> None:
    await admin.locations(screen_of(ctx))


@staff.button(ToggleLocation)
async def toggle_location(ctx: Context, location: ToggleLocation) -> None:
    screen = screen_of(ctx)
    await screen.catalog().toggle_location(location.id)
    await admin.locations(screen)


@staff.button(Services)
async def services(ctx: Context, _: Services) -> None:
    await admin.services(screen_of(ctx))


@staff.button(ToggleService)
async def toggle_service(ctx: Context, service: ToggleService) -> None:
    screen = screen_of(ctx)
    await screen.catalog().toggle_service(service.id)
    await admin.services(screen)


@staff.button(Specialists)
async def specialists(ctx: Context, _: Specialists) -> None:
    await admin.specialists(screen_of(ctx))


@staff.button(ShowSpecialist)
async def specialist(ctx: Context, shown: ShowSpecialist) -> None:
    await admin.specialist(screen_of(ctx), shown.id)


@staff.button(ToggleSpecialist)
async def toggle_specialist(ctx: Context, person: ToggleSpecialist) -> None:
    screen = screen_of(ctx)
    await screen.catalog().toggle_specialist(person.id)
    await admin.specialist(screen, person.id)


@staff.button(ToggleOffer)
async def toggle_offer(ctx: Context, offer: ToggleOffer) -> None:
    screen = screen_of(ctx)
    await screen.catalog().toggle_offer(offer.specialist, offer.service)
    await admin.specialist(screen, offer.specialist)


@staff.button(NewInvite)
async def new_invite(ctx: Context, invite: NewInvite) -> None:
    screen = screen_of(ctx)
    await screen.catalog().new_invite(invite.specialist)
    await admin.specialist(screen, invite.specialist)


@staff.button(SetHours)
async def set_hours(ctx: Context, where: SetHours) -> None:
    await forms.HOURS.start(ctx, specialist=where.specialist, location=where.location)


@staff.button(SetDay)
async def set_day(ctx: Context, where: SetDay) -> None:
    await forms.DAY.start(ctx, specialist=where.specialist, location=where.location)


@staff.button(ClearHours)
async def clear_hours(ctx: Context, where: ClearHours) -> None:
    await admin.clear_hours(screen_of(ctx), where.specialist, where.location)


@staff.button(Notifications)
async def notifications(ctx: Context, _: Notifications) -> None:
    await admin.notifications(screen_of(ctx))


@staff.button(ToggleNotice)
async def toggle_notice(ctx: Context, notice: ToggleNotice) -> None:
    screen = screen_of(ctx)
    if notice.role not in MATRIX.roles_told(notice.event):
        raise StalePayload(f"{notice.role} is not told of {notice.event}")
    await screen.catalog().toggle_notification(notice.event, notice.role)
    await admin.notifications(screen)


@staff.button(CycleNoticeAd)
async def cycle_notice_ad(ctx: Context, notice: CycleNoticeAd) -> None:
    screen = screen_of(ctx)
    if notice.role not in MATRIX.roles_told(notice.event):
        raise StalePayload(f"{notice.role} is not told of {notice.event}")
    await screen.catalog().cycle_ad(notice.event, notice.role)
    await admin.notifications(screen)


@staff.button(Ads)
async def ads(ctx: Context, _: Ads) -> None:
    await admin.ads(screen_of(ctx))


@staff.button(ToggleAd)
async def toggle_ad(ctx: Context, ad: ToggleAd) -> None:
    screen = screen_of(ctx)
    await screen.catalog().toggle_ad(ad.id)
    await admin.ads(screen)


staff.flow(forms.LOCATION, button=AddLocation)
staff.flow(forms.SERVICE, button=AddService)
staff.flow(forms.SPECIALIST, button=AddSpecialist)
staff.flow(forms.AD, button=AddAd)
staff.flow(forms.NEWS, button=Announce)
staff.flow(forms.HOURS)
staff.flow(forms.DAY)
staff.flow(forms.CLIENT)
router.include_router(staff)
router.flow(wizard.FLOW)


@router.fallback()
async def greet(ctx: Context) -> None:
    await show_menu(screen_of(ctx), greeting=True)
