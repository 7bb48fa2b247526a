"""A bot whose every answer can be predicted, for tests that must prove nothing was lost.

It answers each message with its text and how many messages the chat has sent so far, a count
kept in the database with the dialog state. A message handled twice, lost, or handled out of
order shows up as an answer whose number is not the expected one.
"""

from __future__ import annotations

from typing import ClassVar

from relaybot.core.app import App, Context, DialogState


class CountingApp(App):
    """Configure as `app = "relaybot.testing.counting:CountingApp"`."""

    name: ClassVar[str] = "counting"
    title: ClassVar[str] = "Counting"
    description: ClassVar[str] = "Answers every message with the chat's message count."

    async def handle(self, ctx: Context) -> None:
        upd = ctx.update
        state = await ctx.storage.load(upd.bot, upd.chat_id)
        if state is None:
            state = DialogState(flow="counting", step="count")
        state.messages += 1
        state.updated_at = ctx.now
        await ctx.storage.save(upd.bot, upd.chat_id, state)
        ctx.reply(f"{upd.text} #{state.messages}")
