"""Everything a person can say or press at the help desk, in the order they meet it.

Each button is also a typed command, so a channel without buttons loses nothing. Every action
runs in a savepoint (`Router(savepoint=True)`): when it is refused, the database and the
outgoing messages are as they were, and the person gets the reason and the menu instead.
"""

from __future__ import annotations

from relaybot import N_, Context, Refused, Router

from ..roles import ROLE_LABELS, Role
from . import admin, compose, conversation, lifecycle, moderation
from .actions import (
    AboutMe,
    AllRequests,
    ByStatus,
    CancelRequest,
    Close,
    Decline,
    Help,
    History,
    Join,
    LeaveConversation,
    Menu,
    MyRequests,
    NewRequest,
    StopFollowing,
    SwitchTo,
    TakeNext,
    TryRole,
    TryRoles,
)
from .desk import desk
from .texts import GREETING, HELP

router = Router(savepoint=True)
helpers = Router(
    roles={Role.PROVIDER},
    refusal=N_(
        "Only helpers can take requests. If you want to help, ask an administrator "
        "to link you to a category (your id is {user_id})."
    ),
)
moderators = Router(roles={Role.MODERATOR}, refusal=N_("Sorry, only moderators can do that."))
admins = Router(roles={Role.ADMIN}, refusal=N_("Sorry, only administrators can do that."))


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


# -- the menu -----------------------------------------------------------------------------------
@router.command("start")
async def start(ctx: Context) -> None:
    desk(ctx).menu(GREETING)


@router.command("menu")
async def menu(ctx: Context) -> None:
    desk(ctx).menu()


@router.button(Menu)
async def menu_pressed(ctx: Context, _: Menu) -> None:
    desk(ctx).menu()


@router.command("help", interrupts=False)  # in a dialog, the step's own help
async def help_(ctx: Context) -> None:
    here = desk(ctx)
    here.reply(HELP, buttons=here.menu_buttons())


@router.button(Help)
async def help_pressed(ctx: Context, _: Help) -> None:
    await help_(ctx)


@router.command("id", "me", "whoami")
async def about_me(ctx: Context) -> None:
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


@router.button(AboutMe)
async def about_me_pressed(ctx: Context, _: AboutMe) -> None:
    await about_me(ctx)


# -- asking for help ----------------------------------------------------------------------------
router.flow(compose.REQUEST)


@router.command("new")
async def new_request(ctx: Context) -> None:
    await compose.begin(desk(ctx))


@router.button(NewRequest)
async def new_request_pressed(ctx: Context, _: NewRequest) -> None:
    await compose.begin(desk(ctx))


@router.command("my", "mine", "requests")
async def my_requests(ctx: Context) -> None:
    await conversation.mine(desk(ctx))


@router.button(MyRequests)
async def my_requests_pressed(ctx: Context, _: MyRequests) -> None:
    await conversation.mine(desk(ctx))


# -- being in a request -------------------------------------------------------------------------
@router.command("open", "switch")
async def switch_to(ctx: Context) -> None:
    here = desk(ctx)
    await conversation.switch_to(here, here.target(current=False))


@router.button(SwitchTo)
async def switch_pressed(ctx: Context, pressed: SwitchTo) -> None:
    await conversation.switch_to(desk(ctx), pressed.number)


@router.command("exit")
async def leave_conversation(ctx: Context) -> None:
    await conversation.leave_conversation(desk(ctx))


@router.button(LeaveConversation)
async def leave_conversation_pressed(ctx: Context, _: LeaveConversation) -> None:
    await conversation.leave_conversation(desk(ctx))


@router.command("history")
async def history(ctx: Context) -> None:
    here = desk(ctx)
    await conversation.history(here, here.target())


@router.button(History)
async def history_pressed(ctx: Context, pressed: History) -> None:
    await conversation.history(desk(ctx), pressed.number)


@router.command("close")
async def close(ctx: Context) -> None:
    here = desk(ctx)
    await lifecycle.close(here, here.target())


