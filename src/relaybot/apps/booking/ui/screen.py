"""What every screen of the conversation shares: the person, their role, and how to answer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from relaybot import N_, BotConfig, Button, ButtonsSpec, Context, DialogState, Flow, Translator

from ..bookings import Bookings, Refused
from ..catalog import Catalog
from ..models import User
from ..notifications import Notifier
from ..slots import SlotCache
from ..users import Actor, booking_bots

MENU = "bk:menu"

FollowUp = Callable[["Screen"], Awaitable[None]]
# Work a form's completion leaves for after the form engine has closed the form.
FOLLOW_UPS: ContextVar[list[FollowUp] | None] = ContextVar("booking_follow_ups", default=None)


def after_form(action: FollowUp) -> None:
    pending = FOLLOW_UPS.get()
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
    forms: Mapping[str, Flow] = field(default_factory=dict)
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

    def button(self, label: str, payload: str, **values: Any) -> Button:
        return Button(self.t(label, **values), payload)

    def menu_button(self) -> Button:
        return self.button(N_("Main menu"), MENU)

    def refuse(self, refused: Refused) -> None:
        """A polite no: the reason in the person's language, and the way back to the menu."""
        values = {k: self.t(v) if isinstance(v, str) else v for k, v in refused.values.items()}
        self.say(self.t(refused.message, **values), buttons=[self.menu_button()])

    def stale(self) -> None:
        self.say(self.t(N_("That button is no longer active.")), buttons=[self.menu_button()])

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
        return Bookings(self.ctx.db, self.cache, self.notifier, now=self.now)

    def catalog(self) -> Catalog:
        return Catalog(self.ctx.db, self.actor)

    # -- dialog state -------------------------------------------------------------------------
    async def load_state(self) -> DialogState | None:
        update = self.ctx.update
        return await self.ctx.storage.load(update.bot, update.chat_id)

    async def save_state(self, flow: str, step: str, data: dict[str, Any]) -> None:
        update = self.ctx.update
        ttl = timedelta(seconds=self.ctx.settings.dialog_ttl_seconds)
        state = DialogState(
            flow=flow,
            step=step,
            data=data,
            started_at=self.now,
            updated_at=self.now,
            expires_at=self.now + ttl,
        )
        await self.ctx.storage.save(update.bot, update.chat_id, state)

    async def clear_state(self) -> None:
        update = self.ctx.update
        await self.ctx.storage.clear(update.bot, update.chat_id)
        await self.ctx.db.flush()


def rows_of(buttons: list[Button], width: int) -> list[list[Button]]:
    return [buttons[i : i + width] for i in range(0, len(buttons), width)]
