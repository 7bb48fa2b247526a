"""Telling other people, each in their own language, through whichever bot they use.

The notices go out through an `Outlet`: the update's `Context` in the chat, or the outbox of
a REST call's or a job's transaction, so each leaves with the change that caused it, or not
at all. Each one is also kept as an event of its person's live stream (`/api/helpdesk/events`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from relaybot import (
    Address,
    Attachment,
    ButtonsSpec,
    Outlet,
    Translator,
    normalize_locale,
    translator,
)

from ..models import DeskEvent, HelpdeskUser
from .render import text

log = structlog.get_logger("relaybot.helpdesk")

Buttons = Callable[[Translator], ButtonsSpec]
EVENT_TEXT_MAX = 4000


class Notifier:
    def __init__(
        self,
        outlet: Outlet,
        db: AsyncSession,
        reachable_bots: Iterable[str],
        *,
        default_locale: str,
        now: datetime,
    ) -> None:
        self.outlet = outlet
        self.db = db
        self.reachable = frozenset(reachable_bots)
        self.default_locale = default_locale
        self.now = now

    def t_for(self, user: HelpdeskUser) -> Translator:
        return translator(normalize_locale(user.language, self.default_locale))

    def can_reach(self, user: HelpdeskUser) -> bool:
        if user.bot in self.reachable:
            return True
        # The bot this person used is no longer configured: skip them rather than fail the
        # whole update (and with it the message of the person who wrote).
        log.warning("help desk user unreachable: bot not configured", user=user.id, bot=user.bot)
        return False

    def event(
        self,
        user: HelpdeskUser,
        kind: str,
        demand_id: int,
        body: str,
        *,
        message_id: int | None = None,
    ) -> None:
        """Keep what `user` was told for their live stream, in this transaction."""
        self.db.add(
            DeskEvent(
                user_id=user.id,
                kind=kind,
                demand_id=demand_id,
                message_id=message_id,
                text=body[:EVENT_TEXT_MAX],
                created_at=self.now,
            )
        )

    def send(
        self,
        user: HelpdeskUser,
        body: str,
        *,
        buttons: ButtonsSpec = None,
        media: Sequence[Attachment] = (),
    ) -> None:
        if self.can_reach(user):
            self.outlet.send(Address(user.bot, user.chat_id), body, buttons=buttons, media=media)

    def tell(
        self,
        user: HelpdeskUser,
        message: str,
        *,
        buttons: Buttons | None = None,
        event: tuple[str, int] | None = None,
        **values: Any,
    ) -> None:
        t = self.t_for(user)
        body = text(t, message, values)
        if event is not None:
            self.event(user, event[0], event[1], body)
        self.send(user, body, buttons=buttons(t) if buttons else None)
