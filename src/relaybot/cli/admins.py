"""`relaybot admins create|list|disable`: the accounts that sign in to the console at /admin."""

from __future__ import annotations

import sys

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


def _grants(row: Row) -> str:
    grants = row["grants"]
    return "everything" if row["role"] == "admin" else (",".join(grants) or "-")


COLUMNS = (
    Column("id", "ID", right=True),
    Column("username", "USER", width=20),
    Column("role", "ROLE"),
    Column("grants", "SEES", cell=_grants, width=30),
    Column("time_zone", "TIME ZONE", width=20),
    Column("state", "STATE"),
    Column("last_login_at", "LAST SIGN-IN (UTC)", cell=minute_cell("last_login_at")),
)


@click.group()
def admins() -> None:
    """Accounts of the operations console (/admin); passwords are kept as argon2id hashes."""


@admins.command("create")
@click.argument("username")
@click.option(
    "--role", type=click.Choice(["admin", "operator"]), default="operator", show_default=True
)
@click.option(
    "--grant",
    "grants",
    multiple=True,
    help="An app or bot an operator may see (repeat: --grant orders --grant helpdesk).",
)
@click.option("--time-zone", default="UTC", show_default=True, help="e.g. Asia/Bishkek.")
@click.option("--locale", type=click.Choice(["en", "ru"]), default="en", show_default=True)
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input instead of asking.",
)
@click.pass_context
def admins_create(
    ctx: click.Context,
    username: str,
    role: str,
    grants: tuple[str, ...],
    time_zone: str,
    locale: str,
    password_stdin: bool,
) -> None:
    """Make an account that signs in to /admin."""
    from relaybot.security.passwords import WeakPassword
    from relaybot.store import panel_accounts

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        account = with_store(
            ctx,
            lambda s: panel_accounts.create(
                s,
                username=username,
                password=password,
                role=role,
                grants=grants,
                time_zone=time_zone,
                locale=locale,
                actor=cli_actor(),
                channel="cli",
            ),
        )
    except (panel_accounts.AccountRefused, WeakPassword) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"account {account.username} ({account.role}) created; sign in at /admin")


@admins.command("list")
@json_option
@click.pass_context
def admins_list(ctx: click.Context, as_json: bool) -> None:
    """Every account, disabled ones too; never a password."""
    from relaybot.store import panel_accounts

    rows = [account.as_json() for account in with_store(ctx, panel_accounts.listing)]
    print_rows(
        rows,
        COLUMNS,
        as_json=as_json,
        empty="no console accounts yet: relaybot admins create NAME --role admin",
    )


@admins.command("disable")
@click.argument("username")
@click.pass_context
def admins_disable(ctx: click.Context, username: str) -> None:
    """Stop an account from signing in, and end its sessions, at once."""
    from relaybot.store import panel_accounts

    if not with_store(
        ctx, lambda s: panel_accounts.disable(s, username, actor=cli_actor(), channel="cli")
    ):
        raise click.ClickException(f"there is no active account {username!r}")
    click.echo(f"account {username} is disabled")
