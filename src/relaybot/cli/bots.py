"""`relaybot bots ...`: add, change and remove bots while relaybot runs (kept in the database).

Bots in relaybot.toml are listed too, but changed only there. A change made here is served by
every running relaybot process within seconds; nothing needs a restart.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import click

from relaybot.console import Column, cli_actor, json_option, print_rows, run_async, settings_of

T = TypeVar("T")

COLUMNS = (
    Column("name", "NAME", width=32),
    Column("app", "APP", width=32),
    Column("channel", "CHANNEL"),
    Column("mode", "MODE"),
    Column("enabled", "ENABLED"),
    Column("source", "DEFINED IN"),
    Column("token", "TOKEN", width=24),
)
SHOWN = ("name", "app", "channel", "title", "mode", "api_base", "token", "webhook_secret")


def _managed(ctx: click.Context, action: Callable[[Any], Awaitable[T]]) -> T:
    from relaybot.security.bot_keys import BotKeyError
    from relaybot.store.bots import BotProblem
    from relaybot.system import open_bot_manager

    settings = settings_of(ctx)

    async def go() -> T:
        async with open_bot_manager(settings) as manager:
            return await action(manager)

    try:
        return run_async(go())
    except (BotProblem, BotKeyError) as exc:
        raise click.ClickException(str(exc)) from None


def _option_pairs(values: tuple[str, ...]) -> dict[str, Any]:
    """`KEY=VALUE` pairs; a VALUE that reads as JSON (5, true, ["a"]) is taken as that."""
    options: dict[str, Any] = {}
    for pair in values:
        key, sep, raw = pair.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{pair!r} is not KEY=VALUE", param_hint="--option")
        try:
            options[key.strip()] = json.loads(raw)
        except ValueError:
            options[key.strip()] = raw
    return options


def _secret_value(value: str | None) -> str | None:
    """`-` reads the value from standard input, so it stays out of the shell's history."""
    if value == "-":
        return sys.stdin.readline().strip()
    return value


def _bot_options(func: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option(
            "--option",
            "options",
            multiple=True,
            metavar="KEY=VALUE",
            help="A channel or app option (repeatable).",
        ),
        click.option(
            "--api-base",
            default=None,
            help="The channel's API URL (Mattermost: "
            "your server; Telegram: a Bot API server other than Telegram's).",
        ),
        click.option(
            "--mode",
            type=click.Choice(["webhook", "polling"]),
            default=None,
            help="Telegram: webhook (default) or long polling.",
        ),
        click.option(
            "--webhook-secret",
            default=None,
            help="The secret the channel signs webhooks with ('-' reads stdin).",
        ),
        click.option("--token", default=None, help="The bot's token ('-' reads stdin)."),
        click.option("--title", default=None, help="A name to show people."),
    ]
    for option in options:
        func = option(func)
    return func


def _fields(**given: Any) -> dict[str, Any]:
    fields = {k: v for k, v in given.items() if v is not None and k != "options"}
    for key in ("token", "webhook_secret"):
        if key in fields:
            fields[key] = _secret_value(fields[key])
    if given.get("options"):
        fields["options"] = _option_pairs(given["options"])
    return fields


def _print_notes(notes: list[str]) -> None:
    for note in notes:
        click.echo(f"  {note}")


@click.group()
def bots() -> None:
    """Bots kept in the database: add, change and remove them while relaybot runs."""


@bots.command("add")
@click.argument("name")
@click.option(
    "--app", required=True, help="A bundled app (orders, helpdesk, booking) or module:Class."
)
@click.option(
    "--channel",
    default="webchat",
    show_default=True,
    help="webchat, telegram, mattermost or chat2desk.",
)
@_bot_options
@click.option("--disabled", is_flag=True, help="Store it without serving it yet.")
@click.pass_context
def bots_add(ctx: click.Context, /, name: str, disabled: bool, **given: Any) -> None:
    """Add bot NAME; running relaybot processes serve it within seconds."""
    fields = {"name": name, **_fields(**given), "enabled": not disabled}
    outcome = _managed(ctx, lambda m: m.add(fields, actor=cli_actor(), channel="cli"))
    bot = outcome.bot
    state = "stored, disabled" if disabled else "added"
    click.echo(f"bot {bot['name']} {state} ({bot['channel']}, app {bot['app']})")
    _print_notes(outcome.notes)


