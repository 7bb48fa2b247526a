"""Admin commands in the chat, for operators who live in their messenger; the demo's role switch.

The same operations as `relaybot helpdesk ...` and the REST API, with the same rules, checked
against the actor's role here in the app whatever the channel.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import delete, select

from relaybot import N_, Button

from .. import catalog, people
from ..errors import Conflict, NotFound
from ..models import Scenario, UserScenario
from ..roles import GRANTABLE, ROLE_LABELS, Label, Refused, Role, require_admin
from .commands import Command, payload
from .render import take_button

if TYPE_CHECKING:
    from .desk import Turn


def _role(word: str) -> Role | None:
    aliases = {"moderator": Role.MODERATOR, "mod": Role.MODERATOR, "admin": Role.ADMIN}
    return aliases.get(word.lower())


async def grant(turn: Turn, command: Command, *, enabled: bool) -> None:
    require_admin(turn.actor)
    words = command.words()
    role = _role(words[1]) if len(words) == 2 else None
    user_id = command.number()
    if user_id is None or role is None or role not in GRANTABLE:
        raise Refused(
            N_("Usage: /{command} USER_ID moderator|admin"),
            command="grant" if enabled else "revoke",
        )
    if not enabled and user_id == turn.user.id and role is Role.ADMIN:
        raise Refused(N_("You cannot take the admin role from yourself."))
    try:
        user = await people.set_role(turn.db, user_id, role, enabled)
    except NotFound as exc:
        raise Refused(N_("There is no user with id {id}."), id=user_id) from exc
    await turn.audit("grant" if enabled else "revoke", f"user:{user_id}", role=role.value)
    label = Label(ROLE_LABELS[role])
    if enabled:
        turn.reply(N_("User {id} is now a {role}."), id=user_id, role=label)
        if user.id != turn.user.id:
            turn.notifier.tell(user, N_("You are now a {role} of the help desk."), role=label)
    else:
        turn.reply(N_("User {id} is no longer a {role}."), id=user_id, role=label)


async def link(turn: Turn, command: Command, *, linked: bool) -> None:
    require_admin(turn.actor)
    words = command.words()
    numbers = [w.lstrip("#") for w in words]
    if len(numbers) != 2 or not all(n.isdigit() for n in numbers):
        raise Refused(
            N_("Usage: /{command} USER_ID CATEGORY_ID (see /scenarios for the ids)"),
            command="link" if linked else "unlink",
        )
    user_id, scenario_id = (int(n) for n in numbers)
    try:
        user = await people.get(turn.db, user_id)
        scenario = await catalog.get_scenario(turn.db, scenario_id)
        if linked:
            await people.link(turn.db, user_id, scenario_id, turn.ctx.now)
        else:
            await people.unlink(turn.db, user_id, scenario_id)
    except NotFound as exc:
        raise Refused(
            N_("There is no user {user} or no category {category}."),
            user=user_id,
            category=scenario_id,
        ) from exc
    except Conflict as exc:  # pragma: no cover - a simultaneous identical link
        raise Refused(N_("That did not work; please try again.")) from exc
    await turn.audit("link" if linked else "unlink", f"user:{user_id}", scenario=scenario_id)
    if linked:
        turn.reply(
            N_("User {user} now helps in {category}."), user=user_id, category=scenario.title
        )
        if user.id != turn.user.id:
            turn.notifier.tell(
                user,
                N_("You are now a helper in {category}. Press Take next when you are ready."),
                buttons=lambda t: [[take_button(t)]],
                category=scenario.title,
            )
    else:
        turn.reply(
            N_("User {user} no longer helps in {category}."),
            user=user_id,
            category=scenario.title,
        )
    await turn.reload()


async def scenarios(turn: Turn, _command: Command) -> None:
    require_admin(turn.actor)
    rows = await catalog.list_scenarios(turn.db)
    if not rows:
        turn.reply(N_("There are no categories yet: add them with relaybot helpdesk."))
        return
    t = turn.t
    lines = [t(N_("Categories (id: place / kind of help):"))]
    for scenario in rows:
        line = f"{scenario.id}: {scenario.title}"
        if not scenario.active:
            line += " " + t(N_("(inactive)"))
        lines.append(line)
    turn.ctx.reply("\n".join(lines), buttons=turn.menu_buttons())


async def try_role(turn: Turn, choice: str) -> None:
    """Demo only: the visitor gives themselves a role to see the help desk from that side."""
    user = turn.user
    now = turn.ctx.now
    if choice == "provider":
        active = await turn.db.scalars(select(Scenario.id).where(Scenario.active.is_(True)))
        for scenario_id in active:
            await people.link(turn.db, user.id, scenario_id, now)
    elif choice == "moderator":
        user.is_moderator = True
    elif choice == "admin":
        user.is_admin = True
    elif choice == "requester":
        await turn.db.execute(delete(UserScenario).where(UserScenario.user_id == user.id))
        user.is_moderator = False
        user.is_admin = False
    else:
        raise Refused(N_("There is no such role to try."))
    await turn.db.flush()
    await turn.audit("try-role", f"user:{user.id}", role=choice)
    await turn.reload()
    t = turn.t
    roles = ", ".join(t(ROLE_LABELS[r]) for r in Role if r in turn.actor.roles)
    turn.menu(N_("Done. Your roles: {roles}."), roles=roles)


async def try_menu(turn: Turn, command: Command) -> None:
    """Demo only: offer the roles, or take the one named."""
    if not turn.self_service:
        raise Refused(N_("Trying roles is not available on this help desk."))
    t = turn.t
    choice = command.arg.strip().lower()
    if choice:
        await try_role(turn, choice)
        return
    turn.reply(
        N_(
            "This is a demo help desk, so you may try every role yourself. To play both "
            "sides of a conversation, open the chat in a second (private) browser window "
            "too."
        ),
        buttons=[
            [Button(t(N_("Helper in every category")), payload("try", "provider"))],
            [Button(t(N_("Moderator")), payload("try", "moderator"))],
            [Button(t(N_("Administrator")), payload("try", "admin"))],
            [Button(t(N_("Just a requester again")), payload("try", "requester"))],
            [Button(t(N_("Menu")), payload("menu"))],
        ],
    )
