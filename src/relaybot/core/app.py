"""The contract between the runtime and an app: an `App` handles one `Context` at a time.

The worker builds a `Context` for every update inside the database transaction that will
also mark the update processed; whatever the app replies is written to the outbox in that
same transaction, so an app never talks to a channel and never sends twice.
"""

from __future__ import annotations

import abc
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

import msgspec

from relaybot.core.bots import BotConfig
from relaybot.core.calls import (
    CallResult,
    HttpCall,
    InvalidCall,
    PendingCall,
    TaskCall,
    TaskFunction,
    call_id,
    check_tag,
    result_of,
)
from relaybot.core.commands import parse_command
from relaybot.core.i18n import Translator, normalize_locale, translator
from relaybot.core.types import Address, Attachment, Button, OutgoingMessage, Update

if TYPE_CHECKING:
    import click
    from fastapi import APIRouter
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from relaybot.config import Settings
    from relaybot.core.jobs import Job


class StateStorage(Protocol):
    """Dialog state for one (bot, chat), kept in the database, never only in memory."""

    async def load(self, bot: str, chat_id: str) -> DialogState | None: ...

    async def save(self, bot: str, chat_id: str, state: DialogState) -> None: ...

    async def clear(self, bot: str, chat_id: str) -> None: ...


class Journal(Protocol):
    """Rows an app only appends (logs, outcomes): written with the update's transaction.

    The dialog engine writes through the two named methods, so it needs no table classes;
    `add` stays for an app's own append-only models.
    """

    def add(self, model: type[Any], /, **values: Any) -> None: ...

    def message_logged(
        self,
        *,
        bot: str,
        chat_id: str,
        client_id: str,
        message_id: str,
        text: str,
        dialog_state: str,
        success: bool,
        error_reason: str | None,
        created_at: datetime,
    ) -> None:
        """One message a dialog saw, and whether it moved the dialog on."""
        ...

    def dialog_finished(
        self,
        *,
        bot: str,
        chat_id: str,
        flow: str,
        completed: bool,
        dropoff_state: str | None,
        reason: str,
        total_messages: int,
        duration_seconds: float,
        started_at: datetime,
        finished_at: datetime,
    ) -> None:
        """How a dialog ended: completed, or the step where the person left and why."""
        ...

    def checkpoint(self) -> Callable[[], None]:
        """A way back: calling the returned function takes back every row added since, for an
        action that is undone before the update commits."""
        ...


@dataclass
class DialogState:
    """Where one chat's dialog stands: the flow, its step and the answers so far.

    Kept in the database between updates, so a restarted worker carries on where it was.
    """

    flow: str
    step: str
    data: dict[str, Any] = field(default_factory=dict)
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    updated_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    expires_at: datetime | None = None
    messages: int = 0


ButtonsSpec = Sequence[Sequence[Button]] | Sequence[Button] | None
"""Buttons for `Context.reply`: rows of buttons, or a flat list laid out one to a row."""


def button_rows(buttons: ButtonsSpec) -> tuple[tuple[Button, ...], ...]:
    """Accept a flat list (one button per row) or rows of buttons."""
    if not buttons:
        return ()
    rows: list[tuple[Button, ...]] = []
    for item in buttons:
        if isinstance(item, Button):
            rows.append((item,))
        else:
            rows.append(tuple(item))
    return tuple(rows)


