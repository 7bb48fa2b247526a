"""What every screen of the conversation shares: the person, their role, and how to answer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from relaybot import N_, BotConfig, Button, ButtonsSpec, Context, Payload, Translator

from ..bookings import Bookings, Refused
from ..catalog import Catalog
from ..models import User
from ..notifications import Notifier
from ..slots import SlotCache
from ..users import Actor, booking_bots
from .payloads import MainMenu

FollowUp = Callable[["Screen"], Awaitable[None]]
# The screen of the update being handled, for the router's handlers and the flows' callables.
_CURRENT: ContextVar[Screen] = ContextVar("booking_screen")
# Work a form's completion leaves for after the form engine has closed the form.
_FOLLOW_UPS: ContextVar[list[FollowUp] | None] = ContextVar("booking_follow_ups", default=None)


def screen_of(ctx: Context | None) -> Screen:
    """The screen of the update `ctx` belongs to (a flow's view passes its own `ctx`)."""
    screen = _CURRENT.get()
    if ctx is None or screen.ctx is not ctx:
        raise RuntimeError("a booking screen was asked for outside its own update")
    return screen


def after_form(action: FollowUp) -> None:
    pending = _FOLLOW_UPS.get()
    if pending is not None:
        pending.append(action)


@dataclass(frozen=True)
class Options:
    """Per-bot options of the booking app (`options` in the bot's settings)."""

    auto_confirm: bool = True
    horizon_days: int = 60
    phone_region: str = "KG"
    currency: str = "KGS"

    @classmethod
    def of(cls, bot: BotConfig) -> Options:
        raw = bot.options
        return cls(
            auto_confirm=bool(raw.get("auto_confirm", True)),
            horizon_days=max(1, min(365, int(raw.get("horizon_days", 60)))),
            phone_region=str(raw.get("phone_region", "KG")),
            currency=str(raw.get("currency", "KGS")).upper()[:3],
        )


@dataclass
class Screen:
    ctx: Context
    actor: Actor
    cache: SlotCache
    options: Options
    _notifier: Notifier | None = field(default=None, init=False, repr=False)

    @property
    def t(self) -> Translator:
        return self.ctx.t

    @property
    def user(self) -> User:
        return self.actor.user

    @property
    def now(self) -> datetime:
        return self.ctx.now

    def say(self, text: str, buttons: ButtonsSpec = None) -> None:
        self.ctx.reply(text, buttons=buttons)

    def button(self, label: str, payload: Payload, **values: Any) -> Button:
        return payload.button(self.t(label, **values))

    def menu_button(self) -> Button:
        return MainMenu().button(self.t(N_("Main menu")))

    def refuse(self, refused: Refused) -> None:
        """A polite no: the reason in the person's language, and the way back to the menu."""
        values = {k: self.t(v) if isinstance(v, str) else v for k, v in refused.values.items()}
        self.say(self.t(refused.message, **values), buttons=[self.menu_button()])

    @property
    def notifier(self) -> Notifier:
        if self._notifier is None:
            self._notifier = Notifier(
                self.ctx,
                default_locale=self.ctx.settings.default_locale,
                bots=booking_bots(self.ctx.settings),
            )
        return self._notifier

    def bookings(self) -> Bookings:
        return Bookings(
            self.ctx.db, self.cache, self.notifier, now=self.now, channel=self.ctx.bot.channel
        )

    def catalog(self) -> Catalog:
        return Catalog(self.ctx.db, self.actor, channel=self.ctx.bot.channel, now=self.now)

    async def serve(self, handle: Callable[[Context], Awaitable[Any]]) -> None:
        """Run `handle` for this screen's update: a refusal is answered politely, and the
        screens a closed form leaves behind are shown once its state is gone."""
        pending: list[FollowUp] = []
        follow_token = _FOLLOW_UPS.set(pending)
        screen_token = _CURRENT.set(self)
        try:
            await self._politely(handle(self.ctx))
            if pending:
                await self.ctx.db.flush()
            for follow_up in pending:
                await self._politely(follow_up(self))
        finally:
            _CURRENT.reset(screen_token)
            _FOLLOW_UPS.reset(follow_token)

    async def _politely(self, action: Awaitable[Any]) -> None:
        try:
            await action
        except Refused as refused:
            self.refuse(refused)


def rows_of(buttons: list[Button], width: int) -> list[list[Button]]:
    return [buttons[i : i + width] for i in range(0, len(buttons), width)]
