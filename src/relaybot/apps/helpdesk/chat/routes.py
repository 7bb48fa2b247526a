"""Everything a person can say or press at the help desk, in the order they meet it.

Each button is also a typed command, so a channel without buttons loses nothing. Every action
runs in a savepoint (`Router(savepoint=True)`): when it is refused, the database and the
outgoing messages are as they were, and the person gets the reason and the menu instead.
"""

from __future__ import annotations

from relaybot import N_, Context, Refused, Router

from ..roles import ONLY_ADMINS, ONLY_HELPERS, ONLY_MODERATORS, ROLE_LABELS, Role
from . import actions as a
from . import admin, compose, conversation, lifecycle, moderation
from .desk import desk
from .render import GREETING, HELP

router = Router(savepoint=True)
helpers = Router(roles={Role.PROVIDER}, refusal=ONLY_HELPERS)  # the refusal names {user_id}
moderators = Router(roles={Role.MODERATOR}, refusal=ONLY_MODERATORS)
admins = Router(roles={Role.ADMIN}, refusal=ONLY_ADMINS)


@router.roles
async def roles_of(ctx: Context) -> set[str]:
    """An admin may do everything a moderator may."""
    actor = desk(ctx).actor
    roles = {str(role) for role in actor.roles}
    return roles | {Role.MODERATOR} if actor.is_admin else roles


@router.refused
async def refused(ctx: Context, refusal: Refused) -> None:
    """The reason, in the person's language, and the menu (as it is after the rollback)."""
    here = desk(ctx)
    await here.reload()
    values = {"user_id": here.user.id, **refusal.values}
    here.reply(refusal.message, buttons=here.menu_buttons(), **values)


# -- the menu (a handler serves its typed command and its button alike) ------------------------
@router.command("start")
async def start(ctx: Context) -> None:
    desk(ctx).menu(GREETING)


@router.button(a.Menu)
@router.command("menu")
async def menu(ctx: Context, _: a.Menu | None = None) -> None:
    desk(ctx).menu()


@router.button(a.Help)
@router.command("help", interrupts=False)  # in a dialog, the step's own help
async def help_(ctx: Context, _: a.Help | None = None) -> None:
    here = desk(ctx)
    here.reply(HELP, buttons=here.menu_buttons())


@router.button(a.AboutMe)
@router.command("id", "me", "whoami")
async def about_me(ctx: Context, _: a.AboutMe | None = None) -> None:
    here = desk(ctx)
    t, actor = here.t, here.actor
    order = list(Role)
    roles = ", ".join(t(ROLE_LABELS[role]) for role in sorted(actor.roles, key=order.index))
    lines = [
        t(N_("Your help desk id: {id}"), id=here.user.id),
        t(N_("Your roles: {roles}"), roles=roles),
    ]
    if actor.is_provider:
        titles = await here.scenario_titles(actor.scenario_ids)
        lines.append(t(N_("You help in: {categories}"), categories="; ".join(titles)))
    lines.append(t(N_("An administrator uses this id to make you a helper or a moderator.")))
    ctx.reply("\n".join(lines), buttons=here.menu_buttons())


# -- asking for help ----------------------------------------------------------------------------
router.flow(compose.REQUEST)


@router.button(a.NewRequest)
@router.command("new")
async def new_request(ctx: Context, _: a.NewRequest | None = None) -> None:
    await compose.begin(desk(ctx))


@router.button(a.MyRequests)
@router.command("my", "mine", "requests")
async def my_requests(ctx: Context, _: a.MyRequests | None = None) -> None:
    await conversation.mine(desk(ctx))


# -- being in a request: typed, the number is the argument or the current conversation -------
@router.button(a.SwitchTo)
@router.command("open", "switch")
async def switch_to(ctx: Context, pressed: a.SwitchTo | None = None) -> None:
    here = desk(ctx)
    await conversation.switch_to(here, pressed.number if pressed else here.target(current=False))


