"""The main menu of each role, the language choice, and the few typed commands."""

from __future__ import annotations

from relaybot import N_, Button

from ..catalog import join_as_specialist
from ..users import display_name
from . import payloads as p
from .screen import Screen, rows_of

ROLE_TITLES = {
    "admin": N_("administrator"),
    "specialist": N_("specialist"),
    "client": N_("client"),
}
LANGUAGES: tuple[tuple[p.LanguageCode, str], ...] = (("ru", "Русский"), ("en", "English"))


def menu_buttons(screen: Screen) -> list[list[Button]]:
    b = screen.button
    role = screen.actor.role
    if role == "admin":
        buttons = [
            b(N_("Book for a client"), p.BookForClient()),
            b(N_("Bookings"), p.DayBookings()),
            b(N_("Locations"), p.Locations()),
            b(N_("Services"), p.Services()),
            b(N_("Specialists"), p.Specialists()),
            b(N_("Notifications"), p.Notifications()),
            b(N_("Announcement"), p.Announce()),
            b(N_("Administrators"), p.Admins()),
        ]
    elif role == "specialist":
        buttons = [
            b(N_("Today"), p.Today()),
            b(N_("This week"), p.ThisWeek()),
            b(N_("My working hours"), p.MyHours()),
        ]
    else:
        buttons = [
            b(N_("Book an appointment"), p.BookVisit()),
            b(N_("My bookings"), p.MyBookings()),
        ]
    return rows_of([*buttons, b(N_("Language"), p.ChooseLanguage())], 2)


async def show_menu(screen: Screen, *, greeting: bool = False) -> None:
    t = screen.t
    if greeting and screen.actor.role == "client":
        text = t(
            N_(
                "Hello! Here you can book an appointment, see your bookings, "
                "and cancel or move them."
            )
        )
    elif greeting:
        text = t(
            N_("Hello, {name}! You are signed in as {role}."),
            name=display_name(screen.user),
            role=t(ROLE_TITLES[screen.actor.role]),
        )
    else:
        text = t(N_("What would you like to do?"))
    screen.say(text, buttons=menu_buttons(screen))


async def choose_language(screen: Screen, choice: p.LanguageCode | None) -> None:
    if choice is None:
        buttons = [p.UseLanguage(code=code).button(label) for code, label in LANGUAGES]
        buttons.append(screen.button(N_("As in my app"), p.UseLanguage(code="auto")))
        screen.say(screen.t(N_("Which language should I speak?")), buttons=[buttons])
        return
    screen.user.locale = None if choice == "auto" else choice
    screen.ctx.use_locale(choice if choice != "auto" else screen.user.language)
    if choice == "auto" and not screen.user.language:
        screen.ctx.use_locale(screen.ctx.settings.default_locale)
    screen.say(screen.t(N_("Done, I will speak this language.")), buttons=menu_buttons(screen))


async def show_identity(screen: Screen) -> None:
    update = screen.ctx.update
    address = f"{update.bot}:{update.chat_id}"
    screen.say(
        screen.t(
            N_(
                "Your address in this bot is {address}.\n"
                "An operator can make you an administrator with:\n"
                "relaybot booking init-admin --user {address}"
            ),
            address=address,
        ),
        buttons=[screen.menu_button()],
    )


async def join(screen: Screen, code: str) -> None:
    specialist = await join_as_specialist(screen.ctx.db, screen.user, code)
    if specialist is None:
        screen.say(
            screen.t(
                N_("This invite code is not valid. Please ask your administrator for a new one.")
            ),
            buttons=[screen.menu_button()],
        )
        return
    screen.actor = type(screen.actor)(user=screen.user, specialist_id=specialist.id)
    screen.say(
        screen.t(
            N_("Welcome, {name}! You will see your bookings and working hours here."),
            name=specialist.name,
        ),
        buttons=menu_buttons(screen),
    )


async def show_help(screen: Screen) -> None:
    screen.say(
        screen.t(
            N_(
                "Use the buttons, or type:\n"
                "/start or /menu - the main menu\n"
                "/language - choose the language\n"
                "/join CODE - sign in as a specialist with the code from your administrator\n"
                "/id - your address, for the operator"
            )
        ),
        buttons=[screen.menu_button()],
    )
