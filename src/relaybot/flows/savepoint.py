"""Actions that may be refused: a refusal leaves no trace of what the action had begun.

Part of an update's work is only remembered until the worker commits (the dialog state, the
journal's rows, the outgoing messages), so a database savepoint alone would not undo it;
`undoable` takes all four back.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from relaybot.core.app import Context, Journal


class Refused(Exception):
    """Raised by a handler that will not do what was asked: `message` is a text id shown with
    `values`. In a router with `savepoint=True` everything the handler changed is undone."""

    def __init__(self, message: str, **values: Any) -> None:
        super().__init__(message)
        self.message = message
        self.values = values


class _HeldJournal:
    """A `Journal` that keeps its rows until the action stands, then hands them on."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    def add(self, model: type[Any], /, **values: Any) -> None:
        self.calls.append(("add", (model,), values))

    def message_logged(
        self,
        *,
        bot: str,
        chat_id: str,
        client_id: str,
        message_id: str,
        text: str,
        dialog_state: str,
        success: bool,
        error_reason: str | None,
        created_at: datetime,
    ) -> None:
        values = dict(locals())
        del values["self"]
        self.calls.append(("message_logged", (), values))

    def dialog_finished(
        self,
        *,
        bot: str,
        chat_id: str,
        flow: str,
        completed: bool,
        dropoff_state: str | None,
        reason: str,
        total_messages: int,
        duration_seconds: float,
        started_at: datetime,
        finished_at: datetime,
    ) -> None:
        values = dict(locals())
        del values["self"]
        self.calls.append(("dialog_finished", (), values))

    def hand_on(self, journal: Journal) -> None:
        for name, args, values in self.calls:
            getattr(journal, name)(*args, **values)


@asynccontextmanager
async def undoable(ctx: Context) -> AsyncIterator[None]:
    """Run the block so that, when it raises `Refused`, the database, the chat's dialog
    state, the journal, the outgoing messages and the calls are as they were before it."""
    bot, chat_id = ctx.update.bot, ctx.update.chat_id
    dialog = await ctx.storage.load(bot, chat_id)
    mark, calls = len(ctx.outgoing), len(ctx.calls)
    journal, held = ctx.journal, _HeldJournal()
    ctx.journal = held
    try:
        async with ctx.db.begin_nested():
            yield
    except Refused:
        del ctx.outgoing[mark:]
        del ctx.calls[calls:]
        if dialog is None:
            await ctx.storage.clear(bot, chat_id)
        else:
            await ctx.storage.save(bot, chat_id, dialog)
        raise
    else:
        held.hand_on(journal)
    finally:
        ctx.journal = journal