@bots.command("list")
@json_option
@click.pass_context
def bots_list(ctx: click.Context, as_json: bool) -> None:
    """Every bot: those of relaybot.toml and those in the database; tokens masked."""
    rows = _managed(ctx, lambda m: m.listing())
    print_rows(rows, COLUMNS, as_json=as_json, empty="no bots: relaybot bots add NAME --app APP")


@bots.command("show")
@click.argument("name")
@json_option
@click.pass_context
def bots_show(ctx: click.Context, name: str, as_json: bool) -> None:
    """One bot with its options; tokens and secrets masked."""
    bot = _managed(ctx, lambda m: m.show(name))
    if as_json:
        click.echo(json.dumps(bot, ensure_ascii=False, indent=2))
        return
    for key in (*SHOWN, "enabled", "source", "updated_at", "changed_by"):
        if bot.get(key) is not None:
            value = bot[key]
            click.echo(f"{key:15} {'yes' if value is True else 'no' if value is False else value}")
    for key, value in sorted(bot["options"].items()):
        click.echo(f"{'options.' + key:15} {json.dumps(value, ensure_ascii=False)}")


@bots.command("update")
@click.argument("name")
@click.option("--app", default=None, help="Run another app.")
@click.option("--channel", default=None, help="Move the bot to another channel.")
@_bot_options
@click.option(
    "--remove-option",
    "remove_options",
    multiple=True,
    metavar="KEY",
    help="Drop an option (repeatable).",
)
@click.pass_context
def bots_update(
    ctx: click.Context, /, name: str, remove_options: tuple[str, ...], **given: Any
) -> None:
    """Change bot NAME: only what is given changes."""
    changes = _fields(**given)
    if not changes and not remove_options:
        raise click.UsageError("nothing to change: give at least one option")
    outcome = _managed(
        ctx,
        lambda m: m.update(
            name, changes, remove_options=remove_options, actor=cli_actor(), channel="cli"
        ),
    )
    click.echo(f"bot {name} updated")
    _print_notes(outcome.notes)


def _switch(enabled: bool) -> click.Command:
    verb = "enable" if enabled else "disable"
    summary = (
        "Serve bot NAME again."
        if enabled
        else "Stop serving bot NAME: its webhook answers 404; replies already written are "
        "still delivered."
    )

    @bots.command(verb, help=summary)
    @click.argument("name")
    @click.pass_context
    def command(ctx: click.Context, name: str) -> None:
        outcome = _managed(
            ctx, lambda m: m.set_enabled(name, enabled, actor=cli_actor(), channel="cli")
        )
        click.echo(f"bot {name} {'was' if outcome.unchanged else 'is'} {verb}d")
        _print_notes(outcome.notes)

    return command


bots_enable = _switch(True)
bots_disable = _switch(False)


@bots.command("remove")
@click.argument("name")
@click.pass_context
def bots_remove(ctx: click.Context, name: str) -> None:
    """Remove bot NAME: it stops serving; replies already written are still delivered, and
    its chats' dialog states are kept until they expire."""
    notes = _managed(ctx, lambda m: m.remove(name, actor=cli_actor(), channel="cli"))
    click.echo(f"bot {name} removed")
    _print_notes(notes)


@bots.command("check")
@click.argument("name")
@click.pass_context
def bots_check(ctx: click.Context, name: str) -> None:
    """Ask the channel whose credentials bot NAME has (Telegram getMe, Mattermost users/me)."""
    found = _managed(ctx, lambda m: m.check(name, patient=True))
    if not found.ok:
        raise click.ClickException(found.message)
    click.echo(found.message)
