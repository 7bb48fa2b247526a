"""The booking bot: clients book visits, specialists see their day, admins run the place."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import click
import msgspec

from relaybot import N_, App, BotConfig, Context, Job, SessionMaker, Settings

if TYPE_CHECKING:
    from fastapi import APIRouter

from .jobs import ask_about_finished, feed_announcements
from .slots import SlotCache
from .ui.menu import menu_buttons
from .ui.router import router
from .ui.screen import Options, Screen
from .users import actor_of, identify

COMPLETION_CHECK_SECONDS = 60.0
ANNOUNCEMENT_FEED_SECONDS = 2.0


def supersede_older_buttons(ctx: Context) -> None:
    """A newer screen's buttons replace the older screen's: channels that can take old
    buttons off a message (Telegram) do, so only the current choices stay pressable."""
    for index, (address, message) in enumerate(ctx.outgoing):
        if address == ctx.address and message.buttons:
            meta = {**message.meta, "supersedes": True}
            ctx.outgoing[index] = (address, msgspec.structs.replace(message, meta=meta))


class BookingApp(App):
    name = "booking"
    title = N_("Appointments")
    description = N_("Book a visit to a specialist: a service, a free time, done.")

    def __init__(self, bot: BotConfig, settings: Settings) -> None:
        super().__init__(bot, settings)
        self.options = Options.of(bot)
        self.cache = SlotCache()

    async def handle(self, ctx: Context) -> None:
        update = ctx.update
        user = await identify(
            ctx.db,
            bot=update.bot,
            chat_id=update.chat_id,
            channel=ctx.bot.channel,
            name=update.user_name,
            language=update.language,
            username=update.raw.get("username") if update.channel == "telegram" else None,
        )
        ctx.use_locale(user.locale)
        screen = Screen(
            ctx=ctx, actor=await actor_of(ctx.db, user), cache=self.cache, options=self.options
        )
        await screen.serve(router.dispatch)  # the router's handlers find the screen by ctx
        # The role's main menu stays under the message box (a reply keyboard on Telegram);
        # channels send it again only when it changed, e.g. after the role did.
        ctx.set_menu(menu_buttons(screen))
        supersede_older_buttons(ctx)

    @classmethod
    def jobs(cls, settings: Settings) -> Sequence[Job]:
        return (
            Job("booking.completion", ask_about_finished, every=COMPLETION_CHECK_SECONDS),
            Job("booking.announcements", feed_announcements, every=ANNOUNCEMENT_FEED_SECONDS),
        )

    @classmethod
    def cli(cls) -> click.Group:
        from .cli import booking

        return booking

    @classmethod
    def api_router(cls, settings: Settings, sessions: SessionMaker) -> APIRouter:
        """/api/booking/: the REST backend, on the same rules as the chat."""
        from .api import build_router

        return build_router(settings, sessions)
