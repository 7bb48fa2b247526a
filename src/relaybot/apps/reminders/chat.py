"""The chat doors: `/remind` and its menu."""

from __future__ import annotations

from relaybot import BotConfig, Context, Router, Settings


def build_router(bot: BotConfig, settings: Settings) -> Router:
    router = Router()

    @router.command("remind")
    async def menu(ctx: Context) -> None:
        ctx.reply(ctx.t("Reminders"))

    return router
