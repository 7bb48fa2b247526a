"""Which screen answers an update: buttons (`bk:...`), typed commands, open forms and dialogs.

Every button names an action; each action lists the roles allowed to use it, checked here
before anything runs (and again by the operation itself). A refusal is answered politely and
changes nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime

from relaybot import N_, Flow

from ..bookings import ADMINS_ONLY, Refused
from . import admin, lists
from .forms import start_form
from .menu import choose_language, join, show_help, show_identity, show_menu
from .screen import Screen
from .wizard import FLOW as WIZARD
from .wizard import Wizard

Action = Callable[[Screen, list[str]], Awaitable[None]]
EVERYONE = frozenset({"admin", "specialist", "client"})
ADMIN = frozenset({"admin"})
CLIENT = frozenset({"client"})
STAFF_SPECIALIST = frozenset({"specialist", "admin"})
CLIENT_OR_ADMIN = frozenset({"client", "admin"})


class Stale(Exception):
    """A button whose arguments do not parse: an old or forged payload."""


def _int(parts: list[str], index: int) -> int:
    try:
        return int(parts[index])
    except (IndexError, ValueError) as exc:
        raise Stale from exc


def _str(parts: list[str], index: int) -> str:
    if index >= len(parts) or not parts[index]:
        raise Stale
    return parts[index]


def forms_of(screen: Screen) -> Mapping[str, Flow]:
    return screen.forms


def _form(name: str, *seed_keys: str) -> Action:
    async def open_form(screen: Screen, parts: list[str]) -> None:
        seed = {key: _int(parts, i) for i, key in enumerate(seed_keys)}
        await start_form(screen, screen.forms[name], **seed)

    return open_form


async def _toggle(screen: Screen, parts: list[str], kind: str) -> None:
    catalog = screen.catalog()
    if kind == "loc":
        await catalog.toggle_location(_int(parts, 0))
        await admin.locations(screen)
    elif kind == "svc":
        await catalog.toggle_service(_int(parts, 0))
        await admin.services(screen)
    elif kind == "sp":
        await catalog.toggle_specialist(_int(parts, 0))
        await admin.specialist(screen, _int(parts, 0))
    elif kind == "sps":
        await catalog.toggle_offer(_int(parts, 0), _int(parts, 1))
        await admin.specialist(screen, _int(parts, 0))
    elif kind == "ad":
        await catalog.toggle_ad(_int(parts, 0))
        await admin.ads(screen)


async def _notification(screen: Screen, parts: list[str], what: str) -> None:
    from ..notifications import MATRIX

    event, role = _str(parts, 0), _str(parts, 1)
    if role not in MATRIX.roles_told(event):
        raise Stale
    if what == "toggle":
        await screen.catalog().toggle_notification(event, role)
    else:
        await screen.catalog().cycle_ad(event, role)
    await admin.notifications(screen)


async def _clear_hours(screen: Screen, parts: list[str]) -> None:
    await screen.catalog().clear_hours(_int(parts, 0), _int(parts, 1))
    screen.say(screen.t(N_("Working hours at that location are cleared.")))
    await admin.specialist(screen, _int(parts, 0))


async def _new_invite(screen: Screen, parts: list[str]) -> None:
    await screen.catalog().new_invite(_int(parts, 0))
    await admin.specialist(screen, _int(parts, 0))


async def _answer_completion(screen: Screen, parts: list[str]) -> None:
    answer = _str(parts, 1)
    if answer not in ("y", "n"):
        raise Stale
    await lists.mark(screen, _int(parts, 0), "done" if answer == "y" else "no_show")


async def _mark(screen: Screen, parts: list[str]) -> None:
    outcome = _str(parts, 1)
    if outcome not in ("done", "no_show"):
        raise Stale
    await lists.mark(screen, _int(parts, 0), outcome)


ACTIONS: dict[str, tuple[frozenset[str], Action]] = {
    "menu": (EVERYONE, lambda s, p: show_menu(s)),
    "lang": (EVERYONE, lambda s, p: choose_language(s, p[0] if p else None)),
    # clients
    "book": (CLIENT, lambda s, p: Wizard(s).start("self")),
    "mine": (CLIENT, lambda s, p: lists.my_bookings(s)),
    "x": (EVERYONE, lambda s, p: lists.ask_cancel(s, _int(p, 0))),
    "xx": (EVERYONE, lambda s, p: lists.cancel(s, _int(p, 0))),
    "rs": (CLIENT_OR_ADMIN, lambda s, p: lists.move(s, _int(p, 0))),
    "b": (EVERYONE, lambda s, p: lists.booking_card(s, _int(p, 0))),
    # specialists
    "today": (STAFF_SPECIALIST, lambda s, p: lists.specialist_days(s, 1)),
    "week": (STAFF_SPECIALIST, lambda s, p: lists.specialist_days(s, 7)),
    "hours": (STAFF_SPECIALIST, lambda s, p: lists.specialist_hours(s)),
    # administrators
    "abook": (ADMIN, lambda s, p: Wizard(s).start("admin")),
    "day": (
        ADMIN,
        lambda s, p: lists.admin_day(s, p[0] if p else None, _int(p, 1) if len(p) > 1 else 0),
    ),
    "ok": (ADMIN, lambda s, p: lists.confirm(s, _int(p, 0))),
    "m": (ADMIN, _mark),
    "q": (ADMIN, _answer_completion),
    "locs": (ADMIN, lambda s, p: admin.locations(s)),
    "loc+": (ADMIN, _form("bk:f:location")),
    "loc~": (ADMIN, lambda s, p: _toggle(s, p, "loc")),
    "svcs": (ADMIN, lambda s, p: admin.services(s)),
    "svc+": (ADMIN, _form("bk:f:service")),
    "svc~": (ADMIN, lambda s, p: _toggle(s, p, "svc")),
    "specs": (ADMIN, lambda s, p: admin.specialists(s)),
    "sp": (ADMIN, lambda s, p: admin.specialist(s, _int(p, 0))),
    "sp+": (ADMIN, _form("bk:f:specialist")),
    "sp~": (ADMIN, lambda s, p: _toggle(s, p, "sp")),
    "sps": (ADMIN, lambda s, p: _toggle(s, p, "sps")),
    "spi": (ADMIN, _new_invite),
    "wh+": (ADMIN, _form("bk:f:hours", "_specialist", "_location")),
    "wx+": (ADMIN, _form("bk:f:exception", "_specialist", "_location")),
    "whc": (ADMIN, _clear_hours),
    "nt": (ADMIN, lambda s, p: admin.notifications(s)),
    "nt~": (ADMIN, lambda s, p: _notification(s, p, "toggle")),
    "nta": (ADMIN, lambda s, p: _notification(s, p, "ad")),
    "ads": (ADMIN, lambda s, p: admin.ads(s)),
    "ad+": (ADMIN, _form("bk:f:ad")),
    "ad~": (ADMIN, lambda s, p: _toggle(s, p, "ad")),
    "news": (ADMIN, _form("bk:f:news")),
}


async def run_action(screen: Screen, parts: list[str]) -> None:
    """Run the action a button names, if the person's role allows it."""
    name, args = (parts[0], parts[1:]) if parts else ("menu", [])
    entry = ACTIONS.get(name)
    if entry is None:
        screen.stale()
        return
    roles, action = entry
    if screen.actor.role not in roles:
        message = ADMINS_ONLY if roles == ADMIN else N_("Sorry, this is not available to you.")
        screen.refuse(Refused(message))
        return
    try:
        await action(screen, args)
    except Stale:
        screen.stale()
    except Refused as refused:
        screen.refuse(refused)


