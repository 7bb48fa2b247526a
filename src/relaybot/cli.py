"""The `relaybot` command."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from collections.abc import Awaitable, Callable, Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from relaybot.config import Settings, load_settings
from relaybot.runtime.logs import configure_logging, register_settings_secrets

T = TypeVar("T")


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    try:
        import uvloop

        return uvloop.run(coro)
    except ImportError:  # pragma: no cover - uvloop ships with uvicorn[standard]
        return asyncio.run(coro)


def settings_of(ctx: click.Context) -> Settings:
    settings = ctx.find_object(Settings)
    if settings is None:
        raise click.UsageError("settings were not loaded")
    return settings


class _Main(click.Group):
    """Adds each bundled app's own command group (`relaybot orders ...`) lazily."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        from relaybot.apps import BUNDLED

        return sorted({*super().list_commands(ctx), *BUNDLED})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        command = super().get_command(ctx, name)
        if command is not None:
            return command
        from relaybot.apps import BUNDLED, load_app_class

        if name in BUNDLED:
            return load_app_class(name).cli()
        return None


@click.group(cls=_Main)
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Settings file (default: ./relaybot.toml when present).",
)
@click.version_option(package_name="relaybot")
@click.pass_context
def main(ctx: click.Context, config_path: Path | None) -> None:
    """relaybot: messenger bots for real work, on one channel-neutral core."""
    try:
        settings = load_settings(config_path)
    except Exception as exc:
        raise click.ClickException(f"cannot load settings: {exc}") from exc
    configure_logging(settings.log_level, settings.log_format)
    register_settings_secrets(settings)
    ctx.obj = settings


def _serve_options(func: Callable[..., Any]) -> Callable[..., Any]:
    func = click.option("--port", type=int, default=None, help="Port to listen on.")(func)
    func = click.option("--host", default=None, help="Address to listen on.")(func)
    return func


def _with_address(settings: Settings, host: str | None, port: int | None) -> Settings:
    updates: dict[str, Any] = {}
    if host is not None:
        updates["host"] = host
    if port is not None:
        updates["port"] = port
    return settings.model_copy(update=updates) if updates else settings


async def _serve(settings: Settings, roles: tuple[str, ...]) -> None:
    import uvicorn

    from relaybot.gateway.app import create_app
    from relaybot.runtime import heap
    from relaybot.system import build_system

    system = await build_system(settings)
    app = create_app(system, roles=roles, on_started=heap.settle)
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=10,
        ws_max_size=64 * 1024,
        proxy_headers=True,
    )
    server = uvicorn.Server(config)
    click.echo(f"relaybot is listening on http://{settings.host}:{settings.port}", err=True)
    await server.serve()


