"""The reminders constructor's app: the chat doors (a /remind menu and its dialogs), the REST
API, the operators' commands and the engine that posts every due reminder once."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import click

from relaybot import N_, App, BotConfig, Job, JobContext, Settings

from . import engine

if TYPE_CHECKING:
    from fastapi import APIRouter

    from relaybot import SessionMaker

APP_NAME = "reminders"


def relays(settings: Settings) -> list[str]:
    """The relaybot bots that run this app, so a reminder bot may post through them."""
    names = [bot.name for bot in settings.bots if bot.app == APP_NAME]
    if settings.webchat_for_bundled_apps and all(b.name != APP_NAME for b in settings.bots):
        names.append(APP_NAME)
    return names


async def _engine(ctx: JobContext) -> None:
    await engine.run_due(ctx)


class RemindersApp(App):
    name = APP_NAME
    title = N_("Reminders")
    description = N_("Create reminder bots and jobs that post on a schedule.")

    def __init__(self, bot: BotConfig, settings: Settings) -> None:
        super().__init__(bot, settings)
        from .chat import build_router

        self.router = build_router(bot, settings)

    @classmethod
    def jobs(cls, settings: Settings) -> Sequence[Job]:
        return [Job("reminders.engine", _engine, every=settings.scheduler_tick_seconds)]

    @classmethod
    def cli(cls) -> click.Group:
        from .cli import reminders

        return reminders

    @classmethod
    def api_router(cls, settings: Settings, sessions: SessionMaker) -> APIRouter:
        from .api import build_router

        return build_router(settings, sessions, relays(settings))
