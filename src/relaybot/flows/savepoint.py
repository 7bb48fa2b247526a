"""Actions that may be refused: a refusal leaves no trace of what the action had begun.

Part of an update's work is only remembered until the worker commits (the dialog state, the
journal's rows, the outgoing messages), so a database savepoint alone would not undo it;
`undoable` takes all four back.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from relaybot.core.app import Context


class Refused(Exception):
    """Raised by a handler that will not do what was asked: `message` is a text id shown with
    `values`. In a router with `savepoint=True` everything the handler changed is undone."""

    def __init__(self, message: str, **values: Any) -> None:
        super().__init__(message)
        self.message = message
        self.values = values


@asynccontextmanager
async def undoable(ctx: Context) -> AsyncIterator[None]:
    """Run the block so that, when it raises `Refused`, the database, the chat's dialog
    state, the journal, the outgoing messages and the calls are as they were before it."""
    bot, chat_id = ctx.update.bot, ctx.update.chat_id
    dialog = await ctx.storage.load(bot, chat_id)
    mark, calls = len(ctx.outgoing), len(ctx.calls)
    undo_journal = ctx.journal.checkpoint()
    try:
        async with ctx.db.begin_nested():
            yield
    except BaseException as failed:
        undo_journal()
        if not isinstance(failed, Refused):
            raise
        del ctx.outgoing[mark:]
        del ctx.calls[calls:]
        if dialog is None:
            await ctx.storage.clear(bot, chat_id)
        else:
            await ctx.storage.save(bot, chat_id, dialog)
        raise
