"""One update of the help desk: who wrote, what they asked for, and what everyone is told.

Each action runs in a savepoint: when it is refused, the database and the outgoing messages
are as they were before it, and the person gets the reason and the menu instead.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
from sqlalchemy import select

from relaybot.core.app import Context
from relaybot.core.i18n import N_
from relaybot.core.types import Button
from relaybot.store.audit import audit

from .. import demands, people
from ..models import OPEN_STATUSES, Demand, DemandMessage, HelpdeskUser, Scenario
from ..options import DeskOptions
from ..queue import former_providers, providers_for, take_next
from ..roles import ROLE_LABELS, Actor, Label, Refused, require_moderator
from . import admin, compose
from .commands import Command, parse, payload
from .notify import Notifier
from .render import (
    demand_head,
    demand_line,
    history_lines,
    member_label,
    portable_media,
    preview,
    role_buttons,
    switch_button,
    take_button,
    text,
)

MAX_ATTACHMENTS = 10

GREETING = N_(
    "Hello! This is a help desk: tell us what you need, and a person who can help will "
    "answer you right here."
)
HELP = N_(
    "How it works: choose New request, pick a place and the kind of help, and describe what "
    "you need. A helper takes your request and you talk here; close it when you got help.\n\n"
    "Typed commands: /menu, /new, /my, /open N, /exit, /history, /close, /cancel, /id.\n"
    "Helpers: /next takes the next waiting request, /decline gives it back.\n"
    "Moderators: /queue [status], /join N, /leave N.\n"
    "Administrators: /scenarios, /link USER CATEGORY, /unlink USER CATEGORY, "
    "/grant USER ROLE, /revoke USER ROLE."
)


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
            await self.guarded(self.free_text)
            return
        handler = self._handlers().get(command.name, self.do_unknown)
        await self.guarded(lambda: handler(command))

    def _handlers(self) -> dict[str, Callable[[Command], Awaitable[None]]]:
        return {
            "start": self.do_start,
            "menu": self.do_menu,
            "help": self.do_help,
            "id": self.do_id,
            "new": self.do_new,
            "place": self.do_stale,
            "scenario": self.do_stale,
            "stop": self.do_stale,
            "mine": self.do_mine,
            "next": self.do_next,
            "decline": self.do_decline,
            "close": self.do_close,
            "cancel": self.do_cancel,
            "open": self.do_open,
            "exit": self.do_exit,
            "history": self.do_history,
            "queue": self.do_queue,
            "join": self.do_join,
            "leave": self.do_leave,
            "try": self.do_try,
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

    # -- requester ----------------------------------------------------------------------------
    async def do_new(self, _command: Command) -> None:
        await compose.start(self)

    async def created(self, demand: Demand, message: DemandMessage) -> None:
        """Tell the requester and every helper of the category about a new request."""
        helpers = await providers_for(
            self.db, demand.scenario_id, exclude=frozenset({self.user.id})
        )
        parts = [
            self.t(
                N_(
                    "Your request #{number} is created ({category}). We will tell you here "
                    "when a helper takes it. Anything you write now is added to the request."
                ),
                number=demand.id,
                category=demand.scenario.title,
            )
        ]
        if not helpers:
            parts.append(
                self.t(
                    N_(
                        "No helper is linked to this category yet, so it may take longer; "
                        "moderators can see your request."
                    )
                )
            )
        self.ctx.reply("\n\n".join(parts), buttons=role_buttons(self.t, demand, "requester"))
        for helper in helpers:
            self.notifier.tell(
                helper,
                N_("New request #{number} in {category}: {preview}"),
                buttons=lambda t: [[take_button(t)]],
                number=demand.id,
                category=demand.scenario.title,
                preview=preview(message.text, 200),
            )

    async def free_text(self) -> None:
        demand_id = self.user.current_demand_id
        if demand_id is None:
            self.menu(GREETING if self.first_contact else N_("You are not in a conversation now."))
            return
        demand = await demands.find(self.db, demand_id)
        if demand is None or demand.status not in OPEN_STATUSES:
            self.user.current_demand_id = None
            self.menu(
                N_("Request #{number} is finished, so your message was not delivered."),
                number=demand_id,
            )
            return
        message, role = await demands.post(
            self.db,
            self.actor,
            demand_id,
            text=self.ctx.update.text,
            attachments=self.attachments(),
            now=self.ctx.now,
        )
        delivered = await self.relay(demand, message, role)
        if not delivered:
            self.reply(
                N_(
                    "Saved with request #{number}. The helper will see it when they take "
                    "the request."
                ),
                number=demand_id,
            )

    async def relay(self, demand: Demand, message: DemandMessage, role: str) -> int:
        """Send a participant's message to the other active participants; how many got it."""
        count = 0
        for member in await demands.members(self.db, demand.id):
            if member.user.id == self.user.id:
                continue
            t = self.notifier.t_for(member.user)
            media, hidden = portable_media([(message, self.user)], member.user)
            if message.text:
                body = t(
                    N_("#{number} · {role}: {text}"),
                    number=demand.id,
                    role=member_label(t, role),
                    text=message.text,
                )
            else:
                body = t(
                    N_("#{number} · {role} sent an attachment."),
                    number=demand.id,
                    role=member_label(t, role),
                )
            if hidden:
                body += "\n" + t(
                    N_("({count} attachment(s) cannot be shown on this channel.)"), count=hidden
                )
            buttons = None
            if member.user.current_demand_id != demand.id:
                buttons = [[switch_button(t, demand.id)]]
            if self.notifier.can_reach(member.user):
                self.notifier.send_raw(member.user, body, buttons=buttons, media=media)
                count += 1
        return count

    async def do_close(self, command: Command) -> None:
        number = self.target_of(command)
        before = await demands.members(self.db, number)
        was_requester = any(m.user.id == self.user.id and m.role == "requester" for m in before)
        was_helped = any(m.role == "provider" for m in before)
        demand = await demands.close(self.db, self.actor, number, now=self.ctx.now)
        if was_requester:
            if was_helped:
                self.menu(
                    N_("Request #{number} is closed. We are glad you got help!"), number=number
                )
            else:
                self.menu(N_("Request #{number} is closed."), number=number)
            who = Label(N_("the requester"))
        else:
            await self.audit("close", f"demand:{number}")
            self.menu(N_("You closed request #{number}."), number=number)
            who = Label(N_("a moderator"))
        for member in before:
            if member.user.id != self.user.id:
                self.notifier.tell(
                    member.user,
                    N_("Request #{number} ({category}) was closed by {who}."),
                    number=number,
                    category=demand.scenario.title,
                    who=who,
                )

    async def do_cancel(self, command: Command) -> None:
        number = self.target_of(command)
        before = await demands.members(self.db, number)
        demand = await demands.cancel(self.db, self.actor, number, now=self.ctx.now)
        self.menu(N_("Request #{number} is cancelled."), number=number)
        for member in before:
            if member.user.id != self.user.id:
                self.notifier.tell(
                    member.user,
                    N_("Request #{number} ({category}) was cancelled by the requester."),
                    number=number,
                    category=demand.scenario.title,
                )

    # -- everyone in a request ------------------------------------------------------------------
    async def do_mine(self, _command: Command) -> None:
        t = self.t
        limit = self.options.list_limit
        sections: list[str] = []
        switchable: list[int] = []
        own = await demands.mine(self.db, self.actor, limit=limit)
        if own:
            sections.append("\n".join([t(N_("Your requests:")), *(demand_line(t, d) for d in own)]))
            switchable += [d.id for d in own if d.status in OPEN_STATUSES]
        if self.actor.is_provider:
            held = await demands.held(self.db, self.actor)
            lines = [demand_line(t, d) for d in held] or [t(N_("(none)"))]
            sections.append("\n".join([t(N_("Requests you are helping with:")), *lines]))
            switchable += [d.id for d in held]
        if self.actor.can_moderate:
            followed = await demands.following(self.db, self.actor)
            if followed:
                sections.append(
                    "\n".join(
                        [t(N_("Requests you follow:")), *(demand_line(t, d) for d in followed)]
                    )
                )
                switchable += [d.id for d in followed]
        if not sections:
            self.reply(
                N_("You have no requests yet."),
                buttons=[[Button(t(N_("New request")), payload("new"))], *self.menu_buttons()[1:]],
            )
            return
        current = self.user.current_demand_id
        rows = [
            [switch_button(t, number)] for number in dict.fromkeys(switchable) if number != current
        ][:limit]
        rows.extend(self.menu_buttons())
        self.ctx.reply("\n\n".join(sections), buttons=rows)

    async def do_open(self, command: Command) -> None:
        number = command.number()
        if number is None:
            raise Refused(N_("Which request? Give its number, for example /open 12."))
        demand, role = await demands.switch_to(self.db, self.actor, number)
        await self.enter(demand, role, N_("You are back in this request."), limit=5)

    async def do_exit(self, _command: Command) -> None:
        if self.user.current_demand_id is None:
            self.menu(N_("You are not in a conversation now."))
            return
        self.user.current_demand_id = None
        self.menu(
            N_(
                "You left the conversation. Messages of your requests still reach you here; "
                "press Switch under one to answer it."
            )
        )

    async def do_history(self, command: Command) -> None:
        number = self.target_of(command)
        demand = await demands.readable(self.db, self.actor, number)
        lines = [
            demand_head(self.t, demand),
            "",
            *await self._history(demand, self.options.history_limit),
        ]
        media = await self._history_media(demand, self.options.history_limit)
        self.ctx.reply("\n".join(lines), media=media, buttons=self.menu_buttons())

    async def _history(self, demand: Demand, limit: int) -> list[str]:
        messages = await demands.history(self.db, demand.id, limit=limit)
        total = await demands.count_messages(self.db, demand.id)
        return history_lines(self.t, messages, total=total)

    async def _history_media(self, demand: Demand, limit: int) -> list[Any]:
        messages = await demands.history(self.db, demand.id, limit=limit)
        if not any(m.attachments for m in messages):
            return []
        authors = {
            u.id: u
            for u in await self.db.scalars(
                select(HelpdeskUser).where(HelpdeskUser.id.in_({m.author_id for m in messages}))
            )
        }
        media, _hidden = portable_media([(m, authors[m.author_id]) for m in messages], self.user)
        return media

    async def enter(
        self, demand: Demand, role: str, intro: str, *, limit: int | None = None
    ) -> None:
        """Show the person the request they are now in: what it is and what was said."""
        limit = limit or self.options.history_limit
        t = self.t
        lines = [
            t(intro),
            demand_head(t, demand),
            "",
            t(N_("The conversation so far:")),
            *await self._history(demand, limit),
            "",
            t(N_("What you write now goes to this request.")),
        ]
        self.ctx.reply(
            "\n".join(lines),
            buttons=role_buttons(t, demand, role),
            media=await self._history_media(demand, limit),
        )

    # -- provider -----------------------------------------------------------------------------
    async def do_next(self, _command: Command) -> None:
        demand = await take_next(
            self.db, self.actor, now=self.ctx.now, max_active=self.options.provider_max_active
        )
        if demand is None:
            self.reply(
                N_(
                    "No request is waiting in your categories right now. We will tell you "
                    "when a new one arrives."
                ),
                buttons=self.menu_buttons(),
            )
            return
        await self.enter(demand, "provider", N_("You are now helping with this request."))
        for member in await demands.members(self.db, demand.id):
            if member.user.id == self.user.id:
                continue
            if member.role == "requester":
                switch = member.user.current_demand_id != demand.id
                self.notifier.tell(
                    member.user,
                    N_(
                        "Good news: a helper has taken your request #{number}. Write here to "
                        "talk to them."
                    ),
                    buttons=(lambda t: [[switch_button(t, demand.id)]]) if switch else None,
                    number=demand.id,
                )
            else:
                self.notifier.tell(
                    member.user, N_("A helper has taken request #{number}."), number=demand.id
                )

    async def do_decline(self, command: Command) -> None:
        number = self.target_of(command)
        demand = await demands.decline(self.db, self.actor, number, now=self.ctx.now)
        self.menu(
            N_(
                "You declined request #{number}. It is back in the queue, first in line for "
                "the next helper."
            ),
            number=number,
        )
        members = await demands.members(self.db, number)
        for member in members:
            if member.role == "requester":
                self.notifier.tell(
                    member.user,
                    N_(
                        "The helper had to step back from your request #{number}. It is first "
                        "in line for the next helper; you can keep writing here."
                    ),
                    number=number,
                )
            else:
                self.notifier.tell(
                    member.user,
                    N_("The helper declined request #{number}; it is back in the queue."),
                    number=number,
                )
        exclude = await former_providers(self.db, number) | {m.user.id for m in members}
        for helper in await providers_for(self.db, demand.scenario_id, exclude=exclude):
            self.notifier.tell(
                helper,
                N_("Request #{number} in {category} is waiting for a helper again."),
                buttons=lambda t: [[take_button(t)]],
                number=number,
                category=demand.scenario.title,
            )

    # -- moderator ----------------------------------------------------------------------------
    async def do_queue(self, command: Command) -> None:
        require_moderator(self.actor)
        status = command.arg.strip().lower().replace("-", "_").replace(" ", "_")
        if status:
            await self._status_list(status)
        else:
            await self._status_overview()

    async def _status_overview(self) -> None:
        t = self.t
        counts = await demands.status_counts(self.db)
        rows = [
            [
                Button(
                    t(N_("{status}: {count}"), status=t(demands.status_label(s)), count=n),
                    payload("queue", s),
                )
            ]
            for s, n in counts.items()
        ]
        rows.append([Button(t(N_("Menu")), payload("menu"))])
        self.reply(N_("Requests by status. Choose one to see them."), buttons=rows)

    async def _status_list(self, status: str) -> None:
        t = self.t
        found, total = await demands.by_status(
            self.db, self.actor, status, limit=self.options.list_limit
        )
        label = t(demands.status_label(status))
        if not found:
            self.reply(N_("No requests are {status}."), buttons=self.menu_buttons(), status=label)
            return
        lines = [t(N_("Requests {status}: {total}"), status=label, total=total)]
        lines += [demand_line(t, d) for d in found]
        rows: list[list[Button]] = []
        for demand in found:
            if demand.status in OPEN_STATUSES:
                label = t(N_("Join #{number}"), number=demand.id)
                rows.append([Button(label, payload("join", demand.id))])
            else:
                label = t(N_("History of #{number}"), number=demand.id)
                rows.append([Button(label, payload("history", demand.id))])
        rows.extend(self.menu_buttons())
        self.ctx.reply("\n".join(lines), buttons=rows)

    async def do_join(self, command: Command) -> None:
        number = command.number()
        if number is None:
            require_moderator(self.actor)
            raise Refused(N_("Which request? Give its number, for example /join 12."))
        already = await demands.role_in(self.db, number, self.user.id)
        demand = await demands.join(self.db, self.actor, number, now=self.ctx.now)
        role = already or "moderator"
        if already is None:
            await self.audit("join", f"demand:{number}")
            for member in await demands.members(self.db, number):
                if member.user.id != self.user.id:
                    self.notifier.tell(
                        member.user, N_("A moderator has joined request #{number}."), number=number
                    )
        await self.enter(demand, role, N_("You are in this request as a moderator."))

    async def do_leave(self, command: Command) -> None:
        number = self.target_of(command)
        await demands.leave(self.db, self.actor, number, now=self.ctx.now)
        await self.audit("leave", f"demand:{number}")
        self.menu(N_("You no longer follow request #{number}."), number=number)

    # -- demo ---------------------------------------------------------------------------------
    async def do_try(self, command: Command) -> None:
        if not self.self_service:
            raise Refused(N_("Trying roles is not available on this help desk."))
        t = self.t
        choice = command.arg.strip().lower()
        if not choice:
            self.reply(
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
            return
        await admin.try_role(self, choice)


def _rank(role: Any) -> int:
    order = ("requester", "provider", "moderator", "admin")
    return order.index(str(role))
