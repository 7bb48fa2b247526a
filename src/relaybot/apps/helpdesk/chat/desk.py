"""One update of the help desk: who wrote, what they may do, and what every action shares.

`HelpdeskApp.handle` opens a `Desk` for the update before the router runs; handlers reach it
with `desk(ctx)`. The menu, the replies and the audit log are written here once.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

import msgspec
from sqlalchemy import select

from relaybot import N_, Button, Context, Refused, audit

from .. import demands, people, switches
from ..models import OPEN_STATUSES, HelpdeskUser, Scenario
from ..options import DeskOptions
from ..roles import Actor
from .actions import AboutMe, AllRequests, Help, LeaveConversation, MyRequests, NewRequest, TryRoles
from .notify import Notifier
from .render import menu_button, role_buttons, take_button, text

MAX_ATTACHMENTS = 10
_NUMBER = re.compile(r"^#?(\d{1,18})$")
_current: ContextVar[Desk] = ContextVar("helpdesk_desk")


class Desk:
    """The person of this update as the help desk knows them, and how to answer them."""

    def __init__(
        self,
        ctx: Context,
        actor: Actor,
        *,
        options: DeskOptions,
        notifier: Notifier,
        self_service: bool,
        first_contact: bool,
    ) -> None:
        self.ctx = ctx
        self.db = ctx.db
        self.t = ctx.t
        self.actor = actor
        self.options = options
        self.notifier = notifier
        self.self_service = self_service
        self.first_contact = first_contact

    @property
    def user(self) -> HelpdeskUser:
        return self.actor.user

    def reply(self, message: str, *, buttons: Any = None, media: Any = (), **values: Any) -> None:
        self.ctx.reply(text(self.t, message, values), buttons=buttons, media=media)

    async def audit(self, action: str, target: str, **details: Any) -> None:
        """Moderator and admin actions go to the audit log, in this update's transaction."""
        await audit(
            self.db,
            actor=f"{self.user.channel}:{self.user.user_id}",
            channel=self.user.channel,
            bot=self.user.bot,
            action=f"helpdesk.{action}",
            target=target,
            at=self.ctx.now,
            details={"helpdesk_user": self.user.id, **details},
        )

    def number(self) -> int | None:
        """The request or user number a typed command starts its arguments with (`12`, `#12`)."""
        match = _NUMBER.match(self.ctx.args.split(" ", 1)[0].strip())
        return int(match.group(1)) if match else None

    def target(self, *, current: bool = True) -> int:
        """The request a typed command is about: its number, or (with `current`, when no
        argument is given) the current conversation."""
        number = self.number()
        if number is None and current and not self.ctx.args:
            number = self.user.current_demand_id
        if number is None:
            raise Refused(
                N_("Which request? Give its number, for example /{command} 12."),
                command=self.ctx.command,
            )
        return number

    def attachments(self) -> list[dict[str, Any]]:
        items = self.ctx.update.attachments[:MAX_ATTACHMENTS]
        return [msgspec.to_builtins(item) for item in items]

    async def reload(self) -> None:
        self.actor = await people.load_actor(self.db, self.actor.id)

    async def scenario_titles(self, ids: frozenset[int]) -> list[str]:
        rows = await self.db.scalars(select(Scenario).where(Scenario.id.in_(sorted(ids))))
        return sorted(s.title for s in rows.unique())

    def menu_buttons(self) -> list[list[Button]]:
        t = self.t
        rows = [
            [
                NewRequest().button(t(N_("New request"))),
                MyRequests().button(t(N_("My requests"))),
            ]
        ]
        if self.actor.is_provider:
            rows.append([take_button(t)])
        if self.actor.can_moderate:
            rows.append([AllRequests().button(t(N_("All requests")))])
        if self.user.current_demand_id is not None:
            rows.append([LeaveConversation().button(t(N_("Leave the conversation")))])
        last = [AboutMe().button(t(N_("About me"))), Help().button(t(N_("Help")))]
        if self.self_service:
            last.append(TryRoles().button(t(N_("Try a role"))))
        rows.append(last)
        return rows

    async def standing_menu(self) -> list[list[Button]]:
        """The chat's persistent menu: in a request, what the person can do there (close,
        cancel or decline it, its history, the menu); outside one, where to begin."""
        await self.reload()
        t = self.t
        number = self.user.current_demand_id
        if number is not None:
            demand = await demands.find(self.db, number)
            role = await demands.role_in(self.db, number, self.user.id)
            if demand is not None and role is not None and demand.status in OPEN_STATUSES:
                return role_buttons(t, demand, role)
        return [
            [
                NewRequest().button(t(N_("New request"))),
                MyRequests().button(t(N_("My requests"))),
            ],
            [menu_button(t), Help().button(t(N_("Help")))],
        ]

    def menu(self, intro: str | None = None, **values: Any) -> None:
        t = self.t
        parts = [text(t, intro, values)] if intro else []
        if self.user.current_demand_id is not None:
            parts.append(
                t(
                    N_("You are in request #{number}: what you write goes there."),
                    number=self.user.current_demand_id,
                )
            )
        parts.append(t(N_("What would you like to do?")))
        self.ctx.reply("\n\n".join(parts), buttons=self.menu_buttons())


@asynccontextmanager
async def opened(ctx: Context, options: DeskOptions, notifier: Notifier) -> AsyncIterator[Desk]:
    """The desk of this update, reachable with `desk(ctx)` while the router handles it."""
    user, first_contact = await people.touch(ctx.db, ctx.update, ctx.now)
    current = Desk(
        ctx,
        await people.actor_of(ctx.db, user),
        options=options,
        notifier=notifier,
        self_service=await switches.is_on(ctx.db, switches.SELF_SERVICE_ROLES),
        first_contact=first_contact,
    )
    token = _current.set(current)
    try:
        yield current
        await _keep_menu(current)
    finally:
        _current.reset(token)


async def _keep_menu(current: Desk) -> None:
    """This person's replies carry the chat's persistent menu as it now stands."""
    if any(address == current.ctx.address for address, _ in current.ctx.outgoing):
        current.ctx.set_menu(await current.standing_menu())


def desk(ctx: Context | None) -> Desk:
    """The desk of the update `ctx` belongs to (a flow's view passes its own `ctx`)."""
    current = _current.get(None)
    if current is None or current.ctx is not ctx:
        raise RuntimeError("the help desk handles updates only inside `opened(ctx, ...)`")
    return current