async def _run_headless(settings: Settings, roles: tuple[str, ...]) -> None:
    from relaybot.runtime import heap
    from relaybot.system import build_system

    system = await build_system(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await system.start(roles)
    heap.settle()
    try:
        await stop.wait()
    finally:
        await system.close()


@main.command()
@_serve_options
@click.pass_context
def run(ctx: click.Context, host: str | None, port: int | None) -> None:
    """Run everything in one process: gateway, worker, sender, scheduler (SQLite by default)."""
    settings = _with_address(settings_of(ctx), host, port)
    run_async(_serve(settings, ("gateway", "worker", "sender", "scheduler")))


@main.command()
@_serve_options
@click.pass_context
def gateway(ctx: click.Context, host: str | None, port: int | None) -> None:
    """Run only the HTTP gateway (webhooks, web chat, REST)."""
    settings = _with_address(settings_of(ctx), host, port)
    run_async(_serve(settings, ("gateway",)))


@main.command()
@click.pass_context
def worker(ctx: click.Context) -> None:
    """Run only a worker: updates in, state and outbox out."""
    run_async(_run_headless(settings_of(ctx), ("worker",)))


@main.command()
@click.pass_context
def sender(ctx: click.Context) -> None:
    """Run only the outbox sender."""
    run_async(_run_headless(settings_of(ctx), ("sender",)))


@main.command()
@click.pass_context
def scheduler(ctx: click.Context) -> None:
    """Run only the scheduler of periodic jobs (several may run; one leads at a time)."""
    run_async(_run_headless(settings_of(ctx), ("scheduler",)))


@main.command()
@click.pass_context
def migrate(ctx: click.Context) -> None:
    """Apply database migrations (they also apply themselves on start)."""
    from relaybot.system import open_store

    async def go() -> None:
        async with open_store(settings_of(ctx)):
            pass

    run_async(go())
    click.echo("database is up to date")


def with_store(ctx: click.Context, action: Callable[[Any], Awaitable[T]]) -> T:
    """Run `action(sessions)` against the configured, migrated database."""
    from relaybot.system import open_store

    async def go() -> T:
        async with open_store(settings_of(ctx)) as sessions:
            return await action(sessions)

    return run_async(go())


def _ts(value: float) -> str:
    return datetime.fromtimestamp(value, UTC).strftime("%Y-%m-%d %H:%M:%S")


@main.group()
def dlq() -> None:
    """The dead-letter queue: messages that could not be delivered."""


@dlq.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines.")
@click.option("--limit", default=100, show_default=True)
@click.pass_context
def dlq_list(ctx: click.Context, as_json: bool, limit: int) -> None:
    from relaybot.store import dlq as store

    letters = with_store(ctx, lambda s: store.list_dead(s, limit=limit))
    if as_json:
        for letter in letters:
            click.echo(
                json.dumps(
                    {
                        "id": letter.id,
                        "bot": letter.bot,
                        "channel": letter.channel,
                        "chat_id": letter.chat_id,
                        "attempts": letter.attempts,
                        "last_error": letter.last_error,
                        "failed_at": _ts(letter.failed_at),
                        "trace_id": letter.trace_id,
                    },
                    ensure_ascii=False,
                )
            )
        return
    if not letters:
        click.echo("the dead-letter queue is empty")
        return
    click.echo(f"{'ID':>6}  {'FAILED AT (UTC)':19}  {'BOT':12}  {'CHAT':16}  TRIES  ERROR")
    for letter in letters:
        click.echo(
            f"{letter.id:>6}  {_ts(letter.failed_at)}  {letter.bot[:12]:12}  "
            f"{letter.chat_id[:16]:16}  {letter.attempts:>5}  {letter.last_error[:60]}"
        )


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


def cli_actor() -> str:
    """How the audit log names whoever runs a command at the shell."""
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except Exception:
        return "cli:unknown"


@main.group()
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
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines.")
@click.pass_context
def tokens_list(ctx: click.Context, as_json: bool) -> None:
    from relaybot.store import api_tokens

    rows = with_store(ctx, api_tokens.listing)
    if as_json:
        for info in rows:
            click.echo(
                json.dumps(
                    {
                        "id": info.id,
                        "name": info.name,
                        "role": info.role,
                        "created_at": info.created_at.isoformat(),
                        "revoked_at": info.revoked_at.isoformat() if info.revoked_at else None,
                    },
                    ensure_ascii=False,
                )
            )
        return
    if not rows:
        click.echo("no API tokens yet: relaybot tokens create NAME")
        return
    click.echo(f"{'ID':>5}  {'NAME':24}  {'ROLE':9}  {'CREATED (UTC)':16}  STATE")
    for info in rows:
        state = f"revoked {info.revoked_at:%Y-%m-%d %H:%M}" if info.revoked_at else "active"
        click.echo(
            f"{info.id:>5}  {info.name[:24]:24}  {info.role:9}  "
            f"{info.created_at:%Y-%m-%d %H:%M}  {state}"
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


@main.group("audit")
def audit_group() -> None:
    """The audit log of admin and moderator actions."""


@audit_group.command("list")
@click.option("--limit", default=50, show_default=True)
@click.option("--actor", default=None, help="Only this actor, e.g. cli:alice or token:deploy#3.")
@click.option("--action", default=None, help="Only this action, e.g. token.create.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines.")
@click.pass_context
def audit_list(
    ctx: click.Context, limit: int, actor: str | None, action: str | None, as_json: bool
) -> None:
    from relaybot.store import audit as store

    rows = with_store(ctx, lambda s: store.recent(s, limit=limit, actor=actor, action=action))
    if as_json:
        for entry in rows:
            click.echo(json.dumps(entry.as_json(), ensure_ascii=False))
        return
    if not rows:
        click.echo("the audit log is empty")
        return
    click.echo(f"{'ID':>6}  {'AT (UTC)':19}  {'CHANNEL':9}  {'ACTOR':24}  {'ACTION':20}  TARGET")
    for entry in rows:
        click.echo(
            f"{entry.id:>6}  {entry.at:%Y-%m-%d %H:%M:%S}  {entry.channel[:9]:9}  "
            f"{entry.actor[:24]:24}  {entry.action[:20]:20}  {entry.target or ''}"
        )


def _channel_commands() -> None:
    from relaybot.channels.telegram.cli import telegram

    main.add_command(telegram)


_channel_commands()

if __name__ == "__main__":  # pragma: no cover
    main()
