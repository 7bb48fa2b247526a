"""The help desk bot: requests for help relayed between requesters, helpers and moderators."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from relaybot import N_, App, BotConfig, Context, Job, Settings
from relaybot.apps import BUNDLED

from .chat.desk import opened
from .chat.notify import Notifier
from .chat.routes import router
from .options import DeskOptions

if TYPE_CHECKING:
    import click
    from fastapi import APIRouter

    from relaybot import SessionMaker

GROUP_CHATS = frozenset({"group", "supergroup", "channel"})


def reachable_bots(settings: Settings) -> frozenset[str]:
    """Bots a message can be sent through: the configured ones and the bundled web chat bots."""
    names = {bot.name for bot in settings.bots}
    if settings.webchat_for_bundled_apps:
        names |= set(BUNDLED)
    return frozenset(names)


class HelpdeskApp(App):
    name = "helpdesk"
    title = N_("Help desk")
    description = N_("Ask for help, or help others: each request reaches a person who can help.")

    def __init__(self, bot: BotConfig, settings: Settings) -> None:
        super().__init__(bot, settings)
        self.options = DeskOptions.from_bot(bot.name, bot.options)
        self.reachable = reachable_bots(settings)
        self.router = router

    async def handle(self, ctx: Context) -> None:
        if ctx.update.chat_type in GROUP_CHATS:
            ctx.reply(ctx.t(N_("I work in private chats only: please write to me directly.")))
            return
        notifier = Notifier(
            ctx,
            ctx.db,
            self.reachable,
            default_locale=ctx.settings.default_locale,
            now=ctx.now,
        )
        async with opened(ctx, self.options, notifier):
            await super().handle(ctx)

    @classmethod
    def jobs(cls, settings: Settings) -> Sequence[Job]:
        from .escalation import CHECK_SECONDS, escalate

        return (Job("helpdesk.escalate", escalate, every=CHECK_SECONDS),)

    @classmethod
    def cli(cls) -> click.Group:
        from .cli import helpdesk

        return helpdesk

    @classmethod
    def api_router(cls, settings: Settings, sessions: SessionMaker) -> APIRouter:
        from .api.routes import build_router

        return build_router(settings, sessions)
