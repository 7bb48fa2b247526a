"""Admin commands in the chat, for operators who live in their messenger; the demo's role switch.

The same operations and rules as `relaybot helpdesk ...` and the REST API.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import delete, select

from relaybot import N_, Refused

from .. import catalog, people
from ..errors import Conflict, NotFound
from ..models import Scenario, UserScenario
from ..roles import GRANTABLE, ROLE_LABELS, Label, Role
from .actions import Menu, TryRole
from .render import take_button

if TYPE_CHECKING:
    from .desk import Desk


def _role(word: str) -> Role | None:
    aliases = {"moderator": Role.MODERATOR, "mod": Role.MODERATOR, "admin": Role.ADMIN}
    return aliases.get(word.lower())


async def grant(desk: Desk, *, enabled: bool) -> None:
    words = desk.ctx.args.split()
    role = _role(words[1]) if len(words) == 2 else None
    user_id = desk.number()
    if user_id is None or role is None or role not in GRANTABLE:
        raise Refused(
            N_("Usage: /{command} USER_ID moderator|admin"),
            command="grant" if enabled else "revoke",
        )
    if not enabled and user_id == desk.user.id and role is Role.ADMIN:
        raise Refused(N_("You cannot take the admin role from yourself."))
    try:
        user = await people.set_role(desk.db, user_id, role, enabled)
    except NotFound as exc:
        raise Refused(N_("There is no user with id {id}."), id=user_id) from exc
    await desk.audit("grant" if enabled else "revoke", f"user:{user_id}", role=role.value)
    label = Label(ROLE_LABELS[role])
    if enabled:
        desk.reply(N_("User {id} is now a {role}."), id=user_id, role=label)
        if user.id != desk.user.id:
            desk.notifier.tell(user, N_("You are now a {role} of the help desk."), role=label)
    else:
        desk.reply(N_("User {id} is no longer a {role}."), id=user_id, role=label)


async def link(desk: Desk, *, linked: bool) -> None:
    words = desk.ctx.args.split()
    numbers = [w.lstrip("#") for w in words]
    if len(numbers) != 2 or not all(n.isdigit() for n in numbers):
        raise Refused(
            N_("Usage: /{command} USER_ID CATEGORY_ID (see /scenarios for the ids)"),
            command="link" if linked else "unlink",
        )
    user_id, scenario_id = (int(n) for n in numbers)
    try:
        user = await people.get(desk.db, user_id)
        scenario = await catalog.get_scenario(desk.db, scenario_id)
        if linked:
            await people.link(desk.db, user_id, scenario_id, desk.ctx.now)
        else:
            await people.unlink(desk.db, user_id, scenario_id)
    except NotFound as exc:
        raise Refused(
            N_("There is no user {user} or no category {category}."),
            user=user_id,
            category=scenario_id,
        ) from exc
    except Conflict as exc:  # pragma: no cover - a simultaneous identical link
        raise Refused(N_("That did not work; please try again.")) from exc
    await desk.audit("link" if linked else "unlink", f"user:{user_id}", scenario=scenario_id)
    done = N_("User {user} now helps in {category}.")
    if not linked:
        done = N_("User {user} no longer helps in {category}.")
    desk.reply(done, user=user_id, category=scenario.title)
    if linked and user.id != desk.user.id:
        desk.notifier.tell(
            user,
            N_("You are now a helper in {category}. Press Take next when you are ready."),
            buttons=lambda t: [[take_button(t)]],
            category=scenario.title,
        )
    await desk.reload()


async def scenarios(desk: Desk) -> None:
    rows = await catalog.list_scenarios(desk.db)
    if not rows:
        desk.reply(N_("There are no categories yet: add them with relaybot helpdesk."))
        return
    t = desk.t
    lines = [t(N_("Categories (id: place / kind of help):"))]
    for scenario in rows:
        line = f"{scenario.id}: {scenario.title}"
        if not scenario.active:
            line += " " + t(N_("(inactive)"))
        lines.append(line)
    desk.ctx.reply("\n".join(lines), buttons=desk.menu_buttons())


async def try_role(desk: Desk, choice: str) -> None:
    """Demo only: the visitor gives themselves a role to see the help desk from that side."""
    if not desk.self_service:
        raise Refused(N_("Trying roles is not available on this help desk."))
    user = desk.user
    now = desk.ctx.now
    if choice == "provider":
        active = await desk.db.scalars(select(Scenario.id).where(Scenario.active.is_(True)))
        for scenario_id in active:
            await people.link(desk.db, user.id, scenario_id, now)
    elif choice == "moderator":
        user.is_moderator = True
    elif choice == "admin":
        user.is_admin = True
    elif choice == "requester":
        await desk.db.execute(delete(UserScenario).where(UserScenario.user_id == user.id))
        user.is_moderator = False
        user.is_admin = False
    else:
        raise Refused(N_("There is no such role to try."))
    await desk.db.flush()
    await desk.audit("try-role", f"user:{user.id}", role=choice)
    await desk.reload()
    t = desk.t
    roles = ", ".join(t(ROLE_LABELS[r]) for r in Role if r in desk.actor.roles)
    desk.menu(N_("Done. Your roles: {roles}."), roles=roles)


async def try_menu(desk: Desk) -> None:
    """Demo only: offer the roles."""
    if not desk.self_service:
        raise Refused(N_("Trying roles is not available on this help desk."))
    t = desk.t
    desk.reply(
        N_(
            "This is a demo help desk, so you may try every role yourself. To play both "
            "sides of a conversation, open the chat in a second (private) browser window "
            "too."
        ),
        buttons=[
            [TryRole(role="provider").button(t(N_("Helper in every category")))],
            [TryRole(role="moderator").button(t(N_("Moderator")))],
            [TryRole(role="admin").button(t(N_("Administrator")))],
            [TryRole(role="requester").button(t(N_("Just a requester again")))],
            [Menu().button(t(N_("Menu")))],
        ],
    )