@dataclass
class Context:
    """Everything an app may use while handling one update."""

    update: Update
    bot: BotConfig
    settings: Settings
    db: AsyncSession
    storage: StateStorage
    journal: Journal
    t: Translator
    now: datetime
    outgoing: list[tuple[Address, OutgoingMessage]] = field(default_factory=list)
    calls: list[PendingCall] = field(default_factory=list)
    handler: str = ""
    """The handler the router chose for this update, as logs and metrics name it."""

    @property
    def locale(self) -> str:
        """The locale this update is answered in (the person's, or the bot's default)."""
        return self.t.locale

    def use_locale(self, locale: str | None) -> None:
        """Speak `locale` from now on in this update (a language the person chose)."""
        if locale:
            self.t = translator(normalize_locale(locale, self.t.locale))

    @property
    def address(self) -> Address:
        """The chat this update came from: where `reply` sends."""
        return Address(self.update.bot, self.update.chat_id)

    @property
    def command(self) -> str | None:
        """The command a typed message starts with ("find" for "/find@shop_bot red shoes")."""
        if self.update.payload:
            return None
        parsed = parse_command(self.update.text)
        return None if parsed is None else parsed[0]

    @property
    def args(self) -> str:
        """The text after the command ("red shoes"); empty when there is no command."""
        if self.update.payload:
            return ""
        parsed = parse_command(self.update.text)
        return "" if parsed is None else parsed[1]

    def reply(
        self,
        text: str,
        *,
        buttons: ButtonsSpec = None,
        media: Sequence[Attachment] = (),
        meta: Mapping[str, Any] | None = None,
        menu: ButtonsSpec = None,
    ) -> None:
        """Answer in the chat the update came from; the message leaves with this transaction."""
        self.send(self.address, text, buttons=buttons, media=media, meta=meta, menu=menu)

    def send(
        self,
        to: Address,
        text: str,
        *,
        buttons: ButtonsSpec = None,
        media: Sequence[Attachment] = (),
        meta: Mapping[str, Any] | None = None,
        menu: ButtonsSpec = None,
    ) -> None:
        """Queue a message to any chat of any configured bot; it leaves with this transaction.

        `meta` carries channel-neutral hints (such as a form) that channels may use or ignore.
        `menu` sets the chat's persistent menu (rows of buttons; `[]` takes it away; None,
        the default, leaves it as it is).
        """
        message = OutgoingMessage(
            text=text,
            buttons=button_rows(buttons),
            media=tuple(media),
            meta=dict(meta or {}),
            menu=None if menu is None else button_rows(menu),
        )
        self.outgoing.append((to, message))

    def set_menu(self, menu: ButtonsSpec) -> bool:
        """Give this chat the persistent menu `menu` (`[]` takes it away) with this update's
        replies: it rides on the last reply here without buttons of its own, else on the last
        reply here (a Telegram message holds one keyboard). False when nothing was replied."""
        rows = button_rows(menu)
        mine = [i for i, (address, _) in enumerate(self.outgoing) if address == self.address]
        if not mine:
            return False
        plain = [i for i in mine if not self.outgoing[i][1].buttons]
        position = (plain or mine)[-1]
        address, message = self.outgoing[position]
        self.outgoing[position] = (address, msgspec.structs.replace(message, menu=rows))
        return True

    def call(self, request: HttpCall | TaskCall, *, tag: str) -> str:
        """Call another service once this update commits; returns the call's id.

        The call is made outside any transaction, retried with backoff, and sends its id as
        the idempotency key (the `Idempotency-Key` header, or a task's `idempotency_key`).
        Its `CallResult` comes back as an update of its own, routed by `Router.result(tag)`.
        """
        if not isinstance(request, HttpCall | TaskCall):
            raise InvalidCall(f"ctx.call needs an HttpCall or a TaskCall, not {request!r}")
        pending = PendingCall(
            id=call_id(self.update.bot, self.update.update_id, len(self.calls)),
            tag=check_tag(tag),
            request=request,
        )
        self.calls.append(pending)
        return pending.id

    @property
    def result(self) -> CallResult | None:
        """The result of a call this chat made, when that is what this update brings."""
        return result_of(self.update)


class Dispatcher(Protocol):
    """What `App.handle` hands each update to: a router, or anything that routes the same way."""

    async def dispatch(self, ctx: Context) -> bool:
        """Handle the update; False when nothing in it matched."""
        ...


class App(abc.ABC):
    """A bundled or user-written bot. Subclasses set `name`, and `router` or `handle`."""

    name: ClassVar[str]
    title: ClassVar[str]
    description: ClassVar[str] = ""
    router: Dispatcher | None = None

    def __init__(self, bot: BotConfig, settings: Settings) -> None:
        self.bot = bot
        self.settings = settings

    async def handle(self, ctx: Context) -> None:
        """React to one update: by default through `self.router`. Raise only for bugs: bad
        input is answered, not raised."""
        if self.router is None:
            raise NotImplementedError(f"{type(self).__name__} sets no router and no handle()")
        await self.router.dispatch(ctx)

    @classmethod
    def migrations_dir(cls) -> Path | None:
        """Alembic revisions for the app's own tables, on its own branch: `migrations/` beside
        the app's module, when there is one."""
        return cls._beside_module("migrations")

    @classmethod
    def locales_dir(cls) -> Path | None:
        """`<lang>.po` catalogues of the app's texts: `locales/` beside its module."""
        return cls._beside_module("locales")

    @classmethod
    def _beside_module(cls, name: str) -> Path | None:
        module_file = getattr(sys.modules.get(cls.__module__), "__file__", None)
        if module_file is None:
            return None
        folder = Path(module_file).resolve().parent / name
        return folder if folder.is_dir() else None

    @classmethod
    def cli(cls) -> click.Group | None:
        """The app's own `relaybot <name> ...` commands, when it has any."""
        return None

    @classmethod
    def jobs(cls, settings: Settings) -> Sequence[Job]:
        """Periodic work of the app, run by the `scheduler` role once per due time."""
        return ()

    @classmethod
    def tasks(cls, settings: Settings) -> Mapping[str, TaskFunction]:
        """Async tasks `Context.call(TaskCall(name, args), ...)` may run, by name."""
        return {}

    @classmethod
    def api_router(
        cls, settings: Settings, sessions: async_sessionmaker[AsyncSession]
    ) -> APIRouter | None:
        """REST routes for the app, mounted once by the gateway whatever the number of bots."""
        return None
