"""Acting on the help desk from outside a chat update (the REST API, the scheduler's jobs):
the same Notifier, writing into the outbox of the caller's own transaction."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from relaybot import BotConfig, JobContext, Settings, broadcast
from relaybot.apps import BUNDLED

from .chat.notify import Notifier
from .options import DeskOptions

NOTICE_RATE = 30.0  # messages a second: what one change tells a handful of people


def bots_of(settings: Settings) -> dict[str, BotConfig]:
    """The bots a message can go through: the configured ones and the bundled web chat bots."""
    bots = {bot.name: bot for bot in settings.bots}
    if settings.webchat_for_bundled_apps:
        for name in BUNDLED:
            bots.setdefault(name, BotConfig(name=name, app=name, channel="webchat"))
    return bots


def options_of(settings: Settings, bot: str) -> DeskOptions:
    config = bots_of(settings).get(bot)
    return DeskOptions.from_bot(bot, config.options) if config else DeskOptions()


@dataclass
class Outside:
    """A transaction's notifier and the messages it queued, written out by `flush`."""

    session: AsyncSession
    settings: Settings
    now: datetime
    outlet: JobContext
    notifier: Notifier

    @classmethod
    def open(cls, session: AsyncSession, settings: Settings, now: datetime) -> Outside:
        bots = bots_of(settings)
        outlet = JobContext(db=session, now=now, settings=settings, bots=bots)
        notifier = Notifier(outlet, session, bots, default_locale=settings.default_locale, now=now)
        return cls(session, settings, now, outlet, notifier)

    async def flush(self) -> None:
        """Write the queued notices into the outbox of this transaction."""
        messages = [(to, message) for to, message, _ in self.outlet.outgoing]
        self.outlet.outgoing.clear()
        if messages:
            await broadcast(
                self.session,
                messages,
                bots=self.outlet.bots,
                rate=NOTICE_RATE,
                now=time.time(),
                key="helpdesk",
            )
