"""`relaybot tokens ...`: admin API tokens for the REST API (only their hashes are stored)."""

from __future__ import annotations

import click

from relaybot.console import (
    Column,
    Row,
    cli_actor,
    json_option,
    minute_cell,
    print_rows,
    with_store,
)


def _state(row: Row) -> str:
    return f"revoked {minute_cell('revoked_at')(row)}" if row["revoked_at"] else "active"


COLUMNS = (
    Column("id", "ID", right=True),
    Column("name", "NAME", width=24),
    Column("role", "ROLE"),
    Column("created_at", "CREATED (UTC)", cell=minute_cell("created_at")),
    Column("state", "STATE", cell=_state),
)


@click.group()
def tokens() -> None:
    """Admin API tokens for the REST API (only their hashes are stored)."""


@tokens.command("create")
@click.argument("name")
@click.option(
    "--role",
    type=click.Choice(["admin", "operator", "readonly"]),
    default="admin",
    show_default=True,
)
@click.pass_context
def tokens_create(ctx: click.Context, name: str, role: str) -> None:
    """Make a token; it is printed once and cannot be shown again."""
    from relaybot.store import api_tokens

    try:
        info, token = with_store(
            ctx,
            lambda s: api_tokens.create(s, name=name, role=role, actor=cli_actor(), channel="cli"),
        )
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"token {info.id} ({info.name}, {info.role}) created; it is shown only once:")
    click.echo(token)


@tokens.command("list")
@json_option
@click.pass_context
def tokens_list(ctx: click.Context, as_json: bool) -> None:
    """Every token ever made, revoked ones too; never the tokens themselves."""
    from relaybot.store import api_tokens

    rows = [
        {
            "id": info.id,
            "name": info.name,
            "role": info.role,
            "created_at": info.created_at.isoformat(),
            "revoked_at": info.revoked_at.isoformat() if info.revoked_at else None,
        }
        for info in with_store(ctx, api_tokens.listing)
    ]
    print_rows(
        rows, COLUMNS, as_json=as_json, empty="no API tokens yet: relaybot tokens create NAME"
    )


@tokens.command("revoke")
@click.argument("token_id", type=int)
@click.pass_context
def tokens_revoke(ctx: click.Context, token_id: int) -> None:
    """Stop a token from working, at once and for good."""
    from relaybot.store import api_tokens

    if not with_store(
        ctx, lambda s: api_tokens.revoke(s, token_id, actor=cli_actor(), channel="cli")
    ):
        raise click.ClickException(f"token {token_id} does not exist or is revoked already")
    click.echo(f"token {token_id} is revoked")
