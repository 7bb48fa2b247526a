"""`relaybot audit list`: the audit log of admin and moderator actions."""

from __future__ import annotations

import click

from relaybot.console import Column, json_option, print_rows, with_store

COLUMNS = (
    Column("id", "ID", right=True),
    Column("at", "AT (UTC)", cell=lambda r: str(r["at"])[:19].replace("T", " ")),
    Column("channel", "CHANNEL", width=9),
    Column("actor", "ACTOR", width=24),
    Column("action", "ACTION", width=20),
    Column("target", "TARGET"),
)


@click.group()
def audit() -> None:
    """The audit log of admin and moderator actions."""


@audit.command("list")
@click.option("--limit", default=50, show_default=True)
@click.option("--actor", default=None, help="Only this actor, e.g. cli:alice or token:deploy#3.")
@click.option("--action", default=None, help="Only this action, e.g. token.create.")
@click.option("--app", default=None, help="Only this app's actions, e.g. booking.")
@json_option
@click.pass_context
def audit_list(
    ctx: click.Context,
    limit: int,
    actor: str | None,
    action: str | None,
    app: str | None,
    as_json: bool,
) -> None:
    """Newest entries first."""
    from relaybot.store import audit as store

    entries = with_store(
        ctx, lambda s: store.recent(s, limit=limit, actor=actor, action=action, app=app)
    )
    rows = [entry.as_json() for entry in entries]
    print_rows(rows, COLUMNS, as_json=as_json, empty="the audit log is empty")
