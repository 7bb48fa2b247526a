"""The booking bot: clients book visits, specialists see their day, admins run the place."""

from __future__ import annotations

from collections.abc import Sequence

import click

from relaybot import N_, App, BotConfig, Context, Job, Settings

from .jobs import ask_about_finished, feed_announcements
from .slots import SlotCache
from .ui.forms import CURRENT, build_forms
from .ui.router import dispatch
from .ui.screen import FOLLOW_UPS, FollowUp, Options, Screen
from .users import actor_of, identify

COMPLETION_CHECK_SECONDS = 60.0
ANNOUNCEMENT_FEED_SECONDS = 2.0


class BookingApp(App):
    name = "booking"
    title = N_("Appointments")
    description = N_("Book a visit to a specialist: a service, a free time, done.")

    def __init__(self, bot: BotConfig, settings: Settings) -> None:
        super().__init__(bot, settings)
        self.options = Options.of(bot)
        self.forms = build_forms(
            currency=self.options.currency, phone_region=self.options.phone_region
        )
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
        )
        ctx.use_locale(user.locale)
        screen = Screen(
            ctx=ctx,
            actor=await actor_of(ctx.db, user),
            cache=self.cache,
            options=self.options,
            forms=self.forms,
        )
        pending: list[FollowUp] = []
        follow_token = FOLLOW_UPS.set(pending)
        screen_token = CURRENT.set(screen)
        try:
            await dispatch(screen)
            if pending:
                await ctx.db.flush()  # the closed form's state is gone before the next screen
            for follow_up in pending:
                await follow_up(screen)
        finally:
            CURRENT.reset(screen_token)
            FOLLOW_UPS.reset(follow_token)

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
