"""One update of the help desk: who wrote, what they asked for, and what everyone is told.

Each action runs in a savepoint: when it is refused, the database and the outgoing messages
are as they were before it, and the person gets the reason and the menu instead.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
from sqlalchemy import select

from relaybot import N_, Button, Context, audit

from .. import people
from ..models import HelpdeskUser, Scenario
from ..options import DeskOptions
from ..roles import ROLE_LABELS, Actor, Refused
from . import admin, compose, conversation, lifecycle, moderation
from .commands import Command, parse, payload
from .notify import Notifier
from .render import take_button, text
from .texts import GREETING, HELP

MAX_ATTACHMENTS = 10


class Turn:
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

    # -- dispatch -----------------------------------------------------------------------------
    async def run(self) -> None:
        command = parse(self.ctx.update)
        state = await compose.load(self.ctx)
        if state is not None and (command is None or command.name in compose.COMMANDS):
            await self.guarded(lambda: compose.step(self, state, command))
            return
        if state is not None:
            await compose.clear(self.ctx)  # any other command leaves the unfinished request
        if command is None:
            await self.guarded(lambda: conversation.free_text(self))
            return
        handler = self._handlers().get(command.name, self.do_unknown)
        await self.guarded(lambda: handler(command))

    def _handlers(self) -> dict[str, Callable[[Command], Awaitable[None]]]:
        return {
            "start": self.do_start,
            "menu": self.do_menu,
            "help": self.do_help,
            "id": self.do_id,
            "new": lambda _c: compose.start(self),
            "place": self.do_stale,
            "scenario": self.do_stale,
            "stop": self.do_stale,
            "mine": lambda c: conversation.mine(self, c),
            "next": lambda c: lifecycle.next_(self, c),
            "decline": lambda c: lifecycle.decline(self, c),
            "close": lambda c: lifecycle.close(self, c),
            "cancel": lambda c: lifecycle.cancel(self, c),
            "open": lambda c: conversation.open_(self, c),
            "exit": lambda c: conversation.exit_(self, c),
            "history": lambda c: conversation.history(self, c),
            "queue": lambda c: moderation.queue(self, c),
            "join": lambda c: moderation.join(self, c),
            "leave": lambda c: moderation.leave(self, c),
            "try": lambda c: admin.try_menu(self, c),
            "grant": lambda c: admin.grant(self, c, enabled=True),
            "revoke": lambda c: admin.grant(self, c, enabled=False),
            "link": lambda c: admin.link(self, c, linked=True),
            "unlink": lambda c: admin.link(self, c, linked=False),
            "scenarios": lambda c: admin.scenarios(self, c),
        }

    async def guarded(self, action: Callable[[], Awaitable[None]]) -> None:
        mark = len(self.ctx.outgoing)
        try:
            async with self.db.begin_nested():
                await action()
        except Refused as refusal:
            del self.ctx.outgoing[mark:]
            self.actor = await people.load_actor(self.db, self.actor.id)
            self.reply(refusal.message, buttons=self.menu_buttons(), **refusal.values)

    # -- small helpers ------------------------------------------------------------------------
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

    def target_of(self, command: Command) -> int:
        number = command.number()
        if number is None and not command.arg:
            number = self.user.current_demand_id
        if number is None:
            raise Refused(
                N_("Which request? Give its number, for example /{command} 12."),
                command=command.name,
            )
        return number

    def attachments(self) -> list[dict[str, Any]]:
        items = self.ctx.update.attachments[:MAX_ATTACHMENTS]
        return [msgspec.to_builtins(item) for item in items]

    async def reload(self) -> None:
        self.actor = await people.load_actor(self.db, self.actor.id)

    # -- menu ---------------------------------------------------------------------------------
    def menu_buttons(self) -> list[list[Button]]:
        t = self.t
        rows = [
            [
                Button(t(N_("New request")), payload("new")),
                Button(t(N_("My requests")), payload("mine")),
            ]
        ]
        if self.actor.is_provider:
            rows.append([take_button(t)])
        if self.actor.can_moderate:
            rows.append([Button(t(N_("All requests")), payload("queue"))])
        if self.user.current_demand_id is not None:
            rows.append([Button(t(N_("Leave the conversation")), payload("exit"))])
        last = [Button(t(N_("About me")), payload("id")), Button(t(N_("Help")), payload("help"))]
        if self.self_service:
            last.append(Button(t(N_("Try a role")), payload("try")))
        rows.append(last)
        return rows

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

    async def do_start(self, _command: Command) -> None:
        self.menu(GREETING)

    async def do_menu(self, _command: Command) -> None:
        self.menu()

    async def do_help(self, _command: Command) -> None:
        self.reply(HELP, buttons=self.menu_buttons())

    async def do_unknown(self, command: Command) -> None:
        self.reply(
            N_("I do not know the command /{command}. /help lists what I understand."),
            buttons=self.menu_buttons(),
            command=command.arg,
        )

    async def do_stale(self, _command: Command) -> None:
        self.reply(N_("That button is no longer active."), buttons=self.menu_buttons())

    async def do_id(self, _command: Command) -> None:
        t = self.t
        roles = ", ".join(t(ROLE_LABELS[role]) for role in sorted(self.actor.roles, key=_rank))
        lines = [
            t(N_("Your help desk id: {id}"), id=self.user.id),
            t(N_("Your roles: {roles}"), roles=roles),
        ]
        if self.actor.is_provider:
            titles = await self.scenario_titles(self.actor.scenario_ids)
            lines.append(t(N_("You help in: {categories}"), categories="; ".join(titles)))
        lines.append(t(N_("An administrator uses this id to make you a helper or a moderator.")))
        self.ctx.reply("\n".join(lines), buttons=self.menu_buttons())

    async def scenario_titles(self, ids: frozenset[int]) -> list[str]:
        rows = await self.db.scalars(select(Scenario).where(Scenario.id.in_(sorted(ids))))
        return sorted(s.title for s in rows.unique())

    # -- provider -----------------------------------------------------------------------------
    # -- demo ---------------------------------------------------------------------------------


def _rank(role: Any) -> int:
    order = ("requester", "provider", "moderator", "admin")
    return order.index(str(role))
