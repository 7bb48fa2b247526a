"""Telling other people, each in their own language, through whichever bot they use.

`Context.send` makes each notice leave with the transaction that caused it, or not at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import structlog

from relaybot import Address, ButtonsSpec, Context, Translator, normalize_locale, translator

from ..models import HelpdeskUser
from .render import text

log = structlog.get_logger("relaybot.helpdesk")

Buttons = Callable[[Translator], ButtonsSpec]


class Notifier:
    def __init__(self, ctx: Context, reachable_bots: Iterable[str]) -> None:
        self.ctx = ctx
        self.reachable = frozenset(reachable_bots)

    def t_for(self, user: HelpdeskUser) -> Translator:
        return translator(normalize_locale(user.language, self.ctx.settings.default_locale))

    def can_reach(self, user: HelpdeskUser) -> bool:
        if user.bot in self.reachable:
            return True
        # The bot this person used is no longer configured: skip them rather than fail the
        # whole update (and with it the message of the person who wrote).
        log.warning("help desk user unreachable: bot not configured", user=user.id, bot=user.bot)
        return False

    def tell(
        self, user: HelpdeskUser, message: str, *, buttons: Buttons | None = None, **values: Any
    ) -> None:
        if not self.can_reach(user):
            return
        t = self.t_for(user)
        to = Address(user.bot, user.chat_id)
        self.ctx.send(to, text(t, message, values), buttons=buttons(t) if buttons else None)
