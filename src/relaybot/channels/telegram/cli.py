"""`relaybot telegram set-webhook BOT URL` and friends: tell Telegram where to deliver."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

import click

from relaybot.console import Column, json_option, print_rows, run_async, settings_of

T = TypeVar("T")


def webhook_url(base: str, bot: str) -> str:
    """A bare site URL gets relaybot's path; a URL that already has a path is used as given."""
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise click.BadParameter(f"{base!r} is not an http(s) URL", param_hint="URL")
    if parts.path in ("", "/"):
        return f"{base.rstrip('/')}/webhook/telegram/{bot}"
    return base


def _with_bot(ctx: click.Context, name: str, action: Callable[[Any, Any], Awaitable[T]]) -> T:
    from relaybot.channels.telegram.adapter import telegram_bot

    config = settings_of(ctx).bot(name)
    if config is None or config.channel != "telegram":
        raise click.UsageError(f"no Telegram bot named {name!r} in the settings")

    async def go() -> T:
        client = telegram_bot(config)
        try:
            return await action(client, config)
        finally:
            await client.session.close()

    try:
        return run_async(go())
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    except Exception as exc:
        message = str(exc).replace(config.token.get_secret_value(), "***") if config.token else ""
        raise click.ClickException(f"Telegram refused: {type(exc).__name__}: {message}") from None


@click.group()
def telegram() -> None:
    """Connect Telegram bots: point Telegram at relaybot's webhook, or stop it."""


@telegram.command("set-webhook")
@click.argument("bot")
@click.argument("url")
@click.option("--drop-pending-updates", is_flag=True, help="Forget updates Telegram holds.")
@click.option("--max-connections", type=click.IntRange(1, 100), default=40, show_default=True)
@click.pass_context
def set_webhook(
    ctx: click.Context, bot: str, url: str, drop_pending_updates: bool, max_connections: int
) -> None:
    """Deliver BOT's updates to URL (your public https address), signed with its secret."""
    target = webhook_url(url, bot)

    async def action(client: Any, config: Any) -> Any:
        from relaybot.channels.options import read_options
        from relaybot.channels.telegram.options import TelegramOptions

        if config.webhook_secret is None:
            raise ValueError(f"bot {bot!r} has no webhook_secret: set one in relaybot.toml first")
        options = read_options(config, TelegramOptions)
        await client.set_webhook(
            url=target,
            secret_token=config.webhook_secret.get_secret_value(),
            allowed_updates=options.allowed_updates,
            drop_pending_updates=drop_pending_updates,
            max_connections=max_connections,
        )
        return await client.get_webhook_info()

    info = _with_bot(ctx, bot, action)
    click.echo(f"webhook of {bot} is set to {target}")
    click.echo(f"pending updates at Telegram: {info.pending_update_count}")


@telegram.command("delete-webhook")
@click.argument("bot")
@click.option("--drop-pending-updates", is_flag=True, help="Forget updates Telegram holds.")
@click.pass_context
def delete_webhook(ctx: click.Context, bot: str, drop_pending_updates: bool) -> None:
    """Stop webhook delivery for BOT (needed before long polling works)."""

    async def action(client: Any, _config: Any) -> Any:
        return await client.delete_webhook(drop_pending_updates=drop_pending_updates)

    _with_bot(ctx, bot, action)
    click.echo(f"webhook of {bot} is deleted")


WEBHOOK_COLUMNS = (
    Column("bot", "BOT"),
    Column("url", "URL"),
    Column("pending_update_count", "PENDING", right=True),
    Column("last_error_message", "LAST ERROR", width=60),
)


@telegram.command("webhook-info")
@click.argument("bots", nargs=-1, required=True)
@json_option
@click.pass_context
def webhook_info(ctx: click.Context, bots: tuple[str, ...], as_json: bool) -> None:
    """Show where Telegram delivers each BOT's updates and its last delivery error."""

    async def action(client: Any, _config: Any) -> Any:
        return await client.get_webhook_info()

    rows = [
        {"bot": bot, **_with_bot(ctx, bot, action).model_dump(exclude_none=True, mode="json")}
        for bot in bots
    ]
    print_rows(rows, WEBHOOK_COLUMNS, as_json=as_json, empty="")