@router.button(Close)
async def close_pressed(ctx: Context, pressed: Close) -> None:
    await lifecycle.close(desk(ctx), pressed.number)


@router.command("cancel", interrupts=False)  # in a dialog, it cancels the dialog
async def cancel(ctx: Context) -> None:
    here = desk(ctx)
    await lifecycle.cancel(here, here.target())


@router.button(CancelRequest)
async def cancel_pressed(ctx: Context, pressed: CancelRequest) -> None:
    await lifecycle.cancel(desk(ctx), pressed.number)


# -- helping ------------------------------------------------------------------------------------
@helpers.command("next", "take")
async def take_next(ctx: Context) -> None:
    await lifecycle.take_next_one(desk(ctx))


@helpers.button(TakeNext)
async def take_next_pressed(ctx: Context, _: TakeNext) -> None:
    await lifecycle.take_next_one(desk(ctx))


@router.command("decline")
async def decline(ctx: Context) -> None:
    here = desk(ctx)
    await lifecycle.decline(here, here.target())


@router.button(Decline)
async def decline_pressed(ctx: Context, pressed: Decline) -> None:
    await lifecycle.decline(desk(ctx), pressed.number)


# -- moderating ---------------------------------------------------------------------------------
@moderators.command("queue", "all")
async def queue(ctx: Context) -> None:
    await moderation.queue(desk(ctx), ctx.args)


@moderators.button(AllRequests)
async def queue_pressed(ctx: Context, _: AllRequests) -> None:
    await moderation.overview(desk(ctx))


@moderators.button(ByStatus)
async def status_pressed(ctx: Context, pressed: ByStatus) -> None:
    await moderation.by_status(desk(ctx), pressed.status)


@moderators.command("join")
async def join(ctx: Context) -> None:
    here = desk(ctx)
    await moderation.join(here, here.target(current=False))


@moderators.button(Join)
async def join_pressed(ctx: Context, pressed: Join) -> None:
    await moderation.join(desk(ctx), pressed.number)


@router.command("leave")
async def stop_following(ctx: Context) -> None:
    here = desk(ctx)
    await moderation.leave(here, here.target())


@router.button(StopFollowing)
async def stop_following_pressed(ctx: Context, pressed: StopFollowing) -> None:
    await moderation.leave(desk(ctx), pressed.number)


# -- administering ------------------------------------------------------------------------------
@admins.command("scenarios")
async def scenarios(ctx: Context) -> None:
    await admin.scenarios(desk(ctx))


@admins.command("grant")
async def grant(ctx: Context) -> None:
    await admin.grant(desk(ctx), enabled=True)


@admins.command("revoke")
async def revoke(ctx: Context) -> None:
    await admin.grant(desk(ctx), enabled=False)


@admins.command("link")
async def link(ctx: Context) -> None:
    await admin.link(desk(ctx), linked=True)


@admins.command("unlink")
async def unlink(ctx: Context) -> None:
    await admin.link(desk(ctx), linked=False)


# -- the demo's roles ---------------------------------------------------------------------------
@router.command("try")
async def try_a_role(ctx: Context) -> None:
    here = desk(ctx)
    if ctx.args:
        await admin.try_role(here, ctx.args.strip().lower())
    else:
        await admin.try_menu(here)


@router.button(TryRoles)
async def try_roles_pressed(ctx: Context, _: TryRoles) -> None:
    await admin.try_menu(desk(ctx))


@router.button(TryRole)
async def try_role_pressed(ctx: Context, pressed: TryRole) -> None:
    await admin.try_role(desk(ctx), pressed.role)


router.include_router(helpers)
router.include_router(moderators)
router.include_router(admins)


# -- writing into the conversation --------------------------------------------------------------
@router.text()
async def write(ctx: Context) -> None:
    await conversation.free_text(desk(ctx))


@router.attachment()
async def attach(ctx: Context) -> None:
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
