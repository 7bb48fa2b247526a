"""/signin in the chat: a visitor (a web chat on a new device, say) names their account by
phone or Telegram username, gets a code in that account's chat, types it here, and from then
on this chat acts as that person: their bookings, role and menu follow them."""

from __future__ import annotations

from typing import Any

from relaybot import (
    N_,
    Context,
    Flow,
    FlowView,
    Invalid,
    Step,
    TooManyCodes,
    audit,
    check_sign_in_code,
    issue_sign_in_code,
    link_chat,
    translator,
)

from ..codes import CODE_TEXT, code_key, find_person, person_of, subject_of
from ..journal import actor_name
from ..users import Actor, actor_of, address_of, display_name, locale_of
from .menu import show_menu
from .screen import Screen, after_form, screen_of

ASK = N_(
    "To sign in, write /signin and the phone number or Telegram username of your account, "
    "e.g. /signin @aigul or /signin +996 555 123 456."
)
SENT = N_(
    "If that account has a chat with this bot, a 6-digit code is on its way there. "
    "Type it here within 5 minutes."
)


def _code(text: str, _view: FlowView) -> str:
    value = text.strip().replace(" ", "")
    if len(value) != 6 or not value.isdigit():
        raise Invalid(N_("The code has 6 digits, e.g. 493021."))
    return value


async def _enter(ctx: Context, data: dict[str, Any]) -> None:
    screen = screen_of(ctx)
    checked = await check_sign_in_code(
        ctx.db,
        code_id=int(data["request"]),
        code=str(data["code"]),
        key=code_key(ctx.settings),
        now=ctx.now,
    )
    person = await person_of(ctx.db, checked.subject)
    await audit(
        ctx.db,
        actor=actor_name(screen.actor),
        channel=ctx.bot.channel,
        action="booking.sign_in.ok" if person is not None else "booking.sign_in.failed",
        target=f"request:{data['request']}",
        details={"as": subject_of(person)} if person is not None else {"reason": checked.reason},
    )
    if person is None:
        screen.say(
            ctx.t(N_("That code is wrong, expired or used up. Send /signin again for a new one.")),
            buttons=[screen.menu_button()],
        )
        return
    await link_chat(
        ctx.db,
        bot=ctx.update.bot,
        chat_id=ctx.update.chat_id,
        subject=subject_of(person),
        now=ctx.now,
    )
    screen.actor = Actor(user=person, specialist_id=None)
    after_form(_signed_in)


async def _signed_in(screen: Screen) -> None:
    screen.actor = await actor_of(screen.ctx.db, screen.actor.user)
    screen.ctx.use_locale(locale_of(screen.user, screen.ctx.settings.default_locale))
    screen.say(screen.t(N_("You are signed in as {name}."), name=display_name(screen.user)))
    await show_menu(screen)


FLOW = Flow(
    name="sign_in",
    steps=[Step("code", N_("The 6-digit code?"), _code, label=N_("Code"))],
    on_complete=_enter,
    confirm=False,
)


async def ask_code(screen: Screen, who: str) -> None:
    ctx = screen.ctx
    who = who.strip()
    if not who:
        screen.say(ctx.t(ASK), buttons=[screen.menu_button()])
        return
    is_phone = who.lstrip("+")[:1].isdigit()
    person = await find_person(
        ctx.db,
        ctx.settings,
        phone=who if is_phone else None,
        username=None if is_phone else who,
    )
    try:
        issued = await issue_sign_in_code(
            ctx.db,
            subject=subject_of(person) if person is not None else "",
            requester=f"chat:{ctx.update.bot}:{ctx.update.chat_id}",
            key=code_key(ctx.settings),
            now=ctx.now,
        )
    except TooManyCodes:
        screen.say(
            ctx.t(N_("Too many codes were asked for lately. Please try again in 15 minutes.")),
            buttons=[screen.menu_button()],
        )
        return
    to = address_of(person) if person is not None else None
    if person is not None and to is not None:
        t = translator(locale_of(person, ctx.settings.default_locale))
        ctx.send(to, t(CODE_TEXT, code=issued.code))
    await audit(
        ctx.db,
        actor=actor_name(screen.actor),
        channel=ctx.bot.channel,
        action="booking.sign_in.request",
        target=f"user:{person.id}" if person is not None else "unknown",
        details={"request_id": issued.id},
    )
    screen.say(ctx.t(SENT))
    await FLOW.start(ctx, request=issued.id)
