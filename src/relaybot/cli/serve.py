"""The serving roles: `run` (all of them in one process), `gateway`, `worker`, `sender`,
`scheduler`, `caller`, and `migrate`. Each takes `--config`, like the root command."""

from __future__ import annotations

import asyncio
import errno
import signal
import socket
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from relaybot.config import Settings
from relaybot.console import config_option, run_async, settings_of, shell_of

if TYPE_CHECKING:
    from relaybot.system import System

ALL_ROLES = ("gateway", "worker", "sender", "scheduler", "caller")


def _serve_options(func: Callable[..., Any]) -> Callable[..., Any]:
    func = click.option("--port", type=int, default=None, help="Port to listen on.")(func)
    func = click.option("--host", default=None, help="Address to listen on.")(func)
    return config_option(func)


def _with_address(settings: Settings, host: str | None, port: int | None) -> Settings:
    updates: dict[str, Any] = {}
    if host is not None:
        updates["host"] = host
    if port is not None:
        updates["port"] = port
    return settings.model_copy(update=updates) if updates else settings


def _listening_socket(host: str, port: int) -> socket.socket:
    """The server's socket, bound before anything starts: a port already taken ends the
    command with a clear message instead of starting roles that cannot be reached."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: unknown address") from exc
    family, kind, proto, _, address = found[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise click.ClickException(
                f"port {port} on {host} is already in use: stop what is listening there, "
                "or choose another port with --port"
            ) from exc
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror}") from exc
    sock.set_inheritable(True)
    return sock


async def _built(settings: Settings) -> System:
    """The process's parts; bots that cannot be served as stored end it with the reason."""
    from relaybot.fleet.registry import BotsRefused
    from relaybot.security.bot_keys import BotKeyError
    from relaybot.system import build_system

    try:
        system = await build_system(settings)
    except (BotsRefused, BotKeyError) as exc:
        raise click.ClickException(str(exc)) from None
    system.preload_channels = True
    return system


async def _serve(settings: Settings, roles: tuple[str, ...], sock: socket.socket) -> None:
    import uvicorn

    from relaybot.gateway.app import create_app
    from relaybot.runtime import heap

    system = await _built(settings)
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
    port = sock.getsockname()[1]
    click.echo(f"relaybot is listening on http://{settings.host}:{port}", err=True)
    await server.serve(sockets=[sock])


async def _run_headless(settings: Settings, roles: tuple[str, ...]) -> None:
    from relaybot.runtime import heap

    system = await _built(settings)
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


@click.command()
@_serve_options
@click.pass_context
def run(ctx: click.Context, host: str | None, port: int | None) -> None:
    """Run everything in one process: gateway, worker, sender, scheduler, caller (SQLite by
    default)."""
    settings = _with_address(settings_of(ctx), host, port)
    sock = _listening_socket(settings.host, settings.port)
    run_async(_serve(settings, ALL_ROLES, sock))


@click.command()
@_serve_options
@click.pass_context
def gateway(ctx: click.Context, host: str | None, port: int | None) -> None:
    """Run only the HTTP gateway (webhooks, web chat, REST)."""
    settings = _with_address(settings_of(ctx), host, port)
    sock = _listening_socket(settings.host, settings.port)
    run_async(_serve(settings, ("gateway",), sock))


def _headless(role: str, summary: str) -> click.Command:
    @click.command(role, help=summary)
    @config_option
    @click.pass_context
    def command(ctx: click.Context) -> None:
        run_async(_run_headless(settings_of(ctx), (role,)))

    return command


worker = _headless("worker", "Run only a worker: updates in, state and outbox out.")
sender = _headless("sender", "Run only the outbox sender.")
scheduler = _headless(
    "scheduler", "Run only the scheduler of periodic jobs (several may run; one leads at a time)."
)

caller = _headless("caller", "Run only the call runner: apps' calls to other services.")


@click.command()
@config_option
@click.pass_context
def migrate(ctx: click.Context) -> None:
    """Apply database migrations (they also apply themselves on start)."""
    shell = shell_of(ctx)

    async def go() -> None:
        async with shell.open_store():
            pass

    run_async(go())
    click.echo("database is up to date")


COMMANDS: tuple[click.Command, ...] = (run, gateway, worker, sender, scheduler, caller, migrate)
