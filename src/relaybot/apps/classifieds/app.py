"""The ad bot: people place ads of the kinds the bot takes; posts go to the bot's channel."""

from __future__ import annotations

from collections.abc import Sequence

import click
from fastapi import APIRouter

from relaybot import N_, App, BotConfig, Context, Job, SessionMaker, Settings

from .ads import answer_forward, build_router, take_receipt


class ClassifiedsApp(App):
    name = "classifieds"
    title = N_("Classifieds")
    description = N_("Place an ad; it is posted to the channel and kept up to date.")

    def __init__(self, bot: BotConfig, settings: Settings) -> None:
        super().__init__(bot, settings)
        regions = bot.options.get("phone_regions", ["KG"])
        if isinstance(regions, str):
            regions = [regions]
        self.router = build_router(tuple(regions))

    async def handle(self, ctx: Context) -> None:
        if await take_receipt(ctx) or await answer_forward(ctx):
            return
        await super().handle(ctx)

    @classmethod
    def cli(cls) -> click.Group:
        from .cli import classifieds

        return classifieds

    @classmethod
    def api_router(cls, settings: Settings, sessions: SessionMaker) -> APIRouter:
        """The public board of each ad bot without a channel, `/board/{bot}`."""
        from .board import build_board_router

        return build_board_router(settings, sessions)

    @classmethod
    def jobs(cls, settings: Settings) -> Sequence[Job]:
        from .jobs import reminders

        return (reminders(),)
