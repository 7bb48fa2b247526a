"""The serving roles: `run` (all of them in one process), `gateway`, `worker`, `sender`,
`scheduler`, `caller`, and `migrate`. Each takes `--config`, like the root command."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable
from typing import Any

import click

from relaybot.config import Settings
from relaybot.console import config_option, run_async, settings_of, shell_of

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


@click.command()
@_serve_options
@click.pass_context
def run(ctx: click.Context, host: str | None, port: int | None) -> None:
    """Run everything in one process: gateway, worker, sender, scheduler, caller (SQLite by
    default)."""
    run_async(_serve(_with_address(settings_of(ctx), host, port), ALL_ROLES))


@click.command()
@_serve_options
@click.pass_context
def gateway(ctx: click.Context, host: str | None, port: int | None) -> None:
    """Run only the HTTP gateway (webhooks, web chat, REST)."""
    run_async(_serve(_with_address(settings_of(ctx), host, port), ("gateway",)))


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
