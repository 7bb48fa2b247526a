"""`relaybot dlq ...`: the dead-letter queue, messages that could not be delivered, and the
calls to other services that failed for good."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import click

from relaybot.console import Column, cli_actor, json_option, print_rows, with_store

COLUMNS = (
    Column("id", "ID", right=True),
    Column("failed_at", "FAILED AT (UTC)"),
    Column("bot", "BOT", width=12),
    Column("chat_id", "CHAT", width=16),
    Column("attempts", "TRIES", right=True),
    Column("last_error", "ERROR", width=60),
)


def _ts(value: float) -> str:
    return datetime.fromtimestamp(value, UTC).strftime("%Y-%m-%d %H:%M:%S")


@click.group()
def dlq() -> None:
    """The dead-letter queue: messages that could not be delivered."""


@dlq.command("list")
@json_option
@click.option("--limit", default=100, show_default=True)
@click.pass_context
def dlq_list(ctx: click.Context, as_json: bool, limit: int) -> None:
    """Dead letters, oldest first: id, when, bot, chat, attempts, last error."""
    from relaybot.store import dlq as store

    letters = with_store(ctx, lambda s: store.list_dead(s, limit=limit))
    rows = [
        {
            "id": letter.id,
            "bot": letter.bot,
            "channel": letter.channel,
            "chat_id": letter.chat_id,
            "attempts": letter.attempts,
            "last_error": letter.last_error,
            "failed_at": _ts(letter.failed_at),
            "trace_id": letter.trace_id,
        }
        for letter in letters
    ]
    print_rows(rows, COLUMNS, as_json=as_json, empty="the dead-letter queue is empty")


CALL_COLUMNS = (
    Column("id", "CALL", width=24),
    Column("failed_at", "FAILED AT (UTC)"),
    Column("bot", "BOT", width=12),
    Column("chat_id", "CHAT", width=16),
    Column("tag", "TAG", width=20),
    Column("attempts", "TRIES", right=True),
    Column("last_error", "ERROR", width=40),
)


@dlq.command("calls")
@json_option
@click.option("--limit", default=100, show_default=True)
@click.pass_context
def dlq_calls(ctx: click.Context, as_json: bool, limit: int) -> None:
    """Calls to other services that failed on every attempt; their apps were told.

    They are kept for the record and are not replayed: the app has already answered the
    failure, and the service saw every attempt with the call's id as its idempotency key.
    """
    from relaybot.store import dlq as store

    calls = with_store(ctx, lambda s: store.list_dead_calls(s, limit=limit))
    rows = [
        {
            "id": call.id,
            "bot": call.bot,
            "chat_id": call.chat_id,
            "tag": call.tag,
            "kind": call.kind,
            "attempts": call.attempts,
            "last_error": call.last_error,
            "failed_at": _ts(call.finished_at or call.created_at),
            "trace_id": call.trace_id,
        }
        for call in calls
    ]
    print_rows(rows, CALL_COLUMNS, as_json=as_json, empty="no call has failed for good")


@dlq.command("replay")
@click.argument("ids", nargs=-1, type=int)
@click.option("--all", "replay_all", is_flag=True, help="Replay every dead letter.")
@click.pass_context
def dlq_replay(ctx: click.Context, ids: tuple[int, ...], replay_all: bool) -> None:
    """Put dead letters back into the outbox."""
    from relaybot.store import dlq as store

    if not ids and not replay_all:
        raise click.UsageError("name the IDs to replay, or pass --all")
    done = with_store(
        ctx,
        lambda s: store.replay(s, None if replay_all else list(ids), actor=cli_actor()),
    )
    missing = sorted(set(ids) - set(done))
    click.echo(f"replayed {len(done)} message(s)")
    if missing:
        click.echo(f"not found: {', '.join(map(str, missing))}", err=True)
        sys.exit(1)


@dlq.command("drop")
@click.argument("ids", nargs=-1, type=int, required=True)
@click.pass_context
def dlq_drop(ctx: click.Context, ids: tuple[int, ...]) -> None:
    """Delete dead letters for good."""
    from relaybot.store import dlq as store

    count = with_store(ctx, lambda s: store.drop(s, list(ids), actor=cli_actor()))
    click.echo(f"dropped {count} message(s)")
    if count != len(set(ids)):
        sys.exit(1)