@router.button(a.LeaveConversation)
@router.command("exit")
async def leave_conversation(ctx: Context, _: a.LeaveConversation | None = None) -> None:
    await conversation.leave_conversation(desk(ctx))


@router.button(a.History)
@router.command("history")
async def history(ctx: Context, pressed: a.History | None = None) -> None:
    here = desk(ctx)
    await conversation.history(here, pressed.number if pressed else here.target())


@router.button(a.Close)
@router.command("close")
async def close(ctx: Context, pressed: a.Close | None = None) -> None:
    here = desk(ctx)
    await lifecycle.close(here, pressed.number if pressed else here.target())


@router.button(a.CancelRequest)
@router.command("cancel", interrupts=False)  # in a dialog, it cancels the dialog
async def cancel(ctx: Context, pressed: a.CancelRequest | None = None) -> None:
    here = desk(ctx)
    await lifecycle.cancel(here, pressed.number if pressed else here.target())


# -- helping ------------------------------------------------------------------------------------
@helpers.button(a.TakeNext)
@helpers.command("next", "take")
async def take_next(ctx: Context, _: a.TakeNext | None = None) -> None:
    await lifecycle.take_next_one(desk(ctx))


@router.button(a.Decline)
@router.command("decline")
async def decline(ctx: Context, pressed: a.Decline | None = None) -> None:
    here = desk(ctx)
    await lifecycle.decline(here, pressed.number if pressed else here.target())


# -- moderating ---------------------------------------------------------------------------------
@moderators.button(a.AllRequests)
@moderators.command("queue", "all")
async def queue(ctx: Context, _: a.AllRequests | None = None) -> None:
    await moderation.queue(desk(ctx), ctx.args)


@moderators.button(a.ByStatus)
async def by_status(ctx: Context, pressed: a.ByStatus) -> None:
    await moderation.by_status(desk(ctx), pressed.status)


@moderators.button(a.Join)
@moderators.command("join")
async def join(ctx: Context, pressed: a.Join | None = None) -> None:
    here = desk(ctx)
    await moderation.join(here, pressed.number if pressed else here.target(current=False))


@router.button(a.StopFollowing)
@router.command("leave")
async def stop_following(ctx: Context, pressed: a.StopFollowing | None = None) -> None:
    here = desk(ctx)
    await moderation.leave(here, pressed.number if pressed else here.target())


# -- administering ------------------------------------------------------------------------------
@admins.command("scenarios")
async def scenarios(ctx: Context) -> None:
    await admin.scenarios(desk(ctx))


@admins.command("grant", "revoke")
async def grant(ctx: Context) -> None:
    await admin.grant(desk(ctx), enabled=ctx.command == "grant")


@admins.command("link", "unlink")
async def link(ctx: Context) -> None:
    await admin.link(desk(ctx), linked=ctx.command == "link")


# -- the demo's roles ---------------------------------------------------------------------------
@router.button(a.TryRoles)
@router.command("try")
async def try_a_role(ctx: Context, _: a.TryRoles | None = None) -> None:
    here = desk(ctx)
    if ctx.args:
        await admin.try_role(here, ctx.args.lower())
    else:
        await admin.try_menu(here)


@router.button(a.TryRole)
async def try_role(ctx: Context, pressed: a.TryRole) -> None:
    await admin.try_role(desk(ctx), pressed.role)


router.include_router(helpers)
router.include_router(moderators)
router.include_router(admins)


# -- writing into the conversation --------------------------------------------------------------
@router.attachment()
@router.text()
async def write(ctx: Context) -> None:
    await conversation.free_text(desk(ctx))


@router.fallback()
async def unknown(ctx: Context) -> None:
    here = desk(ctx)
    if ctx.command is None:
        await conversation.free_text(here)
        return
    here.reply(
        N_("I do not know the command /{command}. /help lists what I understand."),
        buttons=here.menu_buttons(),
        command=ctx.command,
    )