_COMMANDS = {
    "/start": "menu",
    "/menu": "menu",
    "menu": "menu",
    "меню": "menu",
    "/help": "help",
    "/id": "id",
    "/join": "join",
    "/language": "lang",
    "/lang": "lang",
}


async def dispatch(screen: Screen) -> None:
    update = screen.ctx.update
    payload = update.payload or ""
    text = (update.text or "").strip()
    state = await screen.load_state()
    if (
        state is not None
        and state.expires_at is not None
        and state.expires_at <= _aware(screen.now)
    ):
        await screen.clear_state()
        state = None
        if not payload.startswith("bk:") or payload.startswith("bk:w:"):
            screen.say(screen.t(N_("Your previous conversation expired, so we are starting over.")))
            await show_menu(screen)
            return
    if payload.startswith("bk:w:"):
        await Wizard(screen).on_payload(payload.split(":")[2:])
        return
    if payload.startswith("bk:"):
        if state is not None:
            await screen.clear_state()  # a menu button leaves any open form or dialog
        await run_action(screen, payload.split(":")[1:])
        return
    word, _, argument = text.partition(" ")
    command = _COMMANDS.get(word.lower().split("@")[0])
    if command is not None and not payload:
        if state is not None:
            await screen.clear_state()
        if command == "menu":
            await show_menu(screen, greeting=word.lower().startswith("/start"))
        elif command == "help":
            await show_help(screen)
        elif command == "id":
            await show_identity(screen)
        elif command == "join":
            await join(screen, argument)
        else:
            await choose_language(screen, None)
        return
    if state is not None and state.flow in screen.forms:
        await screen.forms[state.flow].handle(screen.ctx)
        return
    if state is not None and state.flow == WIZARD and not payload:
        await Wizard(screen).on_text(dict(state.data), text)
        return
    if payload == "flow:restart":  # "Start again" under a form that has closed
        await show_menu(screen)
        return
    if payload:
        screen.stale()
        return
    await show_menu(screen, greeting=True)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
